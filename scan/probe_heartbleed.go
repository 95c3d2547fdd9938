package scan

import (
	"context"
	"fmt"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Heartbleed (CVE-2014-0160): offer the heartbeat extension, and right after
// the server's first flight send a heartbeat request claiming 16384 bytes of
// payload while carrying none. A patched server drops it (RFC 6520 4: a
// message whose payload_length is too large MUST be discarded silently); a
// vulnerable OpenSSL copies 16384 bytes of its memory into the response.
// One connection.

func init() {
	registerProbe("heartbleed", probeHeartbleed, inHandshakeProbes(func(p *obs.HandshakeProbes, r *obs.HeartbleedResult) { p.Heartbleed = r }))
}

// heartbleedClaim is the payload_length the probe claims.
const heartbleedClaim = 0x4000

func probeHeartbleed(ctx context.Context, e *probeEnv) (res *obs.HeartbleedResult) {
	res = &obs.HeartbleedResult{}
	if v, _, ok := e.bestLegacy(); ok && v == registry.VersionSSL3 {
		res.Attempt = attemptFor(obs.AttemptNotApplicable, "only SSLv3 is accepted, which has no extensions (heartbeat is a TLS extension)")
		return
	}
	v, _, c, f := e.legacyFlight(ctx, &res.Attempt, "no protocol below TLS 1.3 is accepted (TLS 1.3 has no heartbeat)",
		func(ch *wire.ClientHello) { ch.Heartbeat = 1 }, // peer_allowed_to_send
		wire.StopAfterServerHelloDone)
	if c != nil {
		defer c.Close()
	}
	if f == nil {
		return
	}
	res.Version = registry.Version(v).String()
	sh := f.ServerHello
	res.Extension, res.Mode = sh.Heartbeat != 0, sh.Heartbeat
	if !res.Extension {
		return // nothing to send: the server does not speak heartbeat
	}
	req := wire.MarshalHeartbeat(wire.HeartbeatRequest, heartbleedClaim, nil, nil)
	if _, err := c.Write(wire.EncodeRecords(wire.RecordHeartbeat, sh.Version, req, 0)); err != nil {
		res.Answer = noAnswer(nil, err)
		return
	}
	res.Sent, res.ClaimedLength = true, heartbleedClaim
	var got []byte
	answer, _ := readAnswer(ctx, c, probeReadWait, 4*heartbleedClaim, func(rec wire.Record) bool {
		if rec.Type != wire.RecordHeartbeat {
			return false
		}
		got = append(got, rec.Payload...)
		// A complete message: header, its payload and 16 bytes of padding.
		return len(got) >= 3 && len(got) >= 3+(int(got[1])<<8|int(got[2]))+16
	})
	res.Answer = answer
	if len(got) == 0 {
		return
	}
	res.Replied, res.ReplyBytes = true, len(got)
	hb, _ := wire.ParseHeartbeat(got)
	switch {
	case hb == nil:
		res.Status, res.Reason = obs.AttemptInconclusive, fmt.Sprintf("the server sent %d heartbeat bytes that do not decode", len(got))
	case hb.Type != wire.HeartbeatResponse:
		// A server's own heartbeat request is no answer to ours.
		res.Status, res.Reason = obs.AttemptInconclusive, fmt.Sprintf("the server sent a heartbeat message of type %d, not a response", hb.Type)
	default:
		res.ReplyLength = hb.Length
		res.Evidence = evidenceHex(hb.Payload[min(len(hb.Payload), res.PayloadSent):])
	}
	return
}
