package grade

import (
	"sort"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// DefaultRuleSet is the rule set Compute uses when Options.RuleSet is empty.
const DefaultRuleSet = "ssllabs-2009r"

// Rule is one grading rule: Eval returns a cap (or warning) when it applies,
// nil otherwise. Compute fills the Cap's Rule and CheckID from the Rule when
// Eval leaves them empty.
type Rule struct {
	ID      string
	CheckID string // the check the rule stands on
	// Warning rules add to Grade.Warnings (an A becomes A-) instead of capping.
	Warning bool
	Eval    func(in *Input) *Cap
}

// RuleSet is a named, versioned list of rules.
type RuleSet struct {
	Name        string
	Description string
	Rules       []Rule
	// Exceptional decides whether an A with no warnings becomes A+.
	Exceptional func(in *Input) bool
}

var ruleSets = map[string]RuleSet{}

func registerRuleSet(rs RuleSet) { ruleSets[rs.Name] = rs }

// Input is what rules see: the observation, the findings by check ID and the
// options. Rules record what they could not assess with notAssessed.
type Input struct {
	Obs      *obs.Observation
	Opts     Options
	byID     map[string][]checks.Finding
	accepted []view.Suite
	// judged are the suites the RC4/3DES/FS/AEAD rules judge (negotiated.go).
	judged    []view.Suite
	semantics Semantics
	missing   []string
	// missingItems are the typed NotAssessed entries (Grade.NotAssessedItems).
	missingItems []NotAssessed
	// unassessed lists, per category, the finding-based caps not applied.
	unassessed map[string][]string
}

func newInput(o *obs.Observation, findings []checks.Finding, opts Options) *Input {
	in := &Input{Obs: o, Opts: opts, byID: map[string][]checks.Finding{}, unassessed: map[string][]string{}}
	for _, f := range findings {
		in.byID[f.CheckID] = append(in.byID[f.CheckID], f)
	}
	in.accepted = view.Select(view.Accepted(o), func(s view.Suite) bool { return s.Known && !s.Info.Signalling })
	return in
}

// Failed returns the first failed finding of check id.
func (in *Input) Failed(id string) (checks.Finding, bool) {
	for _, f := range in.byID[id] {
		if f.Status == checks.StatusFail {
			return f, true
		}
	}
	return checks.Finding{}, false
}

// Passed reports whether check id has a pass finding and no failed one.
func (in *Input) Passed(id string) bool {
	if _, failed := in.Failed(id); failed {
		return false
	}
	for _, f := range in.byID[id] {
		if f.Status == checks.StatusPass {
			return true
		}
	}
	return false
}

// Assessed reports whether check id produced a pass or fail finding.
func (in *Input) Assessed(id string) bool {
	_, failed := in.Failed(id)
	return failed || in.Passed(id)
}

// notApplicable reports whether check id ran and found it does not apply
// (e.g. ROBOT without RSA key exchange): its cap cannot apply either, and
// nothing is missing.
func (in *Input) notApplicable(id string) bool {
	for _, f := range in.byID[id] {
		if f.Status == checks.StatusNotApplicable {
			return true
		}
	}
	return false
}

// Suites returns the accepted suites known to the registry (SCSVs excluded).
func (in *Input) Suites() []view.Suite { return in.accepted }

// notAssessed records msg once; checkIDs are the checks whose missing
// verdict it is about (none for a sub-score without data).
func (in *Input) notAssessed(msg string, checkIDs ...string) {
	for _, m := range in.missing {
		if m == msg {
			return
		}
	}
	in.missing = append(in.missing, msg)
	if len(checkIDs) == 0 {
		in.missingItems = append(in.missingItems, NotAssessed{Reason: msg})
	}
	for _, id := range checkIDs {
		in.missingItems = append(in.missingItems, NotAssessed{CheckID: id, Reason: msg})
	}
}

// flushUnassessed turns the per-category lists of unapplied finding-based
// caps into NotAssessed lines, categories in sorted order.
func (in *Input) flushUnassessed() {
	cats := make([]string, 0, len(in.unassessed))
	for c := range in.unassessed {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		var ids []string
		for _, e := range in.unassessed[c] {
			id, _, _ := strings.Cut(e, " ")
			ids = append(ids, id)
		}
		in.notAssessed(c+" checks without a pass/fail finding, so their caps were not applied: "+
			strings.Join(in.unassessed[c], ", "), ids...)
	}
}

// fromFinding is a rule capping at grade when check id fails; fix says what
// to do, the finding's detail is appended as evidence. An unassessed check is
// recorded in NotAssessed with the consequence.
func fromFinding(ruleID, id string, grade Letter, fix string) Rule {
	return Rule{ID: ruleID, CheckID: id, Eval: func(in *Input) *Cap {
		f, failed := in.Failed(id)
		if !failed {
			if !in.Assessed(id) && !in.notApplicable(id) {
				cat := checks.CategoryOf(id)
				in.unassessed[cat] = append(in.unassessed[cat], id+" ("+string(grade)+")")
			}
			return nil
		}
		return &Cap{Grade: grade, Reason: withEvidence(fix, f.Detail)}
	}}
}

// fromFindingWarning is fromFinding as a warning (A becomes A-), without a
// NotAssessed note (the HSTS rules note their absence once, in Exceptional).
func fromFindingWarning(ruleID, id, fix string) Rule {
	return Rule{ID: ruleID, CheckID: id, Warning: true, Eval: func(in *Input) *Cap {
		if f, failed := in.Failed(id); failed {
			return &Cap{Grade: "A-", Reason: withEvidence(fix, f.Detail)}
		}
		return nil
	}}
}

// fromObs is a rule capping at grade when cond holds; reason gets the
// evidence cond returns.
func fromObs(ruleID, id string, grade Letter, fix string, cond func(in *Input) (evidence string, hit bool)) Rule {
	return Rule{ID: ruleID, CheckID: id, Eval: func(in *Input) *Cap {
		if ev, hit := cond(in); hit {
			return &Cap{Grade: grade, Reason: withEvidence(fix, ev)}
		}
		return nil
	}}
}

func withEvidence(fix, evidence string) string {
	if evidence == "" {
		return fix
	}
	return fix + " (" + strings.TrimSuffix(evidence, ".") + ")"
}
