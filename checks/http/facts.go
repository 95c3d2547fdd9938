package http

import (
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Facts are the HSTS and HPKP headers of the HTTP answer over TLS as typed
// values (the report's "http_headers"), for scripts that would otherwise
// parse the findings' prose. Derived by the same parsers the checks use.
type Facts struct {
	HSTS *HSTSFacts `json:"hsts"`
	// HPKP is the Public-Key-Pins header, HPKPReportOnly the report-only
	// one; nil when not sent.
	HPKP           *HPKPFacts `json:"hpkp,omitempty"`
	HPKPReportOnly *HPKPFacts `json:"hpkp_report_only,omitempty"`
}

// HSTSFacts is the Strict-Transport-Security policy a user agent would note.
type HSTSFacts struct {
	// Present: the header was sent (Count times; only the first counts).
	Present bool `json:"present"`
	Count   int  `json:"count"`
	// Valid: the first header conforms to RFC 6797 and a single header was
	// sent; Reason says why not.
	Valid             bool     `json:"valid"`
	Reason            string   `json:"reason,omitempty"`
	MaxAge            int64    `json:"max_age"`
	IncludeSubdomains bool     `json:"include_subdomains"`
	Preload           bool     `json:"preload"`
	Warnings          []string `json:"warnings,omitempty"`
	Raw               string   `json:"raw,omitempty"`
}

// HPKPFacts is one Public-Key-Pins header (RFC 7469; deprecated).
type HPKPFacts struct {
	Valid             bool   `json:"valid"`
	Reason            string `json:"reason,omitempty"`
	MaxAge            int64  `json:"max_age"`
	IncludeSubdomains bool   `json:"include_subdomains"`
	ReportURI         string `json:"report_uri,omitempty"`
	// Pins are the pin-sha256 values; MatchesChain says whether one of them
	// pins a key of a served chain, BackupPin whether one pins none (the
	// backup RFC 7469 requires).
	Pins         []string `json:"pins"`
	MatchesChain bool     `json:"matches_chain"`
	BackupPin    bool     `json:"backup_pin"`
	Raw          string   `json:"raw,omitempty"`
}

// FactsOf returns the typed HSTS/HPKP facts of o, nil when no HTTP answer
// over TLS completed.
func FactsOf(o *obs.Observation) *Facts {
	if o == nil || o.HTTP == nil || o.HTTP.Attempt.Status != obs.AttemptCompleted {
		return nil
	}
	h := o.HTTP
	f := &Facts{HSTS: &HSTSFacts{Count: len(h.StrictTransportSecurity)}}
	if p := EvaluateHSTS(h.StrictTransportSecurity); p.Count > 0 {
		s := f.HSTS
		s.Present, s.Raw = true, p.First.Raw
		s.Valid = p.First.Valid && p.Multiple == ""
		s.MaxAge, s.IncludeSubdomains, s.Preload = p.First.MaxAge, p.First.IncludeSubDomains, p.First.Preload
		reasons := p.First.Errors
		if p.Multiple != "" {
			reasons = append(append([]string(nil), reasons...), p.Multiple)
		}
		s.Reason = joinReasons(reasons)
		s.Warnings = p.First.Warnings
	}
	served := servedPins(o)
	hpkp := func(values []string, reportOnly bool) *HPKPFacts {
		if len(values) == 0 {
			return nil
		}
		p := ParseHPKP(values[0], reportOnly, served)
		pins := p.Pins
		if pins == nil {
			pins = []string{}
		}
		return &HPKPFacts{Valid: p.Valid, Reason: joinReasons(p.Errors), MaxAge: p.MaxAge,
			IncludeSubdomains: p.IncludeSubDomains, ReportURI: p.ReportURI, Pins: pins,
			MatchesChain: len(p.Matching) > 0, BackupPin: len(p.Backup) > 0, Raw: p.Raw}
	}
	f.HPKP = hpkp(h.PublicKeyPins, false)
	f.HPKPReportOnly = hpkp(h.PublicKeyPinsReportOnly, true)
	return f
}
