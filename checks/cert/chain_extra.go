package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertChainExtra,
		Title:       "Unrelated certificates in the chain",
		Description: "The server sends certificates that are not part of the leaf's issuance chain.",
		Severity:    checks.SeverityLow,
		Refs:        []checks.Ref{ref("rfc", "RFC 8446"), ref("rfc", "RFC 5246")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			if len(ch.Quality.Extra) > 0 {
				return fail("not in the leaf's issuance chain: %s", indexList(ch, ch.Quality.Extra))
			}
			return pass("no unrelated certificates")
		})
	})).When(servedChain))
}
