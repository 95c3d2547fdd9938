package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertRSAExponentOne,
		Title:       "RSA public exponent 1",
		Description: "An RSA key with public exponent 1 does not encrypt or sign at all: anyone can forge.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("rfc", "RFC 8017")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perCert(a, func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string {
			if c.Key.Type == "RSA" && c.Key.Exponent == 1 {
				return "RSA public exponent is 1"
			}
			return ""
		})
	})).When(servedChain))
}
