package scan

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"slices"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Ticketbleed (CVE-2016-9244, F5 BIG-IP): complete a TLS 1.2 handshake with
// crypto/tls to get a session ticket, then offer that ticket on the raw wire
// with a 16-byte session ID, twice. An affected server resumes and echoes a
// 32-byte session ID whose last 16 bytes are uninitialised memory (different
// each time); a correct one echoes our 16 bytes (RFC 5077 3.4) or starts a
// full handshake with an ID of its own. Three connections.

func init() {
	registerProbe("ticketbleed", probeTicketbleed, inHandshakeProbes(func(p *obs.HandshakeProbes, r *obs.TicketbleedResult) { p.Ticketbleed = r }))
}

const ticketbleedIDLen = 16

func probeTicketbleed(ctx context.Context, e *probeEnv) (res *obs.TicketbleedResult) {
	res = &obs.TicketbleedResult{}
	ctx = chained(ctx)
	p := e.supported(registry.VersionTLS12)
	if !p.Supported {
		res.Attempt = attemptFor(obs.AttemptNotApplicable, "TLS 1.2 is not accepted (session tickets are resumed at TLS 1.2 here)")
		return
	}
	ticket, suite, err := e.fetchTicket(ctx, protoSuiteIDs(p))
	res.Connections = 1
	if err != nil {
		st := obs.AttemptInconclusive
		if fatalOrDial(err) {
			st = obs.AttemptError
		}
		res.Attempt = obs.Attempt{Status: st, Reason: "no session ticket: " + err.Error(), Connections: 1}
		return
	}
	if len(ticket) == 0 {
		res.Attempt = obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "the server issued no session ticket", Connections: 1}
		return
	}
	res.TicketObtained, res.Suite, res.SentIDLength = true, registry.SuiteName(suite), ticketbleedIDLen
	// Both resumption hellos at once: each offers the same ticket with a
	// session ID of its own, and neither depends on the other's answer.
	var answers [2]obs.TicketbleedAnswer
	var errs [2]error
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() { answers[i], errs[i] = e.ticketbleedAttempt(ctx, p, suite, ticket) })
	}
	wg.Wait()
	for i := range answers {
		res.Connections++
		if fatalOrDial(errs[i]) {
			res.Attempt = obs.Attempt{Status: obs.AttemptError, Reason: errs[i].Error(), Connections: res.Connections}
			return
		}
		res.Attempts = append(res.Attempts, answers[i])
	}
	res.Status = obs.AttemptCompleted
	if res.Attempts[0].Answer != "" && res.Attempts[1].Answer != "" {
		res.Status = obs.AttemptInconclusive
		res.Reason = "neither resumption hello was answered: " + res.Attempts[0].Answer
	}
	return
}

// ticketbleedAttempt offers ticket with a fresh session ID on a connection
// of its own and records the echo. The error is set only when the
// connection could not be made (fatalOrDial).
func (e *probeEnv) ticketbleedAttempt(ctx context.Context, p obs.Protocol, suite uint16, ticket []byte) (ans obs.TicketbleedAnswer, _ error) {
	sid := make([]byte, ticketbleedIDLen)
	rand.Read(sid)
	others := slices.DeleteFunc(protoSuiteIDs(p), func(id uint16) bool { return id == suite })
	ch := e.ep.helloTLS(registry.VersionTLS12, slices.Concat([]uint16{suite}, others))
	ch.SessionID, ch.SessionTicketData = sid, ticket
	f, err := e.ep.exchange(ctx, ch, nil, wire.StopAfterServerHelloDone)
	if fatalOrDial(err) {
		return ans, err
	}
	if f == nil || f.ServerHello == nil {
		ans.Answer = noAnswer(f, err)
		return ans, nil
	}
	echo := f.ServerHello.SessionID
	ans.EchoedIDLength = len(echo)
	ans.PrefixMatches = bytes.HasPrefix(echo, sid)
	// Resumed: ChangeCipherSpec (perhaps after a NewSessionTicket, which
	// the flight reader stops at) instead of a Certificate.
	ans.Resumed = f.ChangeCipherSpec || slices.Contains(f.Messages, wire.HandshakeName(wire.TypeNewSessionTicket))
	if ans.PrefixMatches {
		ans.Extra = evidenceHex(echo[len(sid):])
	}
	return ans, nil
}

// ticketCache keeps the session crypto/tls stores after a handshake.
type ticketCache struct {
	mu sync.Mutex
	cs *tls.ClientSessionState
}

func (c *ticketCache) Get(string) (*tls.ClientSessionState, bool) { return nil, false }
func (c *ticketCache) Put(_ string, cs *tls.ClientSessionState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs != nil {
		c.cs = cs
	}
}

// fetchTicket completes a TLS 1.2 handshake with crypto/tls (no
// verification: only the ticket matters) and returns the ticket and suite.
func (e *probeEnv) fetchTicket(ctx context.Context, suites []uint16) ([]byte, uint16, error) {
	c, err := e.ep.dial(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer c.Close()
	cache := &ticketCache{}
	var goSuites []uint16
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if slices.Contains(suites, s.ID) {
			goSuites = append(goSuites, s.ID)
		}
	}
	if len(goSuites) == 0 {
		return nil, 0, fmt.Errorf("no TLS 1.2 suite of the server is one crypto/tls can complete a handshake with")
	}
	tc := tls.Client(c, &tls.Config{
		ServerName:         e.ep.sni,
		InsecureSkipVerify: true, // only the ticket is wanted; the chain is audited elsewhere
		MinVersion:         tls.VersionTLS12,
		MaxVersion:         tls.VersionTLS12,
		CipherSuites:       goSuites,
		ClientSessionCache: cache,
	})
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, 0, fmt.Errorf("TLS 1.2 handshake: %w", err)
	}
	suite := tc.ConnectionState().CipherSuite
	cache.mu.Lock()
	cs := cache.cs
	cache.mu.Unlock()
	if cs == nil {
		return nil, suite, nil
	}
	ticket, _, err := cs.ResumptionState()
	if err != nil {
		return nil, suite, err
	}
	return ticket, suite, nil
}
