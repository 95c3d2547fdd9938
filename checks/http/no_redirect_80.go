package http

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDHTTPNoRedirect80,
		Title: "Plain HTTP does not redirect to HTTPS",
		Description: "When the host also answers plain HTTP (port 80), it should redirect every request to HTTPS " +
			"on the same host, so that visitors reach the TLS site and its HSTS header. Opt-in check.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 6797 section 7.2"}, {Kind: "url", ID: "https://hstspreload.org/"}},
	}, noRedirect80).When(probed))
}

func noRedirect80(o *obs.Observation, _ checks.Env) []checks.Finding {
	ph := o.HTTP.PlainHTTP
	switch {
	case ph == nil:
		return checks.One(checks.NotApplicable("the plain-HTTP redirect check was not requested (opt-in)"))
	case ph.Attempt.Status == obs.AttemptError:
		return checks.One(checks.NotApplicable(ph.URL + " did not answer (" + orUnknown(ph.Attempt.Reason) + "): nothing to redirect"))
	case ph.Attempt.Status != obs.AttemptCompleted:
		return checks.One(checks.Inconclusive(ph.URL + ": " + orUnknown(ph.Attempt.Reason)))
	}
	if ok, why := redirectsToHTTPS(ph, hostOf(o)); !ok {
		return checks.One(checks.Fail(ph.URL, ph.URL+" "+why))
	}
	return checks.One(checks.Pass(ph.URL + " redirects to " + ph.Location[0]))
}
