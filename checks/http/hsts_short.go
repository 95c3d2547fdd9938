package http

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDHTTPHSTSShort,
		Title: "HSTS max-age under 180 days",
		Description: "An HSTS policy protects only for max-age seconds after the last visit; SSL Labs requires at " +
			"least 180 days (15552000 s) for A+. Pass means a valid policy with at least that max-age.",
		Severity: checks.SeverityLow,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 6797 section 6.1.1"}, {Kind: "url", ID: "https://github.com/ssllabs/research/wiki/SSL-Server-Rating-Guide"}},
	}, hstsShort).When(probed))
}

func hstsShort(o *obs.Observation, _ checks.Env) []checks.Finding {
	p, stop := hstsPolicy(o)
	if stop != nil {
		return stop
	}
	switch {
	case !p.First.Valid:
		return checks.One(checks.NotApplicable("the Strict-Transport-Security header is invalid (see " + checks.IDHTTPHSTSInvalid + ")"))
	case p.First.MaxAge < HSTSMinAPlus:
		d := fmt.Sprintf("max-age=%d (%s) is under 180 days (%d s)", p.First.MaxAge, days(p.First.MaxAge), HSTSMinAPlus)
		if p.First.MaxAge == 0 {
			d += ": max-age=0 disables HSTS"
		}
		return checks.One(checks.Fail("", d))
	}
	return checks.One(checks.Pass(fmt.Sprintf("max-age=%d (%s) is at least 180 days", p.First.MaxAge, days(p.First.MaxAge))))
}
