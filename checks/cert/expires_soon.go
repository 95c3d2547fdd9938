package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertExpiresSoon,
		Title:       "Certificate expires soon",
		Description: "The leaf certificate expires within the warning window (--expiry-warn, 30 days by default).",
		Severity:    checks.SeverityMedium,
		Refs:        []checks.Ref{ref("rfc", "RFC 5280")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			lf := ch.Leaf
			switch {
			case lf == nil:
				return na("leaf certificate does not parse")
			case lf.Expired:
				return na("already expired (see cert.expired)")
			case lf.ExpiresSoon:
				return fail("expires on %s: %d days left", lf.NotAfter.Format("2006-01-02"), lf.DaysLeft)
			}
			return pass("%d days left (until %s)", lf.DaysLeft, lf.NotAfter.Format("2006-01-02"))
		})
	})).When(servedChain))
}
