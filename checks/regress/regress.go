// Package regress decides what makes one audit of a target worse than an
// earlier one: the regression rules of ` + "`tlsaudit diff`" + ` and of the
// dashboards' history. It is pure, from the reports' own data (no finding is
// computed again); package report renders its result.
package regress

import (
	"cmp"
	"fmt"
	"strconv"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/checks/strength"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Side is what the comparison reads of one target's report. Strings come
// from the reports as they are: a renderer sanitises them.
type Side struct {
	Target   string // the key targets are matched by
	Status   obs.Status
	Error    string
	Grade    *grade.Grade
	Obs      *obs.Observation
	Findings []checks.Finding
}

// Options tune Compare.
type Options struct {
	// ExpiryWarn: a leaf certificate expiring within this window of the new
	// scan is a regression. 0 means 30 days.
	ExpiryWarn time.Duration
}

// Change kinds.
const (
	ChangeTarget   = "target"   // a target only in one of the two sets
	ChangeStatus   = "status"   // the scan status
	ChangeGrade    = "grade"    // the letter or score
	ChangeProtocol = "protocol" // a protocol version offered or no longer
	ChangeSuite    = "suite"    // a cipher suite accepted or no longer
	ChangeGroup    = "group"    // a named group accepted or no longer
	ChangeChain    = "chain"    // the leaf certificate of a chain
	ChangeExpiry   = "expiry"   // the leaf's expiry
	ChangeFinding  = "finding"  // a finding's status
)

// Change is one difference between the old and the new report of a target.
// Old or New is empty when the thing was added or removed.
type Change struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
	Old     string `json:"old,omitempty"`
	New     string `json:"new,omitempty"`
	// Regression says the change makes the target worse in a way CI should
	// stop on; Why says which rule.
	Regression bool   `json:"regression"`
	Why        string `json:"why,omitempty"`
}

// TargetDiff is the differences of one target.
type TargetDiff struct {
	Target     string   `json:"target"`
	Changes    []Change `json:"changes"`
	Regression bool     `json:"regression"`
}

// Diff is the comparison of two sets of reports.
type Diff struct {
	Targets    []TargetDiff `json:"targets"`
	Regression bool         `json:"regression"`
}

// Compare compares the reports of old and new target by target, in the old
// order, then the targets only in new.
func Compare(old, new []Side, opt Options) *Diff {
	if opt.ExpiryWarn == 0 {
		opt.ExpiryWarn = 30 * 24 * time.Hour
	}
	byKey := map[string]Side{}
	for _, r := range new {
		byKey[r.Target] = r
	}
	d := &Diff{Targets: []TargetDiff{}}
	seen := map[string]bool{}
	add := func(td TargetDiff) {
		for _, c := range td.Changes {
			td.Regression = td.Regression || c.Regression
		}
		d.Regression = d.Regression || td.Regression
		d.Targets = append(d.Targets, td)
	}
	for _, o := range old {
		k := o.Target
		if seen[k] {
			continue
		}
		seen[k] = true
		n, ok := byKey[k]
		if !ok {
			add(TargetDiff{Target: k, Changes: []Change{{Kind: ChangeTarget, Old: string(o.Status), Why: "not in the new reports"}}})
			continue
		}
		add(TargetDiff{Target: k, Changes: compareTarget(o, n, opt)})
	}
	for _, n := range new {
		k := n.Target
		if seen[k] {
			continue
		}
		seen[k] = true
		// No baseline: nothing can have regressed; say how it stands.
		c := Change{Kind: ChangeTarget, New: string(n.Status), Why: "not in the old reports"}
		if g := gradeText(n); g != "" {
			c.New += ", grade " + g
		}
		add(TargetDiff{Target: k, Changes: []Change{c}})
	}
	return d
}

func compareTarget(o, n Side, opt Options) []Change {
	var out []Change
	if o.Status != n.Status {
		c := Change{Kind: ChangeStatus, Old: string(o.Status), New: string(n.Status)}
		if o.Status == obs.StatusOK {
			c.Regression, c.Why = true, "the target can no longer be scanned"
			if n.Error != "" {
				c.Why += ": " + n.Error
			}
		}
		out = append(out, c)
	}
	if n.Status != obs.StatusOK {
		return out // nothing was observed to compare
	}
	out = append(out, compareGrade(o, n)...)
	oo, no := o.Obs, n.Obs
	if oo == nil {
		oo = &obs.Observation{}
	}
	if no == nil {
		no = &obs.Observation{}
	}
	out = append(out, compareProtocols(oo, no)...)
	out = append(out, compareGroups(oo, no)...)
	out = append(out, compareChains(oo, no, opt)...)
	out = append(out, compareFindings(o.Findings, n.Findings)...)
	return out
}

