package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/strength"
	"github.com/tlsaudit/tlsaudit/report/termsafe"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Comparison of two sets of reports (`tlsaudit diff OLD.json NEW.json`):
// pure, from the reports' own data (no finding is re-computed).

// DiffOptions tune Compare.
type DiffOptions struct {
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

// MaxReportInput bounds the bytes ReadReports reads, MaxReportLine one
// JSON Lines record.
const (
	MaxReportInput = 1 << 30
	MaxReportLine  = 64 << 20
)

// ReadReports reads reports as the json format (an array), a single report
// object, or the jsonl format (one per line). See ReadReportsTolerant.
func ReadReports(r io.Reader) ([]*Report, error) {
	out, _, err := ReadReportsTolerant(r)
	return out, err
}

// ReadReportsTolerant is ReadReports that also tells how many partial
// JSON Lines records it skipped: a last line cut short (a run killed while
// writing) and partial records inside the file (output appended after such
// a kill), alone on their line or joined to the next record. It streams:
// memory holds the decoded reports, never the raw input, and input that
// does not start like JSON is refused at its first byte.
func ReadReportsTolerant(r io.Reader) (_ []*Report, skipped int, _ error) {
	lr := &io.LimitedReader{R: r, N: MaxReportInput + 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	var first byte
	for {
		c, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return nil, 0, errors.New("empty input: want reports as JSON (tlsaudit --format json or jsonl)")
		}
		if err != nil {
			return nil, 0, err
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			first = c
			br.UnreadByte()
			break
		}
		if lr.N <= 0 {
			return nil, 0, fmt.Errorf("input larger than the %d-byte cap", int64(MaxReportInput))
		}
	}
	var out []*Report
	var err error
	switch first {
	case '[':
		out, err = readArray(br)
	case '{':
		out, skipped, err = readObjects(br)
	default:
		return nil, 0, fmt.Errorf("not JSON reports: the input starts with byte 0x%02x (want tlsaudit --format json or jsonl)", first)
	}
	if lr.N <= 0 {
		return nil, 0, fmt.Errorf("input larger than the %d-byte cap", int64(MaxReportInput))
	}
	if err != nil {
		return nil, 0, err
	}
	return out, skipped, checkReports(out)
}

// readArray decodes a JSON array of reports one element at a time.
func readArray(r io.Reader) ([]*Report, error) {
	dec := json.NewDecoder(r)
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("not a JSON array of reports: %w", err)
	}
	var out []*Report
	for n := 1; dec.More(); n++ {
		var rep Report
		if err := dec.Decode(&rep); err != nil {
			return nil, fmt.Errorf("not a JSON array of reports: report %d: %w", n, err)
		}
		out = append(out, &rep)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("not a JSON array of reports: %w", err)
	}
	return out, nil
}

// readObjects reads JSON Lines records, or JSON objects over several lines
// (an indented single report) when the first line is not a whole object.
func readObjects(br *bufio.Reader) ([]*Report, int, error) {
	var out []*Report
	skipped := 0
	for n := 1; ; n++ {
		line, complete, err := obs.ReadLine(br, MaxReportLine)
		if err != nil {
			return nil, 0, fmt.Errorf("line %d: %w", n, err)
		}
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 {
			if !complete {
				return out, skipped, nil
			}
			continue
		}
		var rep Report
		err = json.Unmarshal(trimmed, &rep)
		if err != nil && n == 1 && len(out) == 0 && !bytes.HasPrefix(trimmed, []byte(obs.RecordStart)) {
			// Not JSON Lines: one object (or several) spread over lines.
			return readStream(io.MultiReader(bytes.NewReader(line), bytes.NewReader([]byte("\n")), br))
		}
		if err != nil {
			if whole, ok := obs.TornLine(trimmed); ok && json.Unmarshal(whole, &rep) == nil {
				skipped++ // a partial record joined to this one
				out = append(out, &rep)
				continue
			}
			if !complete || bytes.HasPrefix(trimmed, []byte(obs.RecordStart)) {
				skipped++ // a partial record: the last line, or alone on its line
				if !complete {
					return out, skipped, nil
				}
				continue
			}
			return nil, 0, fmt.Errorf("report %d (line %d): %w", len(out)+1, n, err)
		}
		out = append(out, &rep)
		if !complete {
			return out, skipped, nil
		}
	}
}

// readStream decodes concatenated JSON objects.
func readStream(r io.Reader) ([]*Report, int, error) {
	dec := json.NewDecoder(r)
	var out []*Report
	for n := 1; ; n++ {
		var rep Report
		err := dec.Decode(&rep)
		if errors.Is(err, io.EOF) {
			return out, 0, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("report %d: %w", n, err)
		}
		out = append(out, &rep)
	}
}

