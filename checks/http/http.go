package http

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/zmap/zcrypto/x509"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

const hpkpDeprecationNote = "HPKP is deprecated: browsers stopped enforcing it (Chrome 72, Firefox 72)"

// probed is the AppliesFunc of every HTTP check: the scan completed and the
// HTTP probe ran.
func probed(o *obs.Observation) (bool, string) {
	if ok, why := checks.ScanCompleted(o); !ok {
		return false, why
	}
	if o.HTTP == nil {
		return false, "HTTP was not probed"
	}
	return true, ""
}

// response returns o.HTTP when its request completed, or the finding to
// return instead: not_applicable when no request was made, inconclusive
// when it failed or the answer was not HTTP.
func response(o *obs.Observation) (*obs.HTTP, []checks.Finding) {
	h := o.HTTP
	switch h.Attempt.Status {
	case obs.AttemptCompleted:
		return h, nil
	case obs.AttemptNotApplicable:
		return nil, checks.One(checks.NotApplicable("no HTTP request: " + orUnknown(h.Attempt.Reason)))
	}
	return nil, checks.One(checks.Inconclusive(fmt.Sprintf("the HTTP request over TLS did not complete (%s): %s",
		orUnknown(h.Attempt.Status), orUnknown(h.Attempt.Reason))))
}

func orUnknown(s string) string {
	if s == "" {
		return "no reason recorded"
	}
	return s
}

// statusLine names the response, e.g. "the 200 response to GET https://a/".
func statusLine(h *obs.HTTP) string {
	return fmt.Sprintf("the %d response to GET %s", h.StatusCode, h.URL)
}

// hostOf returns the name the site is audited under: SNI, else the host.
func hostOf(o *obs.Observation) string {
	if o.Target.SNI != "" {
		return o.Target.SNI
	}
	return o.Target.Host
}

// isIP reports whether host is a literal address (RFC 6797 section 8.1.1:
// UAs never note HSTS for those).
func isIP(host string) bool {
	_, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil
}

// servedPins returns the HPKP pins of every certificate of every served
// chain (certificates that do not parse are skipped).
func servedPins(o *obs.Observation) map[string]bool {
	var spkis [][]byte
	for _, ch := range o.Chains {
		for _, c := range ch.Certificates {
			if cert, err := x509.ParseCertificate(c.DER); err == nil && len(cert.RawSubjectPublicKeyInfo) > 0 {
				spkis = append(spkis, cert.RawSubjectPublicKeyInfo)
			}
		}
	}
	return SPKIPins(spkis)
}

// isRedirect reports whether the status is a redirection with a Location.
func isRedirect(code int, location []string) bool {
	return code >= 300 && code < 400 && len(location) > 0
}

// joinReasons renders a list of reasons as one sentence fragment.
func joinReasons(rs []string) string { return strings.Join(rs, "; ") }

// hstsPolicy returns the HSTS headers of a completed response, or the
// finding to return when there is no response or no header.
func hstsPolicy(o *obs.Observation) (HSTSPolicy, []checks.Finding) {
	h, stop := response(o)
	if stop != nil {
		return HSTSPolicy{}, stop
	}
	p := EvaluateHSTS(h.StrictTransportSecurity)
	if p.Count == 0 {
		return p, checks.One(checks.NotApplicable("no Strict-Transport-Security header"))
	}
	return p, nil
}

// registered holds the checks of this package; each check's file adds its
// own in init.
var registered checks.List

func register(c checks.Check) { registered.Add(c) }

// Checks returns the checks of this package.
func Checks() []checks.Check { return registered.Checks() }
