package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/starttls"
)

// endpoint is one resolved address being audited. All connections of an
// audit go through dial, which enforces the per-endpoint connection limit,
// the per-connection deadline, counts connections and, for a STARTTLS
// target, runs the plaintext upgrade so that every probe starts its
// ClientHello on an upgraded connection.
type endpoint struct {
	addr        string // ip:port
	sni         string
	startTLS    string // application protocol to upgrade from ("" for implicit TLS)
	startHost   string // the name the STARTTLS exchange addresses (e.g. XMPP "to")
	connTimeout time.Duration
	// specDepth bounds the offers in flight per suite selection chain
	// (speculate.go): the connection limit; 1 turns speculation off.
	specDepth int
	// helloOnly: exchange follows its ClientHello with a close_notify
	// (see countingConn).
	helloOnly bool
	sem       *connLimit
	conns     atomic.Int64
	dialer    net.Dialer

	phaseMu sync.Mutex
	byPhase map[string]int
}

type phaseKey struct{}

// withPhase labels the connections made under ctx, for ConnectionsByPhase.
func withPhase(ctx context.Context, phase string) context.Context {
	return context.WithValue(ctx, phaseKey{}, phase)
}

func (e *endpoint) countPhase(ctx context.Context) {
	phase, _ := ctx.Value(phaseKey{}).(string)
	if phase == "" {
		phase = "other"
	}
	e.phaseMu.Lock()
	if e.byPhase == nil {
		e.byPhase = map[string]int{}
	}
	e.byPhase[phase]++
	e.phaseMu.Unlock()
}

// phases returns a copy of the per-phase connection counts.
func (e *endpoint) phases() map[string]int {
	e.phaseMu.Lock()
	defer e.phaseMu.Unlock()
	if len(e.byPhase) == 0 {
		return nil
	}
	out := make(map[string]int, len(e.byPhase))
	for k, v := range e.byPhase {
		out[k] = v
	}
	return out
}

func newEndpoint(addr, sni string, perHost int, connTimeout time.Duration) *endpoint {
	return &endpoint{addr: addr, sni: sni, connTimeout: connTimeout, specDepth: perHost, helloOnly: true, sem: newConnLimit(perHost)}
}

// limitedConn releases the endpoint's semaphore slot when closed.
type limitedConn struct {
	net.Conn
	release func()
	closed  atomic.Bool
}

func (c *limitedConn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	err := c.Conn.Close()
	c.release()
	return err
}

// dial opens one connection with a deadline of connTimeout (or the context's
// deadline, whichever is earlier). The caller must Close it.
func (e *endpoint) dial(ctx context.Context) (net.Conn, error) {
	if err := e.sem.acquire(ctx, priorityOf(ctx)); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(e.connTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	if err := ctx.Err(); err != nil {
		// Abandoned while waiting for the slot (a speculative offer no
		// longer needed, the end of the audit): no connection is made or
		// counted.
		e.sem.release()
		return nil, err
	}
	e.conns.Add(1)
	e.countPhase(ctx)
	c, err := e.dialer.DialContext(dctx, "tcp", e.addr)
	if err != nil {
		e.sem.release()
		return nil, &DialError{Addr: e.addr, Err: err}
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		tc.SetLinger(0) // a scanner does not wait in TIME_WAIT politeness: RST on close
	}
	c.SetDeadline(deadline)
	if e.startTLS != "" {
		// The upgrade is part of this connection: same deadline, same count.
		if err := starttls.Upgrade(dctx, c, e.startTLS, e.startHost); err != nil {
			c.Close()
			e.sem.release()
			return nil, &DialError{Addr: e.addr, Err: &StartTLSError{Proto: e.startTLS, Addr: e.addr, Err: err}}
		}
		c.SetDeadline(deadline)
	}
	// Stop the exchange when the audit is cancelled.
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	return &limitedConn{Conn: c, release: func() { stop(); e.sem.release() }}, nil
}

// DialError is a failure to open a connection ready for the ClientHello:
// the TCP connect failed, or (Err is a *StartTLSError) the STARTTLS exchange.
type DialError struct {
	Addr string
	Err  error
}

func (e *DialError) Error() string {
	var se *StartTLSError
	if errors.As(e.Err, &se) {
		return se.Error()
	}
	// net.OpError repeats the address ("dial tcp 127.0.0.1:1: connect:
	// connection refused"): say only what went wrong.
	err := e.Err
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
		var sys *os.SyscallError
		if errors.As(err, &sys) {
			err = sys.Err
		}
	}
	return fmt.Sprintf("connect %s: %v", e.Addr, err)
}

func (e *DialError) Unwrap() error { return e.Err }

// StartTLSError is a failed STARTTLS exchange (see package scan/starttls).
type StartTLSError struct {
	Proto string // "smtp", "imap", ...
	Addr  string
	Err   error // names the protocol: "smtp: server does not offer STARTTLS (...)"
}

func (e *StartTLSError) Error() string {
	return fmt.Sprintf("STARTTLS with %s failed: %v", e.Addr, e.Err)
}
func (e *StartTLSError) Unwrap() error { return e.Err }

// dialStatus classifies a dial error into an observation status.
func dialStatus(err error) obs.Status {
	var se *StartTLSError
	switch {
	case errors.As(err, &se) && !errors.Is(err, context.Canceled):
		return obs.StatusStartTLSError
	case errors.Is(err, syscall.ECONNREFUSED):
		return obs.StatusConnectionRefused
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return obs.StatusConnectionTimeout
	case errors.Is(err, context.Canceled):
		return obs.StatusCanceled
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return obs.StatusConnectionTimeout
	}
	return obs.StatusConnectionError
}

// isTimeout reports whether err is a read/write deadline expiry.
func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isClosed reports whether err means the server closed or reset the connection.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.EPIPE)
}
