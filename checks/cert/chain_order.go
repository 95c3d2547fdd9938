package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertChainOrder,
		Title:       "Certificate chain in the wrong order",
		Description: "The served certificates are not in issuance order (each one certified by the next), as TLS 1.2 requires.",
		Severity:    checks.SeverityLow,
		Refs:        []checks.Ref{ref("rfc", "RFC 5246 7.4.2")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			if ch.Quality.WrongOrder {
				return fail("the certificates are not sent leaf first, each followed by its issuer")
			}
			return pass("in issuance order")
		})
	})).When(servedChain))
}
