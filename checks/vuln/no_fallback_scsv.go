package vuln

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnNoFallbackSCSV,
		Title: "TLS_FALLBACK_SCSV not supported",
		Description: "Clients that retry with a lower version after a failure can be forced down by a man in the " +
			"middle (the POODLE downgrade). A server supporting RFC 7507 refuses a hello carrying " +
			"TLS_FALLBACK_SCSV below its highest version with inappropriate_fallback. SSL Labs required it for " +
			"A+ until 2009r.",
		Severity: checks.SeverityLow,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 7507"}, {Kind: "cve", ID: "CVE-2014-3566"}},
	}, probeCheck("fallback SCSV", func(p *obs.HandshakeProbes) *obs.FallbackSCSVResult { return p.FallbackSCSV },
		func(r *obs.FallbackSCSVResult) obs.Attempt { return r.Attempt }, judgeFallback)).When(checks.ScanCompleted))
}

func judgeFallback(_ *obs.Observation, r *obs.FallbackSCSVResult) checks.Finding {
	what := "a " + r.Offered + " hello with TLS_FALLBACK_SCSV (highest version " + r.Highest + ")"
	switch {
	case r.Answer == "alert:inappropriate_fallback":
		return checks.Pass(what + " was refused with inappropriate_fallback")
	case strings.HasPrefix(r.Answer, "server_hello:"):
		return checks.Fail(r.Offered, what+" was accepted ("+strings.TrimPrefix(r.Answer, "server_hello:")+")")
	}
	// sslyze counts any refusal as support; say what was seen instead.
	return checks.Inconclusive(what + " was refused, but not with inappropriate_fallback: " + r.Answer)
}
