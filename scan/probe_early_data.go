package scan

import (
	"context"
	"errors"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// TLS 1.3 0-RTT: complete a TLS 1.3 handshake, read the NewSessionTicket
// messages that follow and record whether a ticket allows early data
// (early_data extension with max_early_data_size, RFC 8446 4.6.1). Sending
// early data on a resumed session is not attempted.

// ticketWait bounds the wait for the first ticket; servers send the rest in
// the same burst, so later ones get ticketBurst.
const (
	ticketWait  = 1 * time.Second
	ticketBurst = 150 * time.Millisecond
)

func init() { registerProbe("early_data", probeEarlyData) }

func probeEarlyData(ctx context.Context, a *audit) {
	res := &obs.EarlyDataResult{}
	defer a.setSessionProbe(func(p *obs.SessionProbes) { p.EarlyData = res })
	p := a.supported(wire.VersionTLS13)
	if !p.Supported {
		res.Attempt = obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "TLS 1.3 not supported"}
		return
	}
	var suites []uint16
	for _, s := range p.Suites {
		if s.ID >= wire.TLS_AES_128_GCM_SHA256 && s.ID <= wire.TLS_CHACHA20_POLY1305_SHA256 {
			suites = append(suites, s.ID)
		}
	}
	if len(suites) == 0 {
		res.Attempt = obs.Attempt{Status: obs.AttemptInconclusive, Reason: "the server's TLS 1.3 suites are not ones the probe can decrypt (AES-GCM, ChaCha20-Poly1305)"}
		return
	}
	res.Connections = 1
	tickets, maxEarly, suite, err := a.tls13Tickets(ctx, suites)
	res.Tickets, res.MaxEarlyDataSize, res.Suite = tickets, maxEarly, registry.SuiteName(suite)
	switch {
	case err != nil && tickets == 0 && suite == 0:
		res.Attempt = attemptError(err)
	case err != nil && tickets == 0 && !isTimeout(err):
		res.Attempt = obs.Attempt{Status: obs.AttemptInconclusive, Reason: "no session ticket after the handshake: " + response(err)}
	default:
		res.Status = obs.AttemptCompleted
	}
}

// tls13Tickets completes a TLS 1.3 handshake and reads the tickets sent
// within ticketWait. suite is 0 when the handshake did not complete.
func (a *audit) tls13Tickets(ctx context.Context, suites []uint16) (n int, maxEarly uint32, suite uint16, err error) {
	conn, err := a.ep.dial(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	defer conn.Close()
	var shares []wire.KeyShare
	var privs []*wire.KeySharePrivate
	for _, g := range []uint16{wire.GroupX25519, wire.GroupSecp256r1} {
		ks, priv, err := wire.GenerateKeyShare(nil, g)
		if err != nil {
			return 0, 0, 0, err
		}
		shares, privs = append(shares, ks), append(privs, priv)
	}
	groups := []uint16{wire.GroupX25519, wire.GroupSecp256r1, wire.GroupSecp384r1}
	ch := a.hello13(suites, groups, nil, shares)
	f, err := wire.Exchange(conn, ch, privs, wire.StopAfterFinished)
	if err == nil && f.HelloRetryRequest != nil && f.Alert == nil {
		ks, priv, gerr := wire.GenerateKeyShare(nil, f.HelloRetryRequest.SelectedGroup)
		if gerr != nil {
			return 0, 0, 0, gerr
		}
		privs = append(privs, priv)
		f, err = wire.ContinueAfterRetry(conn, f, ch.ForRetry(f.HelloRetryRequest, ks), privs, wire.StopAfterFinished)
	}
	if err == nil && f.Alert != nil {
		err = f.Alert
	}
	if err == nil && !f.Finished {
		err = errors.New("the TLS 1.3 handshake did not reach the server Finished")
	}
	if err != nil {
		return 0, 0, 0, err
	}
	sess, err := wire.FinishTLS13(conn, f, privs)
	if err != nil {
		return 0, 0, 0, err
	}
	suite = f.ServerHello.CipherSuite
	waitAtMost(conn, ticketWait)
	for n < 4 {
		t, err := sess.ReadTicket()
		if err != nil {
			return n, maxEarly, suite, err
		}
		n++
		waitAtMost(conn, ticketBurst)
		if t.EarlyData && t.MaxEarlyDataSize > maxEarly {
			maxEarly = t.MaxEarlyDataSize
		}
	}
	return n, maxEarly, suite, nil
}
