package http

import (
	"fmt"
	"strings"
)

// HSTS thresholds.
const (
	// HSTSMinAPlus is the SSL Labs A+ minimum max-age: 180 days.
	HSTSMinAPlus = 15552000
	// HSTSMinPreload is the hstspreload.org minimum max-age: 1 year.
	HSTSMinPreload = 31536000
)

// HSTS is one Strict-Transport-Security header value parsed strictly per
// RFC 6797 section 6.1.
type HSTS struct {
	Raw string
	// Valid: the header conforms; a user agent would note the policy.
	// When false, Errors says why (a UA must ignore the whole header).
	Valid  bool
	Errors []string
	// Warnings are problems that do not invalidate the header.
	Warnings []string

	MaxAge            int64 // seconds (clamped when it overflows)
	IncludeSubDomains bool
	// Preload: a valueless preload directive (hstspreload.org convention;
	// not part of RFC 6797).
	Preload bool
	// Unknown lists the directive names RFC 6797 does not define (ignored
	// by UAs, rule 5 of section 6.1).
	Unknown []string
}

// ParseHSTS parses one Strict-Transport-Security value:
//
//   - directive names are case-insensitive, values a token or quoted-string;
//   - every directive may appear only once (rule 2), max-age is required and
//     is delta-seconds, optionally quoted (section 6.1.1);
//   - includeSubDomains takes no value (section 6.1.2);
//   - unknown directives are ignored, and listed in Unknown.
//
// Any syntax error makes the whole header invalid (rule 4).
func ParseHSTS(value string) HSTS {
	h := HSTS{Raw: value}
	ds, err := parseDirectives(value, true)
	if err != nil {
		h.Errors = append(h.Errors, "syntax error "+err.Error())
	}
	seen := map[string]bool{}
	maxAge := false
	for _, d := range ds {
		name := d.lower()
		if seen[name] {
			h.Errors = append(h.Errors, fmt.Sprintf("directive %s appears more than once (RFC 6797 section 6.1 rule 2)", d.Name))
			continue
		}
		seen[name] = true
		switch name {
		case "max-age":
			if !d.HasValue {
				h.Errors = append(h.Errors, "max-age has no value")
				continue
			}
			secs, clamped, ok := deltaSeconds(d.Value)
			if !ok {
				h.Errors = append(h.Errors, fmt.Sprintf("max-age value %q is not a number of seconds (1*DIGIT)", d.Value))
				continue
			}
			if clamped {
				h.Warnings = append(h.Warnings, fmt.Sprintf("max-age %s overflows and is treated as %d", d.Value, secs))
			}
			h.MaxAge, maxAge = secs, true
		case "includesubdomains":
			if d.HasValue {
				h.Errors = append(h.Errors, fmt.Sprintf("includeSubDomains must not have a value (got %q)", d.Value))
				continue
			}
			h.IncludeSubDomains = true
		case "preload":
			// Not an RFC 6797 directive: a value does not invalidate the
			// header for UAs, but hstspreload.org wants a bare "preload".
			if d.HasValue {
				h.Warnings = append(h.Warnings, fmt.Sprintf("preload must not have a value (got %q): not counted as preload", d.Value))
				continue
			}
			h.Preload = true
		default:
			h.Unknown = append(h.Unknown, d.Name)
		}
	}
	if !maxAge && !seen["max-age"] {
		h.Errors = append(h.Errors, "max-age is missing (it is required)")
	}
	if len(h.Unknown) > 0 {
		h.Warnings = append(h.Warnings, "unknown directive(s) ignored: "+strings.Join(h.Unknown, ", "))
	}
	if maxAge && h.MaxAge == 0 && len(h.Errors) == 0 {
		h.Warnings = append(h.Warnings, "max-age=0 tells browsers to forget the HSTS policy")
	}
	h.Valid = len(h.Errors) == 0
	return h
}

// HSTSPolicy is what the Strict-Transport-Security header lines of one
// response amount to.
type HSTSPolicy struct {
	// Count of header lines received.
	Count int
	// First is the first header, the only one RFC 6797 section 8.1 lets a UA
	// process.
	First HSTS
	// Multiple explains why several headers are a problem ("" for one).
	Multiple string
}

// EvaluateHSTS parses the Strict-Transport-Security lines of one response.
// With no line, Count is 0 and First is zero.
func EvaluateHSTS(values []string) HSTSPolicy {
	p := HSTSPolicy{Count: len(values)}
	if len(values) == 0 {
		return p
	}
	p.First = ParseHSTS(values[0])
	if len(values) > 1 {
		p.Multiple = fmt.Sprintf("%d Strict-Transport-Security headers: RFC 6797 section 8.1 lets a UA process only the first, "+
			"but browsers that join repeated headers with a comma (Chromium) reject the policy; send exactly one", len(values))
	}
	return p
}

// Summary describes a parsed HSTS value in one phrase.
func (h HSTS) Summary() string {
	s := fmt.Sprintf("max-age=%d (%s)", h.MaxAge, days(h.MaxAge))
	if h.IncludeSubDomains {
		s += ", includeSubDomains"
	}
	if h.Preload {
		s += ", preload"
	}
	return s
}

// days renders seconds as whole days.
func days(secs int64) string {
	d := secs / 86400
	if d == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", d)
}
