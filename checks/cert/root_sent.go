package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertRootSent,
		Title:       "Root certificate sent",
		Description: "The server sends a self-signed root: useless to clients (they must already have it) and wasted bytes.",
		Severity:    checks.SeverityInfo,
		Refs:        []checks.Ref{ref("rfc", "RFC 8446 4.4.2")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			if len(ch.Quality.RootSent) > 0 {
				return fail("root sent: %s", indexList(ch, ch.Quality.RootSent))
			}
			return pass("no root sent")
		})
	})).When(servedChain))
}
