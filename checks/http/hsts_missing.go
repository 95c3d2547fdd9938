package http

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDHTTPHSTSMissing,
		Title: "No HSTS header",
		Description: "Without a Strict-Transport-Security header, browsers may still reach the site over plain HTTP, " +
			"where an active attacker can strip TLS (sslstrip).",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 6797"}},
	}, hstsMissing).When(probed))
}

func hstsMissing(o *obs.Observation, _ checks.Env) []checks.Finding {
	h, stop := response(o)
	if stop != nil {
		return stop
	}
	if len(h.StrictTransportSecurity) == 0 {
		return checks.One(checks.Fail("", statusLine(h)+" has no Strict-Transport-Security header"))
	}
	return checks.One(checks.Pass(fmt.Sprintf("%s has %d Strict-Transport-Security header(s): %q",
		statusLine(h), len(h.StrictTransportSecurity), h.StrictTransportSecurity[0])))
}
