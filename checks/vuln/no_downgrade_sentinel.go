package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnNoDowngradeSentinel,
		Title: "TLS 1.3 downgrade sentinel missing",
		Description: "A TLS 1.3 server negotiating TLS 1.2 or below MUST end ServerHello.random with " +
			"DOWNGRD\\x01 (or DOWNGRD\\x00), so that TLS 1.3 clients detect a man in the middle forcing an older " +
			"version (RFC 8446 4.1.3). The probe asks a TLS 1.3 server for TLS 1.2.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 8446"}, {Kind: "cwe", ID: "CWE-757"}},
	}, probeCheck("downgrade sentinel", func(p *obs.HandshakeProbes) *obs.DowngradeSentinelResult { return p.DowngradeSentinel },
		func(r *obs.DowngradeSentinelResult) obs.Attempt { return r.Attempt }, judgeSentinel)).When(checks.ScanCompleted))
}

func judgeSentinel(_ *obs.Observation, r *obs.DowngradeSentinelResult) checks.Finding {
	if r.Sentinel == "" {
		return checks.Fail(r.Negotiated, "the server supports TLS 1.3 but negotiated "+r.Negotiated+
			" without the downgrade sentinel (random ends "+r.RandomTail+")")
	}
	return checks.Pass("negotiating " + r.Negotiated + ", the server random ends with the " + r.Sentinel + " sentinel")
}
