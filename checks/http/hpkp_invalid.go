package http

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDHTTPHPKPInvalid,
		Title: "Invalid HPKP header",
		Description: "A Public-Key-Pins header must conform to RFC 7469: pin-sha256 values are base64 SHA-256 " +
			"hashes of a SubjectPublicKeyInfo, max-age is required, at least one pin must match the served chain " +
			"and one backup pin must not. HPKP is deprecated; sending it gains nothing today.",
		Severity: checks.SeverityLow,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 7469"}},
	}, hpkpInvalid).When(probed))
}

func hpkpInvalid(o *obs.Observation, _ checks.Env) []checks.Finding {
	h, stop := response(o)
	if stop != nil {
		return stop
	}
	served := servedPins(o)
	ro := ""
	if len(h.PublicKeyPinsReportOnly) > 0 {
		r := ParseHPKP(h.PublicKeyPinsReportOnly[0], true, served)
		ro = "; Public-Key-Pins-Report-Only " + hpkpVerdict(r)
	}
	if len(h.PublicKeyPins) == 0 {
		return checks.One(checks.NotApplicable("no Public-Key-Pins header" + ro))
	}
	p := ParseHPKP(h.PublicKeyPins[0], false, served)
	var extra []string
	if len(h.PublicKeyPins) > 1 {
		extra = append(extra, fmt.Sprintf("%d Public-Key-Pins headers: only the first is processed", len(h.PublicKeyPins)))
	}
	if !p.Valid {
		return checks.One(checks.Fail("Public-Key-Pins", "Public-Key-Pins "+quote(p.Raw)+" is invalid: "+
			joinReasons(append(p.Errors, extra...))+ro+"; "+hpkpDeprecationNote))
	}
	return checks.One(checks.Pass("Public-Key-Pins " + hpkpVerdict(p) + ro + "; " + hpkpDeprecationNote))
}

// hpkpVerdict describes a parsed HPKP header in one phrase.
func hpkpVerdict(p HPKP) string {
	if !p.Valid {
		return "is invalid: " + joinReasons(p.Errors)
	}
	s := fmt.Sprintf("is valid: %d pin(s), %d matching the served chain, %d backup", len(p.Pins), len(p.Matching), len(p.Backup))
	if p.HasMaxAge {
		s += fmt.Sprintf(", max-age=%d", p.MaxAge)
	}
	if p.IncludeSubDomains {
		s += ", includeSubDomains"
	}
	if p.ReportURI != "" {
		s += ", report-uri " + p.ReportURI
	}
	return s
}
