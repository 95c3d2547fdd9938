package cert

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertWeakCurve,
		Title:       "Weak or non-standard elliptic curve",
		Description: "A served certificate has an ECDSA key on a curve other than P-256, P-384 or P-521 (or smaller than 256 bits).",
		Severity:    checks.SeverityHigh,
		Refs:        []checks.Ref{ref("cabf", "BR 6.1.5")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perCert(a, func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string {
			if c.Key.Type != "ECDSA" {
				return ""
			}
			switch c.Key.Curve {
			case "P-256", "P-384", "P-521":
				return ""
			case "":
				return "unknown curve"
			}
			return fmt.Sprintf("curve %s (%d bits)", c.Key.Curve, c.Key.Bits)
		})
	})).When(servedChain))
}
