package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertOCSPStapleMissing,
		Title:       "No OCSP stapling",
		Description: "The server does not staple an OCSP response for a certificate that names an OCSP responder.",
		Severity:    checks.SeverityInfo,
		Refs:        []checks.Ref{ref("rfc", "RFC 6066 8")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			switch {
			case ch.Staple != nil:
				return pass("OCSP response stapled (%s)", ch.Staple.Status)
			case ch.Leaf == nil || len(ch.Leaf.OCSPURLs) == 0:
				return na("the certificate names no OCSP responder")
			}
			return fail("no OCSP response stapled")
		})
	})).When(servedChain))
}
