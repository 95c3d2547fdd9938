package policy

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	chttp "github.com/tlsaudit/tlsaudit/checks/http"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/checks/mozilla"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Input is one audited target: what Evaluate judges.
type Input struct {
	Obs      *obs.Observation
	Findings []checks.Finding
	Grade    *grade.Grade // nil: not graded
	Now      time.Time    // for certificate expiry
}

// Violation is one broken rule: Rule is the policy key ("min_protocol"),
// Evidence what the target does.
type Violation struct {
	Rule     string `json:"rule"`
	Evidence string `json:"evidence"`

	line string // the command-line gates' own wording (see Gates.Evaluate)
}

// String is the violation in one line: "rule: evidence", or for a
// command-line gate the evidence naming its flag.
func (v Violation) String() string {
	if v.line != "" {
		return v.line
	}
	return v.Rule + ": " + v.Evidence
}

// Evaluate returns the rules in.Obs breaks, in the order of the policy
// format (one Violation per rule; fail_on and deny_checks give one per
// failed check). A target whose scan did not complete breaks no rule here
// (the caller reports the failed scan). A rule that cannot be judged from
// the observation (a quick scan, a failed probe, no HTTP answer) is a
// violation saying so: a CI gate fails closed.
func (p *Policy) Evaluate(in Input) []Violation {
	o := in.Obs
	if o == nil || o.Status != obs.StatusOK {
		return nil
	}
	e := &evaluation{p: p, in: in, quick: o.Mode == obs.ModeQuick}
	e.protocols()
	e.suites()
	e.hsts()
	e.keys()
	e.expiry()
	e.mozilla()
	e.grade()
	e.findings()
	for _, v := range StoreViolations(e.in.Findings, p.RequireStores) {
		e.add("require_stores", "%s", v)
	}
	return e.out
}

// StoreViolations returns, for each store named in require, why it does not
// trust a served chain, from the cert.store_trust findings: "apple: not
// trusted by apple: ...". A store with no finding (not configured, or no
// chain was judged) fails closed with "not assessed".
func StoreViolations(fs []checks.Finding, require []string) []string {
	var out []string
	for _, name := range require {
		seen := false
		for _, f := range fs {
			if f.CheckID != checks.IDCertStoreTrust {
				continue
			}
			if st, ok := cert.StoreOfSubject(f.Subject); !ok || st != name {
				continue
			}
			seen = true
			switch f.Status {
			case checks.StatusPass:
			case checks.StatusFail, checks.StatusNotApplicable:
				// not_applicable: an untrusted verdict on a private PKI
				// (cert.store_trust), still a violation of the requirement.
				out = append(out, name+": "+oneLine(f.Detail))
			default:
				out = append(out, name+": not assessed: "+oneLine(f.Detail))
			}
		}
		if !seen {
			out = append(out, name+": not assessed: no verdict of this store (is it configured? was a chain served?)")
		}
	}
	return out
}

type evaluation struct {
	p     *Policy
	in    Input
	quick bool
	out   []Violation
}

func (e *evaluation) add(rule, format string, args ...any) {
	e.out = append(e.out, Violation{Rule: rule, Evidence: fmt.Sprintf(format, args...)})
}

const quickNote = "not assessed: a quick scan enumerates no protocols or suites (run a full scan)"

func (e *evaluation) protocols() {
	p, o := e.p, e.in.Obs
	if e.quick && (p.minProto > 0 || len(p.forbidden) > 0) {
		for _, rule := range []string{"min_protocol", "forbidden_protocols"} {
			if _, set := p.lines[rule]; set {
				e.add(rule, quickNote)
			}
		}
		return
	}
	var old, bad, unknown []string
	for _, name := range protocols {
		tooOld := p.minProto > 0 && protoRank(name) < p.minProto
		if !tooOld && !p.forbidden[name] {
			continue
		}
		pr, probed := view.Protocol(o, name)
		switch {
		case probed && pr.Supported && tooOld:
			old = append(old, name)
		case probed && pr.Supported:
			bad = append(bad, name)
		case !probed || pr.Error != "":
			why := "not probed"
			if probed {
				why = "probe failed: " + pr.Error
			}
			unknown = append(unknown, name+" is accepted ("+oneLine(why)+")")
		}
		if probed && pr.Supported && tooOld && p.forbidden[name] {
			bad = append(bad, name)
		}
	}
	if len(old) > 0 {
		e.add("min_protocol", "%s accepted (policy: %s or newer)", strings.Join(old, ", "), protocols[p.minProto-1])
	}
	if len(bad) > 0 {
		e.add("forbidden_protocols", "%s accepted (forbidden: %s)", strings.Join(bad, ", "), strings.Join(p.ForbiddenProtocols, ", "))
	}
	if len(unknown) > 0 {
		rule := "forbidden_protocols"
		if p.minProto > 0 {
			rule = "min_protocol"
		}
		e.add(rule, "not assessed: cannot tell whether %s", strings.Join(unknown, "; "))
	}
}

