package scan

import (
	"context"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Session resumption (TLS <= 1.2): resume by session ID (a hello without the
// ticket extension) and by RFC 5077 ticket; each needs two connections. An
// abbreviated handshake that completes counts as resumed.

func init() {
	registerProbe("resumption", probeResumption, inSessionProbes(func(p *obs.SessionProbes, r *obs.ResumptionResult) { p.Resumption = r }))
}

func probeResumption(ctx context.Context, e *probeEnv) (res *obs.ResumptionResult) {
	res = &obs.ResumptionResult{}
	ctx = chained(ctx)
	choices := e.client12Choices(nil)
	if len(choices) == 0 {
		if e.acceptedAny(func(registry.Suite) bool { return true }) {
			res.Attempt = obs.Attempt{Status: obs.AttemptInconclusive, Reason: "TLS 1.0-1.2 is accepted, but with no suite the probe can complete a handshake with"}
			return
		}
		res.Attempt = obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "no TLS 1.0-1.2 support"}
		return
	}
	c := choices[0]
	res.Protocol, res.Suite = registry.Version(c.version).String(), registry.SuiteName(c.suite)
	// Both kinds at once: a session ID and a ticket are resumed independently.
	type run struct {
		issued   bool
		resumed  *bool
		lifetime uint32
		err      error
		conns    int
	}
	var runs [2]run
	var wg sync.WaitGroup
	for i, byTicket := range []bool{false, true} {
		wg.Go(func() {
			r := &runs[i]
			r.issued, r.resumed, r.lifetime, r.err = e.resumeOnce(ctx, c, byTicket, &r.conns)
		})
	}
	wg.Wait()
	for i, byTicket := range []bool{false, true} {
		issued, resumed, lifetime, err := runs[i].issued, runs[i].resumed, runs[i].lifetime, runs[i].err
		res.Connections += runs[i].conns
		if err != nil && !issued && resumed == nil {
			res.Attempt = attemptError(err)
			return
		}
		errText := ""
		if err != nil {
			errText = response(err)
		}
		if byTicket {
			res.TicketIssued, res.TicketResumed, res.TicketLifetime, res.TicketError = issued, resumed, lifetime, errText
		} else {
			res.SessionIDIssued, res.SessionIDResumed, res.SessionIDError = issued, resumed, errText
		}
	}
	res.Status = obs.AttemptCompleted
	return
}

// resumeOnce runs a full handshake and, when the server gave a session ID
// (or ticket), a second one offering it. An error with issued false and
// resumed nil means the first handshake failed.
func (e *probeEnv) resumeOnce(ctx context.Context, c suiteChoice, byTicket bool, conns *int) (issued bool, resumed *bool, lifetime uint32, err error) {
	conn, err := e.ep.dial(ctx)
	if err != nil {
		return false, nil, 0, err
	}
	*conns++
	first := &session12{conn: conn, Client12: wire.NewClient12(conn, nil)}
	ch := e.hello12(c)
	ch.SessionTicket = byTicket
	err = first.Handshake(ch, nil)
	first.close()
	if err != nil {
		return false, nil, 0, err
	}
	sess := first.Session()
	if byTicket {
		issued, lifetime = len(sess.Ticket) > 0, first.TicketLifetime
	} else {
		issued = len(sess.ID) > 0
		sess.Ticket = nil
	}
	if !issued {
		return false, nil, lifetime, nil
	}
	conn2, err := e.ep.dial(ctx)
	if err != nil {
		return true, nil, lifetime, err
	}
	*conns++
	second := &session12{conn: conn2, Client12: wire.NewClient12(conn2, nil)}
	err = second.Handshake(ch, sess)
	second.close()
	ok := err == nil && second.Resumed
	if err != nil && !second.Resumed {
		// A full handshake that failed tells nothing about resumption.
		return true, nil, lifetime, err
	}
	return true, &ok, lifetime, err
}