// checkReports rejects JSON that decoded but is not a report.
func checkReports(rs []*Report) error {
	for i, r := range rs {
		if r == nil || r.SchemaVersion == "" || r.Status == "" {
			return fmt.Errorf("report %d: not a tlsaudit report (no schema_version or status)", i+1)
		}
	}
	return nil
}

// diffKey matches a target across runs: its input, or host:port.
func diffKey(r *Report) string { return r.TargetName() }

// Compare compares the reports of old and new target by target, in the old
// order, then the targets only in new.
func Compare(old, new []*Report, opt DiffOptions) *Diff {
	if opt.ExpiryWarn == 0 {
		opt.ExpiryWarn = 30 * 24 * time.Hour
	}
	byKey := map[string]*Report{}
	for _, r := range new {
		byKey[diffKey(r)] = r
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
		k := diffKey(o)
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
		k := diffKey(n)
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

func compareTarget(o, n *Report, opt DiffOptions) []Change {
	var out []Change
	if o.Status != n.Status {
		c := Change{Kind: ChangeStatus, Old: string(o.Status), New: string(n.Status)}
		if o.Status == obs.StatusOK {
			c.Regression, c.Why = true, "the target can no longer be scanned"
			if n.Error != "" {
				c.Why += ": " + oneLine(n.Error)
			}
		}
		out = append(out, c)
	}
	if n.Status != obs.StatusOK {
		return out // nothing was observed to compare
	}
	out = append(out, compareGrade(o, n)...)
	oo, no := o.Observation, n.Observation
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

func gradeText(r *Report) string {
	if r.Grade == nil || r.Grade.Letter == "" {
		return ""
	}
	return r.Grade.Letter + " (" + strconv.Itoa(r.Grade.Score) + ")"
}

func compareGrade(o, n *Report) []Change {
	ot, nt := gradeText(o), gradeText(n)
	if ot == nt || (nt == "" && n.Status != obs.StatusOK) { // a failed scan is reported by status
		return nil
	}
	c := Change{Kind: ChangeGrade, Old: ot, New: nt}
	var ol, nl string
	if o.Grade != nil {
		ol = o.Grade.Letter
	}
	if n.Grade != nil {
		nl = n.Grade.Letter
	}
	switch {
	case ol != "" && nl == "":
		c.Regression, c.Why = true, "no longer graded"
	case ol != "" && GradeRank(nl) > GradeRank(ol):
		c.Regression, c.Why = true, "grade went down"
	}
	return []Change{c}
}

// weakProtocols are the versions whose appearance is a regression.
var weakProtocols = map[string]bool{"SSLv2": true, "SSLv3": true, "TLSv1.0": true, "TLSv1.1": true}

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

func compareChains(o, n *obs.Observation, opt DiffOptions) []Change {
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
	return oneLine(c.Subject) + " sha256:" + fp
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
			c.Regression, c.Why = true, "new "+string(f.Severity)+" finding: "+oneLine(firstNonEmpty(f.Detail, f.Title))
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
	return f.CheckID + " [" + oneLine(f.Subject) + "]"
}

// WriteText writes the diff for people: one block per target with changes,
// then a summary line.
func (d *Diff) WriteText(w io.Writer, st Style) error {
	d = termsafe.Clone(d)
	var b strings.Builder
	changed, regressed := 0, 0
	for _, td := range d.Targets {
		if len(td.Changes) == 0 {
			continue
		}
		changed++
		if td.Regression {
			regressed++
		}
		b.WriteString(st.bold(oneLine(td.Target)) + "\n")
		for _, c := range td.Changes {
			mark := "~"
			switch {
			case c.Old == "":
				mark = "+"
			case c.New == "" || c.New == "absent":
				mark = "-"
			}
			line := fmt.Sprintf("  %s %-8s", mark, c.Kind)
			if c.Subject != "" {
				line += " " + c.Subject
			}
			line = strings.TrimRight(line, " ")
			switch {
			case c.Old != "" && c.New != "":
				line += ": " + c.Old + " -> " + c.New
			case c.New != "":
				line += ": " + c.New
			case c.Old != "":
				line += ": " + c.Old
			}
			if c.Regression {
				line += "  " + st.paint(sgrRed, "REGRESSION: "+c.Why)
			} else if c.Why != "" {
				line += "  (" + c.Why + ")"
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("\n")
	}
	verdict := st.paint(sgrGreen, "no regression")
	if d.Regression {
		verdict = st.paint(sgrRed, "REGRESSION")
	}
	fmt.Fprintf(&b, "%s compared, %s with changes, %s with a regression: %s\n",
		plural(len(d.Targets), "target"), strconv.Itoa(changed), strconv.Itoa(regressed), verdict)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the diff as indented JSON.
func (d *Diff) WriteJSON(w io.Writer) error {
	b, err := marshal(d, "  ")
	if err != nil {
		return err
	}
	return writeAll(w, b)
}