func (e *evaluation) suites() {
	p := e.p
	if len(p.ForbiddenSuites) == 0 && !p.RequireForwardSecrecy && !p.RequireAEAD {
		return
	}
	if e.quick {
		for _, rule := range []string{"forbidden_suites", "require_forward_secrecy", "require_aead"} {
			if _, set := p.lines[rule]; set {
				e.add(rule, quickNote)
			}
		}
		return
	}
	accepted := view.Select(view.Accepted(e.in.Obs), func(s view.Suite) bool { return !s.Info.Signalling })
	if len(p.ForbiddenSuites) > 0 {
		hit := view.Select(accepted, func(s view.Suite) bool {
			for _, pat := range p.ForbiddenSuites {
				if suiteMatches(pat, view.Name(s), s.Info.Name, s.Info.OpenSSLName) {
					return true
				}
			}
			return false
		})
		if len(hit) > 0 {
			e.add("forbidden_suites", "%s", view.Evidence(hit))
		}
	}
	known := view.Select(accepted, func(s view.Suite) bool { return s.Known })
	if p.RequireForwardSecrecy {
		if hit := view.Select(known, func(s view.Suite) bool { return !s.Info.FS }); len(hit) > 0 {
			e.add("require_forward_secrecy", "suites without forward secrecy accepted: %s", view.Evidence(hit))
		}
	}
	if p.RequireAEAD {
		if hit := view.Select(known, func(s view.Suite) bool { return !s.Info.AEAD }); len(hit) > 0 {
			e.add("require_aead", "non-AEAD suites accepted: %s", view.Evidence(hit))
		}
	}
	if n := len(accepted) - len(known); n > 0 && (p.RequireForwardSecrecy || p.RequireAEAD) {
		rule := "require_forward_secrecy"
		if !p.RequireForwardSecrecy {
			rule = "require_aead"
		}
		e.add(rule, "not assessed: %d accepted suites are unknown to tlsaudit and could not be judged: %s",
			n, view.Evidence(view.Select(accepted, func(s view.Suite) bool { return !s.Known })))
	}
}

func (e *evaluation) hsts() {
	rule := e.p.HSTS
	if rule == nil {
		return
	}
	h := e.in.Obs.HTTP
	if h == nil || h.Attempt.Status != obs.AttemptCompleted {
		why := "no HTTP request was made"
		if h != nil {
			why = "the HTTP request ended " + h.Attempt.Status
			if h.Attempt.Reason != "" {
				why += ": " + oneLine(h.Attempt.Reason)
			}
		}
		e.add("hsts", "not assessed: %s", why)
		return
	}
	pol := chttp.EvaluateHSTS(h.StrictTransportSecurity)
	switch {
	case pol.Count == 0:
		e.add("hsts", "no Strict-Transport-Security header (HTTP %d from %s)", h.StatusCode, h.URL)
	case !pol.First.Valid:
		e.add("hsts", "invalid Strict-Transport-Security header %q: %s", oneLine(pol.First.Raw), strings.Join(pol.First.Errors, "; "))
	case pol.First.MaxAge < rule.MinMaxAge:
		e.add("hsts", "max-age=%d (%d days) is under the policy's %d (%d days)",
			pol.First.MaxAge, pol.First.MaxAge/86400, rule.MinMaxAge, rule.MinMaxAge/86400)
	case rule.IncludeSubDomains && !pol.First.IncludeSubDomains:
		e.add("hsts", "includeSubDomains missing from %q", oneLine(pol.First.Raw))
	}
}

// leaves returns the first certificate of each served chain.
func (e *evaluation) leaves() []obs.Certificate {
	var out []obs.Certificate
	for _, ch := range e.in.Obs.Chains {
		if len(ch.Certificates) > 0 {
			out = append(out, ch.Certificates[0])
		}
	}
	return out
}

func certName(c obs.Certificate) string {
	if c.Subject != "" {
		return oneLine(c.Subject)
	}
	return "leaf " + c.SHA256
}

