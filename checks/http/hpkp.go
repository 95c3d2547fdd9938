package http

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// HPKP is one Public-Key-Pins (or -Report-Only) header value parsed per
// RFC 7469 section 2.1, and judged against the served chains (section 2.5
// and 4.3: a pin must match the chain, and a backup pin must not).
type HPKP struct {
	Raw        string
	ReportOnly bool
	// Valid: a UA would note the pins. Errors say why not.
	Valid    bool
	Errors   []string
	Warnings []string

	MaxAge            int64
	HasMaxAge         bool
	IncludeSubDomains bool
	ReportURI         string
	// Pins are the pin-sha256 values (base64 of 32 bytes), in order.
	Pins []string
	// Matching are the pins that match an SPKI of a served chain; Backup
	// the well-formed pins that match none.
	Matching, Backup []string
	// Unknown lists unknown directives and pin-<algorithm> other than sha256
	// (both ignored by UAs).
	Unknown []string
}

// SPKIPins returns the HPKP pin values (base64 SHA-256 of the
// SubjectPublicKeyInfo) of the certificates, keyed by pin.
func SPKIPins(spkis [][]byte) map[string]bool {
	out := map[string]bool{}
	for _, spki := range spkis {
		sum := sha256.Sum256(spki)
		out[base64.StdEncoding.EncodeToString(sum[:])] = true
	}
	return out
}

// ParseHPKP parses a Public-Key-Pins value (reportOnly: a
// Public-Key-Pins-Report-Only value) and matches its pins against served,
// the pins of the served chains' SPKIs (see SPKIPins).
//
// Rules: directive names are case-insensitive; each directive appears
// once, except pin- directives; a pin value is a quoted-string holding the
// base64 of a 32-byte SHA-256 (section 2.1.1); max-age is required in
// Public-Key-Pins and ignored in -Report-Only (2.1.2); includeSubDomains has
// no value (2.1.3); report-uri is a quoted URI (2.1.4); at least one pin must
// match the chain and one backup pin must not (2.5, 4.3).
func ParseHPKP(value string, reportOnly bool, served map[string]bool) HPKP {
	h := HPKP{Raw: value, ReportOnly: reportOnly}
	ds, err := parseDirectives(value, false)
	if err != nil {
		h.Errors = append(h.Errors, "syntax error "+err.Error())
	}
	seen := map[string]bool{}
	pinSeen := map[string]bool{}
	for _, d := range ds {
		name := d.lower()
		if !strings.HasPrefix(name, "pin-") {
			if seen[name] {
				h.Errors = append(h.Errors, fmt.Sprintf("directive %s appears more than once", d.Name))
				continue
			}
			seen[name] = true
		}
		switch {
		case name == "max-age":
			secs, clamped, ok := deltaSeconds(d.Value)
			if !d.HasValue || !ok {
				h.Errors = append(h.Errors, fmt.Sprintf("max-age value %q is not a number of seconds (1*DIGIT)", d.Value))
				continue
			}
			if clamped {
				h.Warnings = append(h.Warnings, fmt.Sprintf("max-age %s overflows and is treated as %d", d.Value, secs))
			}
			h.MaxAge, h.HasMaxAge = secs, true
		case name == "includesubdomains":
			if d.HasValue {
				h.Errors = append(h.Errors, fmt.Sprintf("includeSubDomains must not have a value (got %q)", d.Value))
				continue
			}
			h.IncludeSubDomains = true
		case name == "report-uri":
			if !d.Quoted {
				h.Errors = append(h.Errors, "report-uri must be a quoted-string")
				continue
			}
			h.ReportURI = d.Value
		case name == "pin-sha256":
			if !d.Quoted {
				h.Errors = append(h.Errors, fmt.Sprintf("pin-sha256 value %q must be a quoted-string", d.Value))
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(d.Value)
			if err != nil || len(raw) != sha256.Size {
				h.Errors = append(h.Errors, fmt.Sprintf("pin-sha256 %q is not the base64 of a 32-byte SHA-256", d.Value))
				continue
			}
			if pinSeen[d.Value] {
				h.Warnings = append(h.Warnings, fmt.Sprintf("pin-sha256 %q is repeated", d.Value))
				continue
			}
			pinSeen[d.Value] = true
			h.Pins = append(h.Pins, d.Value)
			if served[d.Value] {
				h.Matching = append(h.Matching, d.Value)
			} else {
				h.Backup = append(h.Backup, d.Value)
			}
		default:
			h.Unknown = append(h.Unknown, d.Name)
		}
	}
	if len(h.Unknown) > 0 {
		h.Warnings = append(h.Warnings, "unknown directive(s) ignored: "+strings.Join(h.Unknown, ", "))
	}
	if !h.HasMaxAge && !seen["max-age"] && !reportOnly {
		h.Errors = append(h.Errors, "max-age is missing (it is required)")
	}
	switch {
	case len(h.Pins) == 0:
		h.Errors = append(h.Errors, "no pin-sha256 directive")
	case len(h.Pins) < 2:
		h.Errors = append(h.Errors, "only one pin: at least two are needed (one for the chain, one backup; RFC 7469 section 4.3)")
	case len(h.Matching) == 0:
		h.Errors = append(h.Errors, "no pin matches a public key of the served chain (RFC 7469 section 2.5)")
	case len(h.Backup) == 0:
		h.Errors = append(h.Errors, "no backup pin: every pin matches the served chain (RFC 7469 section 4.3)")
	}
	h.Valid = len(h.Errors) == 0
	return h
}