func gradeText(r Side) string {
	if r.Grade == nil || r.Grade.Letter == "" {
		return ""
	}
	return string(r.Grade.Letter) + " (" + strconv.Itoa(r.Grade.Score) + ")"
}

func compareGrade(o, n Side) []Change {
	ot, nt := gradeText(o), gradeText(n)
	if ot == nt || (nt == "" && n.Status != obs.StatusOK) { // a failed scan is reported by status
		return nil
	}
	c := Change{Kind: ChangeGrade, Old: ot, New: nt}
	var ol, nl grade.Letter
	if o.Grade != nil {
		ol = o.Grade.Letter
	}
	if n.Grade != nil {
		nl = n.Grade.Letter
	}
	switch {
	case ol != "" && nl == "":
		c.Regression, c.Why = true, "no longer graded"
	case ol != "" && rank(nl) > rank(ol):
		c.Regression, c.Why = true, "grade went down"
	}
	return []Change{c}
}

// rank is the position of a grade letter from the best, -1 for none.
func rank(letter grade.Letter) int {
	r, ok := grade.Rank(letter)
	if !ok {
		return -1
	}
	return r
}

// weakProtocols are the versions whose appearance is a regression.
var weakProtocols = map[string]bool{view.SSLv2: true, view.SSLv3: true, view.TLS10: true, view.TLS11: true}

func compareProtocols(o, n *obs.Observation) []Change {
	var out []Change
	oldP, newP := supported(o), supported(n)
	for _, p := range n.Protocols {
		if p.Supported && !oldP[p.Name] {
			c := Change{Kind: ChangeProtocol, Subject: p.Name, New: "offered"}
			if weakProtocols[p.Name] {
				c.Regression, c.Why = true, "a weak protocol was enabled"
			}
			out = append(out, c)
		}
	}
	for _, p := range o.Protocols {
		if p.Supported && !newP[p.Name] {
			out = append(out, Change{Kind: ChangeProtocol, Subject: p.Name, Old: "offered"})
		}
	}
	// Suites, per protocol, in the new (then old) server order.
	oldS, newS := suites(o), suites(n)
	for _, p := range n.Protocols {
		for _, s := range p.Suites {
			if _, ok := oldS[p.Name+" "+s.Name]; ok || !p.Supported {
				continue
			}
			c := Change{Kind: ChangeSuite, Subject: p.Name + " " + s.Name, New: string(strength.Suite(p.Name, s))}
			if st := strength.Suite(p.Name, s); st != strength.Secure {
				c.Regression, c.Why = true, "a "+string(st)+" suite was enabled"
			}
			out = append(out, c)
		}
	}
	for _, p := range o.Protocols {
		for _, s := range p.Suites {
			if _, ok := newS[p.Name+" "+s.Name]; !ok && p.Supported {
				out = append(out, Change{Kind: ChangeSuite, Subject: p.Name + " " + s.Name, Old: string(strength.Suite(p.Name, s))})
			}
		}
	}
	return out
}

func supported(o *obs.Observation) map[string]bool {
	m := map[string]bool{}
	for _, p := range o.Protocols {
		if p.Supported {
			m[p.Name] = true
		}
	}
	return m
}

func suites(o *obs.Observation) map[string]obs.Suite {
	m := map[string]obs.Suite{}
	for _, p := range o.Protocols {
		if !p.Supported {
			continue
		}
		for _, s := range p.Suites {
			m[p.Name+" "+s.Name] = s
		}
	}
	return m
}

func compareGroups(o, n *obs.Observation) []Change {
	list := func(x *obs.Observation) []string {
		if x.Groups == nil {
			return nil
		}
		var out []string
		for _, g := range x.Groups.TLS12 {
			out = append(out, "TLS 1.2 "+g.Name)
		}
		for _, g := range x.Groups.TLS13 {
			out = append(out, "TLS 1.3 "+g.Name)
		}
		return out
	}
	return compareSets(ChangeGroup, list(o), list(n), "accepted")
}