func (e *evaluation) keys() {
	k := e.p.MinKeySize
	if k.RSA == 0 && k.EC == 0 && k.DH == 0 {
		return
	}
	var bad []string
	for _, c := range e.leaves() {
		switch {
		case c.KeyType == "RSA" && k.RSA > 0 && c.KeyBits < k.RSA:
			bad = append(bad, fmt.Sprintf("%s: RSA %d bits (policy: at least %d)", certName(c), c.KeyBits, k.RSA))
		case c.KeyType == "ECDSA" && k.EC > 0 && c.KeyBits < k.EC:
			bad = append(bad, fmt.Sprintf("%s: EC %d bits (policy: at least %d)", certName(c), c.KeyBits, k.EC))
		}
	}
	if k.DH > 0 {
		for _, d := range view.DHSizes(e.in.Obs) {
			if d.Bits < k.DH {
				bad = append(bad, fmt.Sprintf("DHE %s (policy: at least %d bits)", d.Label, k.DH))
			}
		}
	}
	if len(bad) > 0 {
		e.add("min_key_size", "%s", strings.Join(bad, "; "))
	}
}

func (e *evaluation) expiry() {
	min := e.p.MinDaysToExpiry
	if min == 0 {
		return
	}
	var bad []string
	for _, c := range e.leaves() {
		if c.NotAfter.IsZero() {
			continue
		}
		left := c.NotAfter.Sub(e.in.Now)
		if left < time.Duration(min)*24*time.Hour {
			when := fmt.Sprintf("expires %s (in %d days)", c.NotAfter.UTC().Format(time.DateOnly), obs.DaysLeft(c.NotAfter, e.in.Now))
			if left < 0 {
				when = fmt.Sprintf("expired %s (%d days ago)", c.NotAfter.UTC().Format(time.DateOnly), -obs.DaysLeft(c.NotAfter, e.in.Now))
			}
			bad = append(bad, certName(c)+" "+when)
		}
	}
	if len(bad) > 0 {
		e.add("min_days_to_expiry", "%s; the policy wants at least %d days", strings.Join(bad, "; "), min)
	}
}

func (e *evaluation) mozilla() {
	name := e.p.RequireMozilla
	if name == "" {
		return
	}
	r, err := mozilla.Evaluate(e.in.Obs, name)
	switch {
	case err != nil:
		e.add("require_mozilla", "not assessed: %v", err)
	case !r.Compliant:
		n := fmt.Sprintf("%d deviations", len(r.Deviations))
		if len(r.Deviations) == 1 {
			n = "1 deviation"
		}
		e.add("require_mozilla", "not %s (%s): %s: %s", r.Profile, r.Version, n, strings.Join(r.Deviations, "; "))
	}
}

func (e *evaluation) grade() {
	min := e.p.MinGrade
	if min == "" {
		return
	}
	g := e.in.Grade
	if g == nil || g.Letter == "" {
		why := "not graded"
		if g != nil && g.Error != "" {
			why = g.Error
		}
		e.add("min_grade", "no grade (%s); the policy wants %s", why, min)
		return
	}
	want, _ := GradeRank(min)
	if got, ok := GradeRank(g.Letter); !ok || got < want {
		e.add("min_grade", "%s", GradeBelow(g, min))
	}
}

// GradeBelow explains a grade below want: the letter and every cap and
// warning with its reason.
func GradeBelow(g *grade.Grade, want string) string {
	s := fmt.Sprintf("grade %s is below %s", g.Letter, want)
	for _, c := range g.Caps {
		s += fmt.Sprintf("; capped at %s: %s", c.Grade, c.Reason)
	}
	if g.Letter == "A-" || want == "A+" {
		for _, c := range g.Warnings {
			s += fmt.Sprintf("; warning (%s): %s", c.Grade, c.Reason)
		}
	}
	return s
}

func (e *evaluation) findings() {
	p := e.p
	if p.failOn == "" && len(p.DenyChecks) == 0 {
		return
	}
	for _, f := range e.in.Findings {
		if f.Status != checks.StatusFail {
			continue
		}
		switch {
		case matchAny(p.DenyChecks, f.CheckID):
			e.add("deny_checks", "%s", FindingText(f))
		case p.failOn != "" && f.Severity.Rank() >= p.failOn.Rank() && !matchAny(p.AllowChecks, f.CheckID):
			e.add("fail_on", "%s (%s)", FindingText(f), f.Severity)
		}
	}
}

// FindingText is a failed finding in one line: "check.id Title [subject]: detail".
func FindingText(f checks.Finding) string {
	s := f.CheckID
	if f.Title != "" {
		s += " " + f.Title
	}
	if f.Subject != "" {
		s += " [" + oneLine(f.Subject) + "]"
	}
	if f.Detail != "" {
		s += ": " + oneLine(f.Detail)
	}
	return s
}

func matchAny(patterns []string, id string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, id); ok || p == id {
			return true
		}
	}
	return false
}

// oneLine keeps server-controlled text on one line of printable characters.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
