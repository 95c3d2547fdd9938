package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertValidityTooLong,
		Title:       "Validity period beyond the CA/B Forum maximum",
		Description: "The leaf's validity period exceeds the maximum for its issuance date (398 days; 200 from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15). Judged for publicly trusted chains only.",
		Severity:    checks.SeverityMedium,
		Refs:        []checks.Ref{ref("cabf", "BR 6.3.2")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			lf := ch.Leaf
			switch {
			case lf == nil:
				return na("leaf certificate does not parse")
			case lf.ValidityDays <= lf.MaxValidityDays:
				return pass("%d days (maximum %d)", lf.ValidityDays, lf.MaxValidityDays)
			case !publiclyTrusted(ch):
				return na("%d days, over the public maximum of %d, but the chain is not publicly trusted", lf.ValidityDays, lf.MaxValidityDays)
			}
			return fail("%d days, the maximum for its issuance date is %d", lf.ValidityDays, lf.MaxValidityDays)
		})
	})).When(servedChain))
}
