package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertChainDuplicate,
		Title:       "Duplicate certificates in the chain",
		Description: "The server sends the same certificate more than once.",
		Severity:    checks.SeverityLow,
		Refs:        []checks.Ref{ref("rfc", "RFC 8446"), ref("rfc", "RFC 5246")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			if len(ch.Quality.Duplicates) > 0 {
				return fail("sent again: %s", indexList(ch, ch.Quality.Duplicates))
			}
			return pass("no duplicates")
		})
	})).When(servedChain))
}
