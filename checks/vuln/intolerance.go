package vuln

import (
	"slices"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// intolerance returns the body of a check failing when any of the named
// hello variants was refused while the baseline hello was accepted.
func intolerance(variants ...string) checks.EvalFunc {
	return probeCheck("intolerance", func(p *obs.HandshakeProbes) *obs.IntoleranceResult { return p.Intolerance },
		func(r *obs.IntoleranceResult) obs.Attempt { return r.Attempt },
		func(_ *obs.Observation, r *obs.IntoleranceResult) checks.Finding {
			var refused, accepted []string
			for _, t := range r.Tests {
				if !slices.Contains(variants, t.Name) {
					continue
				}
				if t.Accepted {
					accepted = append(accepted, t.Name)
				} else {
					refused = append(refused, t.Name+" ("+t.Answer+")")
				}
			}
			switch {
			case len(refused) > 0:
				return checks.Fail(r.Baseline, "a plain "+r.Baseline+" hello is accepted but not: "+strings.Join(refused, ", "))
			case len(accepted) == 0:
				return checks.NotApplicable("none of " + strings.Join(variants, ", ") + " was tried against a " + r.Baseline + " baseline")
			}
			return checks.Pass("accepted like the plain " + r.Baseline + " hello: " + strings.Join(accepted, ", "))
		})
}
