package scan

import (
	"context"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// OpenSSL CCS injection (CVE-2014-0224): after the server's flight, send a
// ChangeCipherSpec before any key exchange, then an application-data
// record. A patched server refuses the early CCS (unexpected_message); an
// unpatched OpenSSL accepts it, switches to keys derived from an empty master
// secret, and fails to decrypt the next record (bad_record_mac or
// decryption_failed). One connection.

func init() {
	registerProbe("ccs_injection", probeCCSInjection, inHandshakeProbes(func(p *obs.HandshakeProbes, r *obs.CCSInjectionResult) { p.CCSInjection = r }))
}

func probeCCSInjection(ctx context.Context, e *probeEnv) (res *obs.CCSInjectionResult) {
	res = &obs.CCSInjectionResult{}
	v, _, c, f := e.legacyFlight(ctx, &res.Attempt, "no protocol below TLS 1.3 is accepted (TLS 1.3 has no ChangeCipherSpec state change)",
		nil, wire.StopAfterServerHelloDone)
	if c != nil {
		defer c.Close()
	}
	if f == nil {
		return
	}
	res.Version = registry.Version(v).String()
	res.Suite = registry.SuiteName(f.ServerHello.CipherSuite)
	sv := f.ServerHello.Version
	early := wire.EncodeRecords(wire.RecordChangeCipherSpec, sv, []byte{1}, 0)
	// What a client would send encrypted next; 32 bytes fit any block or AEAD overhead.
	next := wire.EncodeRecords(wire.RecordApplicationData, sv, make([]byte, 32), 0)
	if _, err := c.Write(append(early, next...)); err != nil {
		res.Answer = noAnswer(nil, err)
		return
	}
	res.Answer, res.Alert = readAnswer(ctx, c, probeReadWait, 1<<16, func(wire.Record) bool { return false })
	if res.Answer == "timeout" || res.Alert == nil && res.Answer != "closed" {
		res.Status = obs.AttemptInconclusive
		res.Reason = "after the early ChangeCipherSpec the server answered: " + res.Answer
	}
	return
}
