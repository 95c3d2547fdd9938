package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertSymantecDistrusted,
		Title:       "Legacy Symantec PKI",
		Description: "The chain is issued by the legacy Symantec PKI (Symantec, VeriSign, Thawte, GeoTrust, RapidSSL), distrusted by browsers since 2018. Detected by issuer organisation.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("url", "https://wiki.mozilla.org/CA/Symantec_Issues")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			if ch.Leaf != nil && ch.Leaf.SymantecDistrusted {
				return fail("issued by the legacy Symantec PKI")
			}
			return pass("not issued by the legacy Symantec PKI")
		})
	})).When(servedChain))
}
