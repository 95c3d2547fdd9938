package scan

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Helpers shared by the partial-handshake probes (probe_*.go).

// maxEvidence caps the evidence bytes a probe keeps.
const maxEvidence = 64

// probeReadWait bounds how long a probe waits for the server's reaction to
// a crafted record: silence is an answer for these probes, so this is short.
const probeReadWait = 3 * time.Second

// legacyVersions are the pre-TLS 1.3 versions, newest first.
var legacyVersions = []uint16{registry.VersionTLS12, registry.VersionTLS11, registry.VersionTLS10, registry.VersionSSL3}

// bestLegacy returns the highest accepted version below TLS 1.3 and the
// suites discovery saw accepted with it (in the server's order when known).
func (e *probeEnv) bestLegacy() (uint16, []uint16, bool) {
	for _, v := range legacyVersions {
		if p := e.supported(v); p.Supported {
			return v, protoSuiteIDs(p), true
		}
	}
	return 0, nil, false
}

// highestSupported returns the highest accepted version of SSLv3..TLS 1.3.
func (e *probeEnv) highestSupported() (uint16, bool) {
	if e.accepts(registry.VersionTLS13) {
		return registry.VersionTLS13, true
	}
	v, _, ok := e.bestLegacy()
	return v, ok
}

func protoSuiteIDs(p obs.Protocol) []uint16 {
	ids := make([]uint16, 0, len(p.Suites))
	for _, s := range p.Suites {
		ids = append(ids, s.ID)
	}
	return ids
}

// noAnswer describes why a hello or record got no usable answer:
// "alert:<name>", "closed", "timeout" or "error:<message>".
func noAnswer(f *wire.Flight, err error) string {
	if err == nil && f != nil && f.Alert != nil {
		return "alert:" + f.Alert.Name()
	}
	var ae *wire.AlertError
	switch {
	case err == nil:
		return "no answer"
	case errors.As(err, &ae):
		return "alert:" + ae.Name()
	case isTimeout(err):
		return "timeout"
	case isClosed(err):
		return "closed"
	}
	return "error:" + err.Error()
}

// fatalOrDial reports errors that mean the probe could not run at all (dial
// failure, cancelled audit), as opposed to the server's answer.
func fatalOrDial(err error) bool {
	return err != nil && isDialOrCtx(err)
}

