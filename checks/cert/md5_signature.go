package cert

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertMD5Signature,
		Title:       "MD5 certificate signature",
		Description: "A served certificate below the root is signed with MD5 (or MD2): forgeable.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("cve", "CVE-2004-2761")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perCert(a, func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string {
			alg := strings.ToUpper(c.SigAlg)
			if !c.SelfSigned && (strings.Contains(alg, "MD5") || strings.Contains(alg, "MD2")) {
				return "signed with " + c.SigAlg
			}
			return ""
		})
	})).When(servedChain))
}
