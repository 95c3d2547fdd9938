package cert

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertRSAKeyUnder2048,
		Title:       "RSA key shorter than 2048 bits",
		Description: "A served certificate has an RSA key of at least 1024 but fewer than 2048 bits.",
		Severity:    checks.SeverityHigh,
		Refs:        []checks.Ref{ref("cabf", "BR 6.1.5")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perCert(a, func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string {
			if c.Key.Type == "RSA" && c.Key.Bits >= 1024 && c.Key.Bits < 2048 {
				return fmt.Sprintf("RSA %d bits", c.Key.Bits)
			}
			return ""
		})
	})).When(servedChain))
}