// compareSets reports the members added to and removed from a list, in
// list order.
func compareSets(kind string, old, new []string, word string) []Change {
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range list {
			m[s] = true
		}
		return m
	}
	om, nm := in(old), in(new)
	var out []Change
	for _, s := range new {
		if !om[s] {
			out = append(out, Change{Kind: kind, Subject: s, New: word})
		}
	}
	for _, s := range old {
		if !nm[s] {
			out = append(out, Change{Kind: kind, Subject: s, Old: word})
		}
	}
	return out
}

// leaves maps each chain's key type to its leaf certificate.
func leaves(o *obs.Observation) (map[string]obs.Certificate, []string) {
	m := map[string]obs.Certificate{}
	var order []string
	for _, ch := range o.Chains {
		if len(ch.Certificates) == 0 {
			continue
		}
		k := ch.KeyType
		if _, dup := m[k]; dup {
			continue
		}
		m[k] = ch.Certificates[0]
		order = append(order, k)
	}
	return m, order
}

func compareChains(o, n *obs.Observation, opt Options) []Change {
	ol, oOrder := leaves(o)
	nl, nOrder := leaves(n)
	var out []Change
	for _, k := range nOrder {
		nc := nl[k]
		oc, had := ol[k]
		subject := k + " leaf"
		if !had {
			out = append(out, Change{Kind: ChangeChain, Subject: subject, New: leafText(nc)})
		} else if oc.SHA256 != nc.SHA256 {
			out = append(out, Change{Kind: ChangeChain, Subject: subject, Old: leafText(oc), New: leafText(nc)})
		}
		if nc.NotAfter.IsZero() {
			continue
		}
		c := Change{Kind: ChangeExpiry, Subject: subject, New: expiryText(nc.NotAfter, n.Started)}
		if had && !oc.NotAfter.IsZero() {
			c.Old = expiryText(oc.NotAfter, o.Started)
		}
		// A regression when the leaf has come within the window: it was not
		// (or there was no such leaf) in the old scan.
		within := func(na, started time.Time) bool { return !started.IsZero() && na.Sub(started) < opt.ExpiryWarn }
		if within(nc.NotAfter, n.Started) && !(had && within(oc.NotAfter, o.Started)) {
			c.Regression = true
			c.Why = fmt.Sprintf("expires within %d days of the scan", int(opt.ExpiryWarn/(24*time.Hour)))
		}
		if c.Regression || (had && !oc.NotAfter.Equal(nc.NotAfter)) {
			out = append(out, c)
		}
	}
	for _, k := range oOrder {
		if _, ok := nl[k]; !ok {
			out = append(out, Change{Kind: ChangeChain, Subject: k + " leaf", Old: leafText(ol[k])})
		}
	}
	return out
}

func leafText(c obs.Certificate) string {
	fp := c.SHA256
	if len(fp) > 16 {
		fp = fp[:16]
	}
	return c.Subject + " sha256:" + fp
}

func expiryText(notAfter, started time.Time) string {
	s := notAfter.UTC().Format("2006-01-02")
	if started.IsZero() {
		return s
	}
	return fmt.Sprintf("%s (%d days)", s, int(notAfter.Sub(started)/(24*time.Hour)))
}

// findingKey identifies a finding across runs: check and subject.
func findingKey(f checks.Finding) string { return f.CheckID + "\x00" + f.Subject }

func compareFindings(old, new []checks.Finding) []Change {
	om := map[string]checks.Finding{}
	for _, f := range old {
		om[findingKey(f)] = f
	}
	nm := map[string]bool{}
	var out []Change
	for _, f := range new {
		k := findingKey(f)
		nm[k] = true
		of, had := om[k]
		if had && of.Status == f.Status {
			continue
		}
		if !had && f.Status != checks.StatusFail {
			continue // a new check that passes, or cannot say, is no news
		}
		c := Change{Kind: ChangeFinding, Subject: findingSubject(f), New: string(f.Status)}
		if had {
			c.Old = string(of.Status)
		}
		if f.Status == checks.StatusFail && f.Severity.Rank() >= checks.SeverityMedium.Rank() {
			c.Regression, c.Why = true, "new "+string(f.Severity)+" finding: "+cmp.Or(f.Detail, f.Title)
		}
		out = append(out, c)
	}
	for _, f := range old {
		if !nm[findingKey(f)] && f.Status == checks.StatusFail {
			out = append(out, Change{Kind: ChangeFinding, Subject: findingSubject(f), Old: string(f.Status), New: "absent"})
		}
	}
	return out
}

func findingSubject(f checks.Finding) string {
	if f.Subject == "" {
		return f.CheckID
	}
	return f.CheckID + " [" + f.Subject + "]"
}
