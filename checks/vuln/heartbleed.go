package vuln

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnHeartbleed,
		Title: "Heartbleed (OpenSSL heartbeat over-read)",
		Description: "An unpatched OpenSSL 1.0.1-1.0.1f answers a heartbeat request with as many bytes as the " +
			"request claims, copying up to 64 KiB of its memory (private keys, session data) per request. The " +
			"probe claims 16384 bytes and sends none; a patched server discards such a request (RFC 6520 4).",
		Severity: checks.SeverityCritical,
		Refs: []checks.Ref{{Kind: "cve", ID: "CVE-2014-0160"}, {Kind: "rfc", ID: "RFC 6520"},
			{Kind: "url", ID: "https://heartbleed.com/"}},
	}, probeCheck("heartbleed", func(p *obs.HandshakeProbes) *obs.HeartbleedResult { return p.Heartbleed },
		func(r *obs.HeartbleedResult) obs.Attempt { return r.Attempt }, judgeHeartbleed)).When(checks.ScanCompleted))
}

func judgeHeartbleed(_ *obs.Observation, r *obs.HeartbleedResult) checks.Finding {
	switch {
	case !r.Extension:
		return checks.Pass("the server does not negotiate the heartbeat extension (" + r.Version + ")")
	case !r.Sent:
		return checks.Inconclusive("the heartbeat request could not be sent: " + r.Answer)
	case r.Replied && r.ReplyLength > r.PayloadSent:
		d := fmt.Sprintf("the server answered a heartbeat claiming %d bytes (carrying %d) with a %d-byte response "+
			"(%d heartbeat bytes received)", r.ClaimedLength, r.PayloadSent, r.ReplyLength, r.ReplyBytes)
		if r.Evidence != "" {
			d += "; leaked memory starts " + r.Evidence
		}
		return checks.Fail(r.Version, d)
	case r.Replied:
		return checks.Pass(fmt.Sprintf("the server echoed only the %d payload bytes sent", r.ReplyLength))
	}
	return checks.Pass(fmt.Sprintf("the server negotiates heartbeat but discarded a request claiming %d bytes "+
		"(answer: %s)", r.ClaimedLength, r.Answer))
}
