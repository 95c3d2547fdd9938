package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertSelfSigned,
		Title:       "Self-signed certificate",
		Description: "The leaf certificate is signed by its own key and is not an anchor of any configured trust store.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("rfc", "RFC 5280")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			if len(ch.Certificates) == 0 || !ch.Certificates[0].SelfSigned {
				return pass("the leaf is issued by a CA")
			}
			for _, t := range ch.Trust {
				if t.Trusted {
					return pass("self-signed, but an anchor of the %s store", t.Store)
				}
			}
			return fail("the leaf %s is self-signed", ch.Certificates[0].Subject)
		})
	})).When(servedChain))
}
