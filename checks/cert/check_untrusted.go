package cert

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
)

func init() {
	register(checks.Meta{
		ID:          "cert.untrusted",
		Title:       "Certificate chain not trusted",
		Description: "No certification path from the served leaf to an anchor of the configured trust stores is valid. Every store counts (mozilla, --ca-file, ...) except \"system\": it differs between machines and a verdict must not; its trust line is still reported.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("rfc", "RFC 5280 6.1")},
	}, func(a *Analysis, env checks.Env) []checks.Finding {
		if len(env.Stores) == 0 {
			return []checks.Finding{{Status: checks.StatusInconclusive, Detail: "no trust store configured"}}
		}
		return perChain(a, func(ch *ChainAnalysis) checks.Finding {
			var ok, bad []string
			for _, t := range ch.Trust {
				if t.Store == SystemStoreName && len(ch.Trust) > 1 {
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
	})
}
