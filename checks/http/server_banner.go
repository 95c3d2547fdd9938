package http

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDHTTPServerBanner,
		Title: "Server banner reveals software versions",
		Description: "Server and X-Powered-By headers that name software versions tell an attacker which known " +
			"vulnerabilities to try. Informational.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "cwe", ID: "CWE-200"}},
	}, serverBanner).When(probed))
}

func serverBanner(o *obs.Observation, _ checks.Env) []checks.Finding {
	h, stop := response(o)
	if stop != nil {
		return stop
	}
	var banners, versioned []string
	for _, hv := range []struct {
		name   string
		values []string
	}{{"Server", h.Server}, {"X-Powered-By", h.XPoweredBy}} {
		for _, v := range hv.values {
			b := hv.name + ": " + v
			banners = append(banners, b)
			if strings.ContainsAny(v, "0123456789") {
				versioned = append(versioned, b)
			}
		}
	}
	switch {
	case len(versioned) > 0:
		return checks.One(checks.Fail("", "the banner names versions: "+strings.Join(versioned, "; ")))
	case len(banners) > 0:
		return checks.One(checks.Pass("banner without version: " + strings.Join(banners, "; ")))
	}
	return checks.One(checks.Pass("no Server or X-Powered-By header"))
}
