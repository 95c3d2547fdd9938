package http

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDHTTPSecurityHeaders,
		Title: "Security headers",
		Description: "Lists the security headers of the response (Content-Security-Policy, X-Frame-Options, " +
			"X-Content-Type-Options, Referrer-Policy, Permissions-Policy, Expect-CT, cookie flags). Fails, for " +
			"information, when nosniff, frame protection or a Content-Security-Policy is missing, or a cookie lacks Secure.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "url", ID: "https://owasp.org/www-project-secure-headers/"}},
	}, securityHeaders).When(probed))
}

func securityHeaders(o *obs.Observation, _ checks.Env) []checks.Finding {
	h, stop := response(o)
	if stop != nil {
		return stop
	}
	var present, missing []string
	for _, hv := range []struct {
		name   string
		values []string
	}{
		{"Content-Security-Policy", h.ContentSecurityPolicy},
		{"Content-Security-Policy-Report-Only", h.ContentSecurityPolicyRO},
		{"X-Frame-Options", h.XFrameOptions},
		{"X-Content-Type-Options", h.XContentTypeOptions},
		{"Referrer-Policy", h.ReferrerPolicy},
		{"Permissions-Policy", h.PermissionsPolicy},
		{"Cross-Origin-Opener-Policy", h.CrossOriginOpenerPolicy},
		{"Cross-Origin-Embedder-Policy", h.CrossOriginEmbedderPolicy},
		{"Expect-CT", h.ExpectCT},
	} {
		if len(hv.values) > 0 {
			present = append(present, hv.name+": "+strings.Join(hv.values, " | "))
		}
	}
	if !hasValue(h.XContentTypeOptions, "nosniff") {
		missing = append(missing, "X-Content-Type-Options: nosniff")
	}
	if len(h.XFrameOptions) == 0 && !containsFold(h.ContentSecurityPolicy, "frame-ancestors") {
		missing = append(missing, "frame protection (X-Frame-Options or CSP frame-ancestors)")
	}
	if len(h.ContentSecurityPolicy) == 0 {
		missing = append(missing, "Content-Security-Policy")
	}
	for _, c := range h.Cookies {
		var flags []string
		if !c.Secure {
			flags = append(flags, "Secure")
		}
		if !c.HTTPOnly {
			flags = append(flags, "HttpOnly")
		}
		if c.SameSite == "" {
			flags = append(flags, "SameSite")
		}
		if len(flags) > 0 {
			missing = append(missing, fmt.Sprintf("cookie %s without %s", c.Name, strings.Join(flags, ", ")))
		}
	}
	d := "present: none"
	if len(present) > 0 {
		d = "present: " + strings.Join(present, "; ")
	}
	if len(missing) > 0 {
		return checks.One(checks.Fail("", "missing: "+strings.Join(missing, "; ")+"; "+d))
	}
	return checks.One(checks.Pass(d))
}

func hasValue(values []string, want string) bool {
	for _, v := range values {
		if strings.EqualFold(strings.TrimSpace(v), want) {
			return true
		}
	}
	return false
}

func containsFold(values []string, sub string) bool {
	for _, v := range values {
		if strings.Contains(strings.ToLower(v), sub) {
			return true
		}
	}
	return false
}
