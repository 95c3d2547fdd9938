package http

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDHTTPBREACH,
		Title: "HTTP compression (BREACH)",
		Description: "A response compressed with gzip, deflate, br or zstd over TLS can leak secrets reflected in the " +
			"body to an attacker who can inject chosen text and observe sizes (BREACH). Only the requested URL is " +
			"known: the site is potentially vulnerable when pages carrying secrets are compressed.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2013-3587"}, {Kind: "url", ID: "https://www.breachattack.com/"}},
	}, breach).When(probed))
}

func breach(o *obs.Observation, _ checks.Env) []checks.Finding {
	h, stop := response(o)
	if stop != nil {
		return stop
	}
	var codings []string
	for _, v := range h.ContentEncoding {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				codings = append(codings, c)
			}
		}
	}
	if len(codings) > 0 {
		return checks.One(checks.Fail(h.URL, "potentially vulnerable: "+statusLine(h)+" is compressed (Content-Encoding: "+
			strings.Join(codings, ", ")+") when the client accepts gzip, deflate, br, zstd"))
	}
	return checks.One(checks.Pass(statusLine(h) + " is not compressed although the client accepted gzip, deflate, br, zstd"))
}
