package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertDSAKey,
		Title:       "DSA certificate key",
		Description: "A served certificate has a DSA key: not allowed by the Baseline Requirements and not supported by modern clients.",
		Severity:    checks.SeverityHigh,
		Refs:        []checks.Ref{ref("cabf", "BR 6.1.5")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perCert(a, func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string {
			if c.Key.Type == "DSA" {
				return "DSA key"
			}
			return ""
		})
	})).When(servedChain))
}
