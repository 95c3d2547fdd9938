package http

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDHTTPRedirectToHTTP,
		Title: "HTTPS redirects to plain HTTP",
		Description: "A redirect from the HTTPS site to an http:// URL sends the visitor off TLS, where the next " +
			"request can be intercepted.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 9110 section 15.4"}},
	}, redirectToHTTP).When(probed))
}

func redirectToHTTP(o *obs.Observation, _ checks.Env) []checks.Finding {
	h, stop := response(o)
	if stop != nil {
		return stop
	}
	if !isRedirect(h.StatusCode, h.Location) {
		return checks.One(checks.NotApplicable(statusLine(h) + " is not a redirect"))
	}
	loc := h.Location[0]
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(loc)), "http://") {
		return checks.One(checks.Fail(h.URL, statusLine(h)+" redirects to plain HTTP: "+loc))
	}
	return checks.One(checks.Pass(statusLine(h) + " redirects to " + loc + " (not plain HTTP; not followed)"))
}
