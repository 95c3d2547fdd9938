package scan

import (
	"context"
	"slices"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// TLS_FALLBACK_SCSV (RFC 7507): offer a version below the server's highest
// with the 0x5600 signalling suite. A server supporting it answers
// inappropriate_fallback; one that does not completes the hello. Needs two
// accepted versions. One connection.

func init() {
	registerProbe("fallback_scsv", probeFallbackSCSV, inHandshakeProbes(func(p *obs.HandshakeProbes, r *obs.FallbackSCSVResult) { p.FallbackSCSV = r }))
}

// fallbackSCSV is TLS_FALLBACK_SCSV (RFC 7507 6).
const fallbackSCSV = 0x5600

func probeFallbackSCSV(ctx context.Context, e *probeEnv) (res *obs.FallbackSCSVResult) {
	res = &obs.FallbackSCSVResult{}
	high, ok := e.highestSupported()
	if !ok {
		res.Attempt = attemptFor(obs.AttemptNotApplicable, "no protocol of SSLv3 to TLS 1.3 is accepted")
		return
	}
	// The version to fall back to: the highest accepted one below high.
	var low uint16
	var suites []uint16
	for _, v := range legacyVersions {
		if p := e.supported(v); v < high && p.Supported {
			low, suites = v, protoSuiteIDs(p)
			break
		}
	}
	res.Highest = registry.Version(high).String()
	if low == 0 {
		res.Attempt = attemptFor(obs.AttemptNotApplicable, "only %s is accepted: there is no lower version to fall back to", res.Highest)
		return
	}
	res.Offered = registry.Version(low).String()
	ch := e.ep.helloTLS(low, slices.Concat(suites, []uint16{fallbackSCSV}))
	f, err := e.ep.exchange(ctx, ch, nil, wire.StopAfterServerHello)
	res.Connections = 1
	switch {
	case err == nil && f.ServerHello != nil:
		res.Answer = "server_hello:" + registry.Version(f.ServerHello.NegotiatedVersion()).String()
	case fatalOrDial(err):
		res.Attempt = attemptFor(obs.AttemptError, "%v", err)
		return
	default:
		res.Answer = noAnswer(f, err)
	}
	res.Status = obs.AttemptCompleted
	if res.Answer == "timeout" || strings.HasPrefix(res.Answer, "error:") {
		res.Status = obs.AttemptInconclusive
		res.Reason = "the fallback hello got no interpretable answer: " + res.Answer
	}
	return
}
