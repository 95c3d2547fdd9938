package scan

import (
	"context"
	"encoding/hex"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// TLS 1.3 downgrade protection (RFC 8446 4.1.3): a TLS 1.3 server that
// negotiates TLS 1.2 MUST end ServerHello.random with "DOWNGRD\x01". Ask a
// TLS 1.3 server for TLS 1.2 and record the last 8 bytes of the random.
// One connection.

func init() {
	registerProbe("downgrade_sentinel", probeDowngradeSentinel, inHandshakeProbes(func(p *obs.HandshakeProbes, r *obs.DowngradeSentinelResult) { p.DowngradeSentinel = r }))
}

func probeDowngradeSentinel(ctx context.Context, e *probeEnv) (res *obs.DowngradeSentinelResult) {
	res = &obs.DowngradeSentinelResult{}
	if !e.accepts(registry.VersionTLS13) {
		res.Attempt = attemptFor(obs.AttemptNotApplicable, "TLS 1.3 is not accepted")
		return
	}
	v, _, sh := e.plainLegacyHello(ctx, &res.Attempt, "only TLS 1.3 is accepted: no downgrade to observe")
	if sh == nil {
		return
	}
	res.Negotiated = registry.Version(sh.NegotiatedVersion()).String()
	res.RandomTail = hex.EncodeToString(sh.Random[24:])
	res.Sentinel = sh.Downgrade
	if sh.NegotiatedVersion() >= registry.VersionTLS13 {
		res.Status = obs.AttemptInconclusive
		res.Reason = "the server answered a " + registry.Version(v).String() + " hello with " + res.Negotiated
	}
	return
}