// readAnswer reads records after a probe's crafted record until one of
// interest, an alert, EOF, the wait (or the audit's deadline) or the size cap. keep is called with
// every non-alert record and returns true to stop. It returns the answer
// string ("alert:<name>", "closed", "timeout", "" when keep stopped) and the
// alert description when one came.
func readAnswer(ctx context.Context, c net.Conn, wait time.Duration, maxBytes int, keep func(rec wire.Record) bool) (string, *uint8) {
	deadline := time.Now().Add(wait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.SetReadDeadline(deadline)
	r := wire.NewReader(c)
	r.MaxTotal = maxBytes
	for {
		rec, err := r.ReadRecord()
		if err != nil {
			if errors.Is(err, wire.ErrLimit) {
				return "error:" + err.Error(), nil
			}
			return noAnswer(nil, err), nil
		}
		if rec.Type == wire.RecordAlert {
			al, err := wire.ParseAlert(rec.Payload)
			if err != nil {
				return "error:" + err.Error(), nil
			}
			d := al.Description
			return "alert:" + al.Name(), &d
		}
		if keep(rec) {
			return "", nil
		}
	}
}

// evidenceHex returns at most maxEvidence bytes of b in hex.
func evidenceHex(b []byte) string {
	return hex.EncodeToString(b[:min(len(b), maxEvidence)])
}

// attemptFor builds the Attempt of a probe that could not run: an error
// (dial, timeout before any answer) or a reason.
func attemptFor(status, format string, args ...any) obs.Attempt {
	return obs.Attempt{Status: status, Reason: fmt.Sprintf(format, args...)}
}

// legacyFlight opens a connection and sends the plain hello of the best
// accepted version below TLS 1.3 (after mod, when not nil), then reads the
// server's flight up to stop, leaving the connection open for the probe to
// go on: the caller closes c when it is not nil. When there is no such
// version or no ServerHello came, it fills at (not applicable with
// notApplicable as the reason, or the failure) and returns a nil Flight.
func (e *probeEnv) legacyFlight(ctx context.Context, at *obs.Attempt, notApplicable string, mod func(ch *wire.ClientHello), stop wire.Stage) (uint16, []uint16, net.Conn, *wire.Flight) {
	return e.legacyFlightThen(ctx, at, notApplicable, mod, stop, false)
}

// legacyFlightThen is legacyFlight; helloOnly follows the hello with a
// close_notify (see countingConn), for a probe that reads no further.
func (e *probeEnv) legacyFlightThen(ctx context.Context, at *obs.Attempt, notApplicable string, mod func(ch *wire.ClientHello), stop wire.Stage, helloOnly bool) (uint16, []uint16, net.Conn, *wire.Flight) {
	v, suites, ok := e.bestLegacy()
	if !ok {
		*at = obs.Attempt{Status: obs.AttemptNotApplicable, Reason: notApplicable}
		return 0, nil, nil, nil
	}
	ch := e.ep.helloTLS(v, suites)
	if mod != nil {
		mod(ch)
	}
	c, err := e.ep.dial(ctx)
	if err != nil {
		*at = handshakeFailed(err, nil, 1)
		return v, suites, nil, nil
	}
	f, err := wire.Exchange(&countingConn{Conn: c, closeAfterHello: helloOnly && e.ep.helloOnly}, ch, nil, stop)
	if err != nil || f == nil || f.ServerHello == nil || (stop >= wire.StopAfterServerHelloDone && !f.ServerHelloDone) {
		*at = handshakeFailed(err, f, 1)
		return v, suites, c, nil
	}
	*at = obs.Attempt{Status: obs.AttemptCompleted, Connections: 1}
	return v, suites, c, f
}

// legacyHello is legacyFlight reading to the ServerHello only, on a
// connection it closes.
func (e *probeEnv) legacyHello(ctx context.Context, at *obs.Attempt, notApplicable string, mod func(ch *wire.ClientHello)) (uint16, []uint16, *wire.ServerHello) {
	v, suites, c, f := e.legacyFlightThen(ctx, at, notApplicable, mod, wire.StopAfterServerHello, true)
	if c != nil {
		c.Close()
	}
	if f == nil {
		return v, suites, nil
	}
	return v, suites, f.ServerHello
}

// plainLegacyHello is legacyHello without modification: discovery's answer
// to the same hello when it kept one (plainHello; at says it was derived),
// else a connection's.
func (e *probeEnv) plainLegacyHello(ctx context.Context, at *obs.Attempt, notApplicable string) (uint16, []uint16, *wire.ServerHello) {
	if v, suites, ok := e.bestLegacy(); ok {
		if sh := e.plainHello(v); sh != nil {
			*at = obs.Attempt{Status: obs.AttemptCompleted, DerivedFrom: derivedFromDiscovery}
			return v, suites, sh
		}
	}
	return e.legacyHello(ctx, at, notApplicable, nil)
}

// derivedFromDiscovery marks results taken from discovery's answers.
const derivedFromDiscovery = "discovery"

// handshakeFailed is the Attempt of a probe whose hello got no ServerHello:
// an error when the connection could not be made or timed out, otherwise
// inconclusive with the server's answer (an alert, a close).
func handshakeFailed(err error, f *wire.Flight, conns int) obs.Attempt {
	st := obs.AttemptInconclusive
	if fatalOrDial(err) || isTimeout(err) {
		st = obs.AttemptError
	}
	why := "the hello that discovery saw accepted got no ServerHello: " + noAnswer(f, err)
	if f != nil && f.ServerHello != nil {
		why = fmt.Sprintf("the server's %s flight ended early, after %v", registry.Version(f.ServerHello.NegotiatedVersion()).String(), f.Messages)
		if err != nil {
			why += ": " + noAnswer(nil, err)
		}
	}
	return obs.Attempt{Status: st, Reason: why, Connections: conns}
}
