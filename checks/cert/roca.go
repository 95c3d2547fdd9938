package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertROCA,
		Title:       "ROCA-vulnerable RSA key",
		Description: "The RSA modulus has the fingerprint of Infineon's RSALib (ROCA): the private key can be computed.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("cve", "CVE-2017-15361")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perCert(a, func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string {
			if c.Key.ROCA {
				return "RSA modulus has the ROCA fingerprint"
			}
			return ""
		})
	})).When(servedChain))
}
