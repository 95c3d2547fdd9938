package cert

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertSHA1Signature,
		Title:       "SHA-1 certificate signature",
		Description: "A served certificate below the root is signed with SHA-1, which browsers reject (chosen-prefix collisions are practical).",
		Severity:    checks.SeverityHigh,
		Refs:        []checks.Ref{ref("cabf", "BR 7.1.3.2"), ref("url", "https://shattered.io/")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perCert(a, func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string {
			if !c.SelfSigned && strings.Contains(strings.ToUpper(c.SigAlg), "SHA1") {
				return "signed with " + c.SigAlg
			}
			return ""
		})
	})).When(servedChain))
}
