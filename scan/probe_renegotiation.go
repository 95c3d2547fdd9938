package scan

import (
	"context"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// Client-initiated renegotiation (a DoS lever: each renegotiation costs the
// server a private-key operation): after a handshake, send new ClientHellos
// inside the protected channel (RFC 5746 renegotiation_info) and count the
// renegotiations the server completes, as testssl does.

const renegotiationAttempts = 3

func init() {
	registerProbe("client_renegotiation", probeRenegotiation, inSessionProbes(func(p *obs.SessionProbes, r *obs.RenegotiationResult) { p.Renegotiation = r }))
}

func probeRenegotiation(ctx context.Context, e *probeEnv) (res *obs.RenegotiationResult) {
	res = &obs.RenegotiationResult{}
	choices := e.client12Choices(nil)
	if len(choices) == 0 {
		if e.acceptedAny(func(registry.Suite) bool { return true }) {
			res.Attempt = obs.Attempt{Status: obs.AttemptInconclusive, Reason: "TLS 1.0-1.2 is accepted, but with no suite the probe can protect records with (AES-CBC/GCM with RSA or ECDHE)"}
			return
		}
		res.Attempt = obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "no TLS 1.0-1.2 support (TLS 1.3 has no renegotiation)"}
		return
	}
	c := choices[0]
	res.Protocol, res.Suite = registry.Version(c.version).String(), registry.SuiteName(c.suite)
	s, err := e.dial12(ctx, c, true)
	res.Connections = 1
	if err != nil {
		res.Attempt = attemptError(err)
		return
	}
	defer s.close()
	res.Status = obs.AttemptCompleted
	for i := 0; i < renegotiationAttempts; i++ {
		res.Attempted++
		waitAtMost(s.conn, robotWait)
		if err := s.Renegotiate(e.hello12(c)); err != nil {
			res.Refusal = response(err)
			return
		}
		res.Completed++
	}
	return
}
