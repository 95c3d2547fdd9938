package http

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDHTTPHSTSInvalid,
		Title: "Invalid HSTS header",
		Description: "A Strict-Transport-Security header that does not conform to RFC 6797 section 6.1 (missing or " +
			"malformed max-age, repeated directives, bad quoting, several headers) is ignored by browsers.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 6797 section 6.1"}, {Kind: "rfc", ID: "RFC 6797 section 8.1"}},
	}, hstsInvalid).When(probed))
}

func hstsInvalid(o *obs.Observation, _ checks.Env) []checks.Finding {
	p, stop := hstsPolicy(o)
	if stop != nil {
		return stop
	}
	var reasons []string
	if !p.First.Valid {
		reasons = append(reasons, p.First.Errors...)
	}
	if p.Multiple != "" {
		reasons = append(reasons, p.Multiple)
	}
	if len(reasons) > 0 {
		return checks.One(checks.Fail("", "Strict-Transport-Security "+quote(p.First.Raw)+" is invalid: "+joinReasons(reasons)))
	}
	d := "Strict-Transport-Security is valid: " + p.First.Summary()
	if len(p.First.Warnings) > 0 {
		d += " (" + joinReasons(p.First.Warnings) + ")"
	}
	return checks.One(checks.Pass(d))
}

// quote renders a raw header value for a detail.
func quote(s string) string { return "\"" + s + "\"" }
