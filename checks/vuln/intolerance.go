package vuln

import (
	"slices"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.Meta{
		ID:    IDVersionIntolerance,
		Title: "Version intolerance",
		Description: "A server must answer a hello with a higher version than it supports with its own highest " +
			"version. Intolerant servers fail such hellos, which pushes clients into insecure fallback retries " +
			"and blocks new versions. The probe sends legacy_version 0x0304 without supported_versions and " +
			"0x0305 (a future TLS 1.4).",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 8446"}, {Kind: "cwe", ID: "CWE-757"}},
	}, intolerance(obs.VariantTLS13NoSV, obs.VariantTLS14))
	register(checks.Meta{
		ID:    IDExtensionIntolerance,
		Title: "Extension or hello-size intolerance",
		Description: "A server must ignore extensions and GREASE values it does not know (RFC 8446 4.2, RFC 8701) " +
			"and accept hellos of any length; some stacks fail hellos of 256-511 bytes or long post-quantum " +
			"ones. Intolerance breaks modern clients or forces fallback.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 8701"}, {Kind: "rfc", ID: "RFC 7685"}, {Kind: "cwe", ID: "CWE-20"}},
	}, intolerance(obs.VariantLong300, obs.VariantLong1800, obs.VariantUnknownExt, obs.VariantGREASE))
}

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
