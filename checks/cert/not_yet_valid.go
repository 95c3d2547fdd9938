package cert

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertNotYetValid,
		Title:       "Certificate not yet valid",
		Description: "A served certificate's notBefore date is in the future.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("rfc", "RFC 5280 4.1.2.5")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perCert(a, func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string {
			if env.Now.Before(c.NotBefore) {
				return fmt.Sprintf("valid only from %s", c.NotBefore.Format("2006-01-02 15:04:05 MST"))
			}
			return ""
		})
	})).When(servedChain))
}
