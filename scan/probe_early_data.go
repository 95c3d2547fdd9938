package scan

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// TLS 1.3 0-RTT: complete a TLS 1.3 handshake, read the NewSessionTicket
// messages that follow and record whether a ticket allows early data
// (early_data extension with max_early_data_size, RFC 8446 4.6.1). When one
// does, resume with it on a second connection (PSK with its binder) and
// send an HTTP GET as early data: the EncryptedExtensions say whether the
// server took it, and an HTTP answer right after the handshake that it
// acted on it.

// ticketWait bounds the wait for the first ticket; servers send the rest in
// the same burst, so later ones get ticketBurst. earlyAnswerWait bounds the
// wait for the answer to the early request.
const (
	ticketWait      = 1 * time.Second
	ticketBurst     = 150 * time.Millisecond
	earlyAnswerWait = 2 * time.Second
)

func init() {
	registerProbe("early_data", probeEarlyData, inSessionProbes(func(p *obs.SessionProbes, r *obs.EarlyDataResult) { p.EarlyData = r }))
}

func probeEarlyData(ctx context.Context, e *probeEnv) (res *obs.EarlyDataResult) {
	res = &obs.EarlyDataResult{}
	ctx = chained(ctx)
	p := e.supported(registry.VersionTLS13)
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
	run, err := e.tls13Tickets(ctx, suites)
	res.Tickets, res.MaxEarlyDataSize, res.Suite = run.n, run.maxEarly, registry.SuiteName(run.suite)
	switch {
	case err != nil && run.n == 0 && run.suite == 0:
		res.Attempt = attemptError(err)
		return
	case err != nil && run.n == 0 && !isTimeout(err):
		res.Attempt = obs.Attempt{Status: obs.AttemptInconclusive, Reason: "no session ticket after the handshake: " + response(err)}
		return
	}
	res.Status = obs.AttemptCompleted
	if run.early != nil {
		res.Connections++
		if err := e.sendEarlyData(ctx, run.early, run.group, res); err != nil {
			res.ResumeError = response(err)
		}
	}
	return
}

// sendEarlyData resumes with r on a new connection, sending an HTTP GET
// as 0-RTT data, and records Sent, Accepted and Answered. group is the one
// of the first handshake: it gets a key share too, since a
// HelloRetryRequest would end the resumption.
func (e *probeEnv) sendEarlyData(ctx context.Context, r *wire.TLS13Resumption, group uint16, res *obs.EarlyDataResult) error {
	conn, err := e.ep.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	shareGroups := []uint16{wire.GroupX25519, wire.GroupSecp256r1}
	if group != 0 && !slices.Contains(shareGroups, group) {
		shareGroups = append(shareGroups, group)
	}
	shares, privs, err := tls13Shares(shareGroups)
	if err != nil {
		return err
	}
	ch := e.ep.hello13([]uint16{r.Suite}, e.earlyGroups13(), nil, shares)
	req := []byte("GET / HTTP/1.1\r\nHost: " + hostHeader(e.target, e.target.Port, 443) + "\r\nConnection: close\r\n\r\n")
	if len(req) > int(r.Ticket.MaxEarlyDataSize) {
		return errors.New("the ticket allows fewer early bytes than an HTTP request needs")
	}
	ch.ALPN = []string{"http/1.1"} // as on the first connection: 0-RTT needs the same ALPN
	res.Sent = true
	o, err := wire.ResumeWithEarlyData(conn, ch, r, privs, req)
	if err != nil {
		return err
	}
	res.Accepted = o.EarlyDataAccepted
	if !o.PSKAccepted {
		return errors.New("the server did not resume the session")
	}
	if !o.EarlyDataAccepted {
		return nil
	}
	waitAtMost(conn, earlyAnswerWait)
	data, err := o.Session.ReadApplication()
	if err != nil {
		return err
	}
	res.Answered = bytes.HasPrefix(data, []byte("HTTP/"))
	return nil
}

// tls13Shares generates key shares for groups.
func tls13Shares(groups []uint16) ([]wire.KeyShare, []*wire.KeySharePrivate, error) {
	var shares []wire.KeyShare
	var privs []*wire.KeySharePrivate
	for _, g := range groups {
		ks, priv, err := wire.GenerateKeyShare(nil, g)
		if err != nil {
			return nil, nil, err
		}
		shares, privs = append(shares, ks), append(privs, priv)
	}
	return shares, privs, nil
}

// earlyGroups13 are the groups the probe's hellos offer: x25519, P-256
// and P-384, then the server's other accepted TLS 1.3 groups that wire can
// complete a key exchange with (an x448-only server is reached by a
// HelloRetryRequest).
func (e *probeEnv) earlyGroups13() []uint16 {
	groups := []uint16{wire.GroupX25519, wire.GroupSecp256r1, wire.GroupSecp384r1}
	for _, g := range e.tls13Groups() {
		if slices.Contains(realShareGroups, g.ID) && !slices.Contains(groups, g.ID) {
			groups = append(groups, g.ID)
		}
	}
	return groups
}

// ticketRun is what the first TLS 1.3 connection of the probe saw.
type ticketRun struct {
	n        int
	maxEarly uint32
	suite    uint16 // 0 when the handshake did not complete
	group    uint16 // of the completed handshake
	// early is a ticket allowing early data, ready to resume with.
	early *wire.TLS13Resumption
}

// tls13Tickets completes a TLS 1.3 handshake and reads the tickets sent
// within ticketWait.
func (e *probeEnv) tls13Tickets(ctx context.Context, suites []uint16) (run ticketRun, err error) {
	conn, err := e.ep.dial(ctx)
	if err != nil {
		return run, err
	}
	defer conn.Close()
	shares, privs, err := tls13Shares([]uint16{wire.GroupX25519, wire.GroupSecp256r1})
	if err != nil {
		return run, err
	}
	ch := e.ep.hello13(suites, e.earlyGroups13(), nil, shares)
	ch.ALPN = []string{"http/1.1"} // the early request is HTTP/1.1
	f, err := wire.Exchange(conn, ch, privs, wire.StopAfterFinished)
	if err == nil && f.HelloRetryRequest != nil && f.Alert == nil {
		ks, priv, gerr := wire.GenerateKeyShare(nil, f.HelloRetryRequest.SelectedGroup)
		if gerr != nil {
			return run, gerr
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
		return run, err
	}
	sess, err := wire.FinishTLS13(conn, f, privs)
	if err != nil {
		return run, err
	}
	run.suite, run.group = f.ServerHello.CipherSuite, f.ServerHello.KeyShare.Group
	waitAtMost(conn, ticketWait)
	for run.n < 4 {
		t, err := sess.ReadTicket()
		if err != nil {
			return run, err
		}
		run.n++
		waitAtMost(conn, ticketBurst)
		if t.EarlyData && t.MaxEarlyDataSize > run.maxEarly {
			run.maxEarly = t.MaxEarlyDataSize
			if r, err := sess.Resumption(t, time.Now()); err == nil {
				run.early = r
			}
		}
	}
	return run, nil
}
