package http

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDHTTPHSTSPreloadReady,
		Title: "HSTS preload list requirements not met",
		Description: "hstspreload.org accepts a domain whose HTTPS response carries exactly one HSTS header with " +
			"max-age of at least 1 year (31536000 s), includeSubDomains and preload, which redirects plain HTTP to " +
			"HTTPS on the same host when it listens on port 80, and which serves a valid certificate.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "url", ID: "https://hstspreload.org/"}},
	}, hstsPreloadReady).When(probed))
}

func hstsPreloadReady(o *obs.Observation, _ checks.Env) []checks.Finding {
	p, stop := hstsPolicy(o)
	if stop != nil {
		return stop
	}
	var unmet []string
	host := hostOf(o)
	if isIP(host) {
		unmet = append(unmet, "the target is an IP address, not a domain")
	}
	if p.Multiple != "" {
		unmet = append(unmet, fmt.Sprintf("%d Strict-Transport-Security headers (exactly one is required)", p.Count))
	}
	if !p.First.Valid {
		unmet = append(unmet, "the header is invalid: "+joinReasons(p.First.Errors))
	} else {
		if p.First.MaxAge < HSTSMinPreload {
			unmet = append(unmet, fmt.Sprintf("max-age=%d is under 1 year (%d s)", p.First.MaxAge, HSTSMinPreload))
		}
		if !p.First.IncludeSubDomains {
			unmet = append(unmet, "includeSubDomains is missing")
		}
		if !p.First.Preload {
			unmet = append(unmet, "preload is missing")
		}
	}
	redirect := plainRedirectNote(o, host, &unmet)
	if len(unmet) > 0 {
		return checks.One(checks.Fail(host, "not eligible for the HSTS preload list: "+joinReasons(unmet)))
	}
	return checks.One(checks.Pass("the HSTS header meets the hstspreload.org requirements (" + p.First.Summary() + "); " +
		redirect + "; the certificate must also be valid and every subdomain must serve HTTPS"))
}

// plainRedirectNote judges the opt-in plain-HTTP answer for the preload
// rules: an unmet requirement is appended to unmet; the returned phrase
// describes what is known.
func plainRedirectNote(o *obs.Observation, host string, unmet *[]string) string {
	ph := o.HTTP.PlainHTTP
	switch {
	case ph == nil:
		return "the HTTP→HTTPS redirect on port 80 was not checked (opt-in)"
	case ph.Attempt.Status != obs.AttemptCompleted:
		return "plain HTTP did not answer (" + orUnknown(ph.Attempt.Reason) + "), so no redirect is required"
	}
	if ok, why := redirectsToHTTPS(ph, host); !ok {
		*unmet = append(*unmet, "plain HTTP "+why)
		return ""
	}
	return "plain HTTP redirects to HTTPS on the same host"
}

// redirectsToHTTPS reports whether the plain-HTTP answer redirects to
// https://host (any path); why explains a failure.
func redirectsToHTTPS(ph *obs.PlainHTTP, host string) (ok bool, why string) {
	if !isRedirect(ph.StatusCode, ph.Location) {
		return false, fmt.Sprintf("answered %d without redirecting to HTTPS", ph.StatusCode)
	}
	loc := ph.Location[0]
	lower := strings.ToLower(loc)
	if !strings.HasPrefix(lower, "https://") {
		return false, fmt.Sprintf("redirects to %q, not to HTTPS", loc)
	}
	authority := lower[len("https://"):]
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		authority = authority[at+1:]
	}
	name := authority
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.HasSuffix(authority, "]") {
		name = authority[:i]
	}
	if !strings.EqualFold(strings.TrimSuffix(name, "."), strings.TrimSuffix(host, ".")) {
		return false, fmt.Sprintf("redirects to %q, another host than %s (the first redirect must stay on the same host)", loc, host)
	}
	return true, ""
}
