package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertOCSPStapleUnknown,
		Title:       "Stapled OCSP response says unknown",
		Description: "The responder does not know the certificate (status unknown).",
		Severity:    checks.SeverityLow,
		Refs:        []checks.Ref{ref("rfc", "RFC 6960 2.2")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			s := ch.Staple
			switch {
			case s == nil || s.Status == "invalid":
				return na("no usable staple")
			case s.Status == "unknown":
				return fail("the OCSP responder answered unknown")
			}
			return pass("status %s", s.Status)
		})
	})).When(servedChain))
}
