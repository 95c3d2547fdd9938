package policy

import (
	"fmt"
	"slices"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/mozilla"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Gates are every pass/fail rule an audit is judged by: the single-rule
// gates of the command line and an optional policy file. The zero value
// sets no rule.
type Gates struct {
	// FailUnder is the lowest acceptable grade (A+ A A- B C D E F); T, M
	// and no grade are below every grade.
	FailUnder string
	// FailOn: a failed check of this severity or worse breaks the gate.
	FailOn checks.Severity
	// Expiry: a failed certificate-expiry check (cert.expires_soon,
	// cert.expired) breaks the gate.
	Expiry bool
	// RequireMozilla names a Mozilla profile the endpoint must meet.
	RequireMozilla string
	// RequireStores name trust stores that must each trust every served
	// chain (--require-store; the policy file's require_stores does the
	// same). The caller checks that they are configured.
	RequireStores []string
	// File is a loaded policy file (Load), nil for none.
	File *Policy
}

// Set reports whether g sets any rule.
func (g Gates) Set() bool {
	return g.FailUnder != "" || g.FailOn != "" || g.Expiry || g.RequireMozilla != "" || len(g.RequireStores) > 0 || g.File != nil
}

// Verdict is the outcome of the gates for one audited target.
type Verdict struct {
	// Passed: no rule is broken.
	Passed bool `json:"passed"`
	// Violations are the broken rules, in the order Gates.Evaluate gives.
	Violations []Violation `json:"violations"`
	// Rules is every rule that was set, with its result ("pass" or
	// "fail"), command-line gates first, then the policy file's rules.
	Rules []RuleResult `json:"rules"`
}

// RuleResult is the verdict of one rule.
type RuleResult struct {
	Rule   string `json:"rule"`
	Result string `json:"result"` // "pass" or "fail"
	// Source: "flag" (a command-line gate) or "policy" (the policy file).
	Source string `json:"source"`
}

// ruleResults lists the rules of g with their result given the violations.
func (g Gates) ruleResults(flagViolations, fileViolations []Violation) []RuleResult {
	out := []RuleResult{}
	res := func(rule, source string, vs []Violation) {
		r := RuleResult{Rule: rule, Result: "pass", Source: source}
		for _, v := range vs {
			if v.Rule == rule {
				r.Result = "fail"
			}
		}
		out = append(out, r)
	}
	for _, f := range []struct {
		rule string
		set  bool
	}{{"fail_under", g.FailUnder != ""}, {"fail_on", g.FailOn != ""}, {"expiry_warn", g.Expiry}, {"require_mozilla", g.RequireMozilla != ""},
		{"require_store", len(g.RequireStores) > 0}} {
		if f.set {
			res(f.rule, "flag", flagViolations)
		}
	}
	if g.File != nil {
		for _, rule := range g.File.RuleNames() {
			res(rule, "policy", fileViolations)
		}
	}
	return out
}

// Evaluate judges in against every rule of g: --fail-under, --fail-on, the
// expiry gate, --require-mozilla, --require-store, then the policy file's
// rules. It returns
// nil when g sets no rule or the target was not scanned (a failed scan is
// reported as such, not as a broken rule).
func (g Gates) Evaluate(in Input) *Verdict {
	if !g.Set() || in.Obs == nil || in.Obs.Status != obs.StatusOK {
		return nil
	}
	v := &Verdict{Violations: []Violation{}}
	add := func(rule, evidence, line string) {
		v.Violations = append(v.Violations, Violation{Rule: rule, Evidence: evidence, line: line})
	}
	if g.FailUnder != "" {
		gr := in.Grade
		switch {
		case gr == nil || gr.Letter == "":
			why := ""
			if gr != nil && gr.Error != "" {
				why = ": " + gr.Error
			}
			ev := "no grade available" + why
			add("fail_under", ev, fmt.Sprintf("%s (--fail-under %s)", ev, g.FailUnder))
		default:
			want, _ := GradeRank(g.FailUnder)
			if got, ok := GradeRank(gr.Letter); !ok || got < want {
				head := fmt.Sprintf("grade %s is below %s", gr.Letter, g.FailUnder)
				caps := ""
				for _, c := range gr.Caps {
					caps += fmt.Sprintf("; capped at %s: %s", c.Grade, c.Reason)
				}
				add("fail_under", head+caps, head+" (--fail-under)"+caps)
			}
		}
	}
	for _, f := range failedBySeverity(in.Findings) {
		if g.FailOn != "" && f.Severity.Rank() >= g.FailOn.Rank() {
			ev := fmt.Sprintf("%s check %s failed: %s", f.Severity, f.CheckID, gateText(f))
			add("fail_on", ev, fmt.Sprintf("%s (--fail-on %s)", ev, g.FailOn))
		}
		if g.Expiry && (f.CheckID == checks.IDCertExpiresSoon || f.CheckID == checks.IDCertExpired) {
			ev := "certificate expiry: " + gateText(f)
			add("expiry_warn", ev, ev+" (--expiry-warn)")
		}
	}
	if req := g.RequireMozilla; req != "" {
		flag := "--require-mozilla " + req
		res, err := mozilla.Evaluate(in.Obs, req)
		switch {
		case err != nil:
			ev := "not assessed: " + err.Error()
			add("require_mozilla", ev, flag+": "+ev)
		case !res.Compliant:
			for _, d := range res.Deviations {
				ev := fmt.Sprintf("%s (%s): %s", req, res.Version, d)
				add("require_mozilla", ev, fmt.Sprintf("%s (%s): %s", flag, res.Version, d))
			}
		}
	}
	for _, ev := range StoreViolations(in.Findings, g.RequireStores) {
		add("require_store", ev, "--require-store "+ev)
	}
	flagViolations := v.Violations
	var fileViolations []Violation
	if g.File != nil {
		fileViolations = g.File.Evaluate(in)
		v.Violations = append(slices.Clip(v.Violations), fileViolations...)
	}
	v.Rules = g.ruleResults(flagViolations, fileViolations)
	v.Passed = len(v.Violations) == 0
	return v
}

// failedBySeverity returns the failed findings, most severe first (stable
// within a severity).
func failedBySeverity(fs []checks.Finding) []checks.Finding {
	var out []checks.Finding
	for _, f := range fs {
		if f.Status == checks.StatusFail {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b checks.Finding) int { return b.Severity.Rank() - a.Severity.Rank() })
	return out
}

// gateText is a failed finding in one line: "Title [subject]: detail".
func gateText(f checks.Finding) string {
	s := f.Title
	if f.Subject != "" {
		s += " [" + f.Subject + "]"
	}
	if f.Detail != "" {
		s += ": " + f.Detail
	}
	return s
}
