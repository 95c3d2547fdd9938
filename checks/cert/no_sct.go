package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertNoSCT,
		Title:       "No Certificate Transparency proof",
		Description: "No valid SCT was delivered (in the certificate, the TLS extension or the OCSP staple); browsers that enforce CT reject publicly trusted certificates without them.",
		Severity:    checks.SeverityMedium,
		Refs:        []checks.Ref{ref("rfc", "RFC 6962 3.3")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			n := 0
			for _, s := range ch.SCTs {
				if s.Error == "" {
					n++
				}
			}
			switch {
			case n > 0:
				return pass("%d SCT(s)", n)
			case !publiclyTrusted(ch):
				return na("no SCTs, but the chain is not publicly trusted")
			}
			return fail("no SCTs in the certificate, the TLS extension or the OCSP staple")
		})
	})).When(servedChain))
}
