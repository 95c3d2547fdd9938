package scan

import (
	"context"
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Helpers shared by the full-handshake probes (ROBOT, POODLE over TLS,
// Lucky Minus 20, renegotiation, resumption, 0-RTT), which use wire.Client12.

// suiteChoice is a version and suite Client12 can speak with the server.
type suiteChoice struct {
	version uint16
	suite   uint16
}

// client12Choices returns, for each protocol from TLS 1.2 down to TLS 1.0,
// the first accepted suite (in the recorded order) that Client12 supports
// and keep accepts. One entry per version at most.
func (e *probeEnv) client12Choices(keep func(*wire.Suite12) bool) []suiteChoice {
	var out []suiteChoice
	for _, v := range []uint16{registry.VersionTLS12, registry.VersionTLS11, registry.VersionTLS10} {
		p := e.supported(v)
		if !p.Supported {
			continue
		}
		for _, s := range p.Suites {
			if st, ok := wire.LookupSuite12(s.ID); ok && (!st.TLS12Only || v >= registry.VersionTLS12) && (keep == nil || keep(st)) {
				out = append(out, suiteChoice{v, s.ID})
				break
			}
		}
	}
	return out
}

// acceptedAny reports whether some TLS 1.0–1.2 accepted suite matches keep.
func (e *probeEnv) acceptedAny(keep func(registry.Suite) bool) bool {
	for _, v := range []uint16{registry.VersionTLS12, registry.VersionTLS11, registry.VersionTLS10} {
		for _, s := range e.supported(v).Suites {
			if rs, ok := registry.SuiteByID(s.ID); ok && keep(rs) {
				return true
			}
		}
	}
	return false
}

// hello12 is the ClientHello of the full-handshake probes: helloTLS with
// the curves Client12 can compute with.
func (e *probeEnv) hello12(c suiteChoice) *wire.ClientHello {
	ch := e.ep.helloTLS(c.version, []uint16{c.suite})
	ch.SupportedGroups = []uint16{wire.GroupX25519, wire.GroupSecp256r1, wire.GroupSecp384r1, wire.GroupSecp521r1, wire.GroupX448}
	ch.StatusRequest, ch.SCT = false, false
	return ch
}

// session12 is one Client12 connection of a probe.
type session12 struct {
	conn net.Conn
	*wire.Client12
}

// dial12 opens a connection and runs Client12's hello; with full set it
// completes the handshake.
func (e *probeEnv) dial12(ctx context.Context, c suiteChoice, full bool) (*session12, error) {
	conn, err := e.ep.dial(ctx)
	if err != nil {
		return nil, err
	}
	s := &session12{conn: conn, Client12: wire.NewClient12(conn, nil)}
	ch := e.hello12(c)
	if full {
		err = s.Handshake(ch, nil)
	} else {
		err = s.Hello(ch, nil)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

// dial12Record opens a connection, completes a full handshake and sends
// the probe's first protected records (send): right after the client's
// Finished, without waiting for the server's. A server reads records in
// order, so it reads them only once its side of the handshake is over, as
// if they had come after it; the connection holds its slot (and a server
// that serves one connection at a time) a round trip less. err is the
// handshake's failure (the connection is closed then); sendErr is send's.
// With e.unpipelined, send runs after the server's Finished.
func (e *probeEnv) dial12Record(ctx context.Context, c suiteChoice, send func(s *session12) error) (s *session12, sendErr, err error) {
	if e.unpipelined {
		if s, err = e.dial12(ctx, c, true); err != nil {
			return nil, nil, err
		}
		return s, send(s), nil
	}
	if s, err = e.dial12(ctx, c, false); err != nil {
		return nil, nil, err
	}
	cke, pms, err := s.KeyExchange()
	if err == nil {
		err = s.SendKeyExchange(cke, pms)
	}
	if err == nil {
		sendErr = send(s)
		err = s.ReadServerFinished()
	}
	if err != nil {
		s.conn.Close()
		return nil, nil, err
	}
	return s, sendErr, nil
}

// close sends close_notify (servers such as OpenSSL forget sessions of
// connections closed without it) and closes.
func (s *session12) close() {
	s.SendAlert(wire.AlertLevelWarning, wire.AlertCloseNotify)
	s.conn.Close()
}

// waitAtMost shortens the read deadline of conn to d from now.
func waitAtMost(conn net.Conn, d time.Duration) {
	conn.SetReadDeadline(time.Now().Add(d))
}

// response names how a read ended, for the probe results: "alert:<name>",
// "closed", "reset", "timeout", or "error:<text>"; nil is "ok".
func response(err error) string {
	var al *wire.AlertError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &al):
		return "alert:" + al.Name()
	case isTimeout(err):
		return "timeout"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case isClosed(err):
		return "closed"
	case errors.Is(err, wire.ErrBadRecordMAC):
		return "error:undecryptable record from the server"
	}
	return "error:" + err.Error()
}

// attemptError fills an Attempt for a probe that could not run.
func attemptError(err error) obs.Attempt {
	return obs.Attempt{Status: obs.AttemptError, Reason: err.Error()}
}
