package cert

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertRSAKeyUnder1024,
		Title:       "RSA key shorter than 1024 bits",
		Description: "A served certificate has an RSA key of fewer than 1024 bits: factorable.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("cabf", "BR 6.1.5")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perCert(a, func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string {
			if c.Key.Type == "RSA" && c.Key.Bits > 0 && c.Key.Bits < 1024 {
				return fmt.Sprintf("RSA %d bits", c.Key.Bits)
			}
			return ""
		})
	})).When(servedChain))
}
