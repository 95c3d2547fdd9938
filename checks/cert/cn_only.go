package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertCNOnly,
		Title:       "Host name only in the subject CN",
		Description: "The leaf has no subjectAltName; clients no longer match the common name (RFC 6125), so it matches no host.",
		Severity:    checks.SeverityHigh,
		Refs:        []checks.Ref{ref("rfc", "RFC 6125 6.4.4")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			if ch.Leaf != nil && ch.Leaf.CNOnly {
				return fail("no subjectAltName; CN=%s", ch.Leaf.CN)
			}
			return pass("names in subjectAltName")
		})
	})).When(servedChain))
}
