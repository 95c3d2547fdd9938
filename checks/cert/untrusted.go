package cert

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertUntrusted,
		Title:       "Certificate chain not trusted",
		Description: "No certification path from the served leaf to an anchor of the configured trust stores is valid. The stores that decide are mozilla and custom (--ca-file); the system store (it differs between machines, and a verdict must not) and the named and platform stores (--trust-store, --trust-store-dir: apple, windows, java, ...) get their trust lines and cert.store_trust findings but decide only when no deciding store is configured.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("rfc", "RFC 5280 6.1")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		if len(env.Stores) == 0 {
			return []checks.Finding{{Status: checks.StatusInconclusive, Detail: "no trust store configured"}}
		}
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			var ok, bad []string
			anyDecides := false
			for _, t := range ch.Trust {
				anyDecides = anyDecides || !t.Informational
			}
			for _, t := range ch.Trust {
				if t.Informational && anyDecides {
					continue
				}
				if t.Trusted {
					ok = append(ok, t.Store)
				} else {
					bad = append(bad, t.Store+": "+t.Reason)
				}
			}
			if len(ok) > 0 {
				return pass("trusted by %s", strings.Join(ok, ", "))
			}
			return fail("not trusted: %s", strings.Join(bad, " | "))
		})
	})).When(servedChain))
}
