package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertRevoked,
		Title:       "Certificate revoked",
		Description: "The stapled OCSP response, an OCSP query or a CRL says a served certificate is revoked.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("rfc", "RFC 6960"), ref("rfc", "RFC 5280 5.3")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			if s := ch.Staple; s != nil && s.Status == "revoked" && s.SerialMatch {
				return fail("the stapled OCSP response says revoked at %s", s.RevokedAt.Format("2006-01-02 15:04:05 MST"))
			}
			checked := ch.Staple != nil && ch.Staple.Status == "good"
			for _, r := range ch.Revocation {
				if r.Status == "revoked" {
					return fail("%s at %s says revoked at %s (reason %d)", r.Method, r.URL, r.RevokedAt.Format("2006-01-02 15:04:05 MST"), r.Reason)
				}
				checked = checked || r.Status == "good"
			}
			if !checked {
				return checks.Finding{Status: checks.StatusInconclusive, Detail: "no revocation information (no staple; --check-revocation not used or failed)"}
			}
			return pass("not revoked")
		})
	})).When(servedChain))
}
