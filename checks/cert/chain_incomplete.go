package cert

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertChainIncomplete,
		Title:       "Certificate chain incomplete",
		Description: "The served chain stops before a certificate issued by a trust anchor: an intermediate is missing, so clients that do not fetch it (most non-browsers) fail.",
		Severity:    checks.SeverityMedium,
		Refs:        []checks.Ref{ref("rfc", "RFC 8446 4.4.2")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			if ch.Quality.UnknownRoot {
				return pass("the served chain is complete up to a CA issued by %q, a root no store holds (see cert.untrusted)", ch.Quality.UnknownIssuer)
			}
			if !ch.Quality.Incomplete {
				return pass("the served chain reaches a trust anchor or a root")
			}
			var from []string
			for _, f := range ch.Fetched {
				if f.Error == "" {
					from = append(from, f.Subject+" from "+f.URL)
				}
			}
			if ch.Quality.CompletedByAIA {
				return fail("intermediate missing; fetched via AIA: %s", strings.Join(from, "; "))
			}
			if ch.Leaf != nil && len(ch.Leaf.CAIssuerURLs) > 0 {
				return fail("intermediate missing: issuer %q not sent (AIA: %s)", ch.Quality.MissingIssuer, strings.Join(ch.Leaf.CAIssuerURLs, ", "))
			}
			return fail("intermediate missing: issuer %q not sent", ch.Quality.MissingIssuer)
		})
	})).When(servedChain))
}
