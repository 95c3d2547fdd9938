package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertOCSPStapleExpired,
		Title:       "Stale stapled OCSP response",
		Description: "The stapled OCSP response is past its nextUpdate time.",
		Severity:    checks.SeverityMedium,
		Refs:        []checks.Ref{ref("rfc", "RFC 6960 4.2.2.1")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			s := ch.Staple
			switch {
			case s == nil || s.Status == "invalid":
				return na("no usable staple")
			case s.Expired:
				return fail("nextUpdate %s has passed", s.NextUpdate.Format("2006-01-02 15:04:05 MST"))
			}
			return pass("fresh (thisUpdate %s)", s.ThisUpdate.Format("2006-01-02 15:04:05 MST"))
		})
	})).When(servedChain))
}
