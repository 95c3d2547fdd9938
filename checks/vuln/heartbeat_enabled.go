package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnHeartbeatEnabled,
		Title: "TLS heartbeat extension enabled",
		Description: "The heartbeat extension (RFC 6520) is rarely needed over TCP and was the attack surface of " +
			"Heartbleed; most stacks have dropped it. Informational when the server is not vulnerable.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 6520"}, {Kind: "cve", ID: "CVE-2014-0160"}},
	}, probeCheck("heartbeat", func(p *obs.HandshakeProbes) *obs.HeartbleedResult { return p.Heartbleed },
		func(r *obs.HeartbleedResult) obs.Attempt { return r.Attempt }, judgeHeartbeat)).When(checks.ScanCompleted))
}

func judgeHeartbeat(_ *obs.Observation, r *obs.HeartbleedResult) checks.Finding {
	if r.Extension {
		mode := "peer_allowed_to_send"
		if r.Mode == 2 {
			mode = "peer_not_allowed_to_send"
		}
		return checks.Fail(r.Version, "the server echoes the heartbeat extension ("+mode+")")
	}
	return checks.Pass("the server does not echo the heartbeat extension")
}
