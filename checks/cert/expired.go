package cert

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertExpired,
		Title:       "Certificate expired",
		Description: "A served certificate (the leaf or an intermediate) is past its notAfter date.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("rfc", "RFC 5280 4.1.2.5")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perCert(a, func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string {
			if c.SelfSigned && c.Index > 0 {
				return "" // a root sent along is judged by the store, not by its copy
			}
			if env.Now.After(c.NotAfter) {
				return fmt.Sprintf("expired on %s (%d days ago)", c.NotAfter.Format("2006-01-02"), -obs.DaysLeft(c.NotAfter, env.Now))
			}
			return ""
		})
	})).When(servedChain))
}
