package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertMustStapleNoStaple,
		Title:       "Must-staple certificate served without a staple",
		Description: "The leaf carries the TLS Feature status_request (OCSP must-staple) but the server stapled no OCSP response: clients honouring it hard-fail.",
		Severity:    checks.SeverityHigh,
		Refs:        []checks.Ref{ref("rfc", "RFC 7633")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			switch {
			case ch.Leaf == nil || !ch.Leaf.MustStaple:
				return na("not a must-staple certificate")
			case ch.Staple == nil:
				return fail("must-staple, but no OCSP response stapled")
			}
			return pass("must-staple and stapled")
		})
	})).When(servedChain))
}
