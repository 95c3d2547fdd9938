package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertDANEMismatch,
		Title:       "DANE TLSA records do not match",
		Description: "TLSA records are published for the service but none matches the served chain (RFC 6698): DANE clients refuse the connection.",
		Severity:    checks.SeverityHigh,
		Refs:        []checks.Ref{ref("rfc", "RFC 6698 2.1"), ref("rfc", "RFC 7671")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		d := a.DANE
		switch {
		case d == nil:
			return []checks.Finding{na("no TLSA records")}
		case d.Error != "" && d.Records == 0:
			return []checks.Finding{{Status: checks.StatusInconclusive, Detail: "TLSA lookup failed: " + d.Error}}
		case d.Matched:
			f := pass("TLSA %s matches", d.MatchedRecord)
			if !d.Authenticated {
				f.Detail += " (answer not DNSSEC-validated by the resolver)"
			}
			return []checks.Finding{f}
		}
		return []checks.Finding{fail("none of the %d TLSA record(s) at %s matches the served chain", d.Records, d.Name)}
	})).When(servedChain))
}
