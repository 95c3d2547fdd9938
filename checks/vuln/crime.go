package vuln

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnCRIME,
		Title: "TLS compression enabled (CRIME)",
		Description: "With TLS-level compression the size of encrypted records reveals whether attacker-chosen " +
			"text matches secrets in the same stream (cookies), which CRIME exploits. The probe offers DEFLATE " +
			"and LZS; the server should choose null. TLS 1.3 removed compression. SSL Labs caps the grade at C.",
		Severity: checks.SeverityHigh,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2012-4929"}, {Kind: "rfc", ID: "RFC 7457"}},
	}, probeCheck("compression", func(p *obs.HandshakeProbes) *obs.CompressionResult { return p.Compression },
		func(r *obs.CompressionResult) obs.Attempt { return r.Attempt }, judgeCompression)).When(checks.ScanCompleted))
}

func judgeCompression(_ *obs.Observation, r *obs.CompressionResult) checks.Finding {
	if r.Method != 0 {
		name := map[uint8]string{1: "DEFLATE", 64: "LZS"}[r.Method]
		return checks.Fail(r.Version, fmt.Sprintf("the server chose compression method %d (%s) with %s", r.Method, name, r.Version))
	}
	return checks.Pass("the server chose no compression although DEFLATE and LZS were offered (" + r.Version + ")")
}
