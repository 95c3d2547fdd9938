package serve

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

func TestEndpointProgressAndETAFollowTheExpectedAuditTime(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ep := store.Endpoint{State: store.EndpointRunning, StartedAt: start.UnixMilli(), ExpectedMs: 20000}
	for _, c := range []struct {
		after         time.Duration
		progress, eta int
	}{
		{0, 1, 20},
		{5 * time.Second, 25, 15},
		{15*time.Second + 500*time.Millisecond, 77, 5},
		{19 * time.Second, 95, 1},
		{time.Minute, 99, 1}, // late: never 100 before it finishes
	} {
		p, e := EndpointProgress(ep, start.Add(c.after))
		if p != c.progress || e != c.eta {
			t.Errorf("after %v: progress %d eta %d, want %d %d", c.after, p, e, c.progress, c.eta)
		}
	}
	if p, e := EndpointProgress(store.Endpoint{State: store.EndpointPending}, start); p != -1 || e != -1 {
		t.Errorf("pending: %d %d", p, e)
	}
	if p, e := EndpointProgress(store.Endpoint{State: store.EndpointReady}, start); p != 100 || e != 0 {
		t.Errorf("ready: %d %d", p, e)
	}
	// Without an expectation, the default one.
	if p, e := EndpointProgress(store.Endpoint{State: store.EndpointRunning, StartedAt: start.UnixMilli()}, start.Add(defaultExpected/2)); p != 50 || e != int((defaultExpected/2+time.Second-1)/time.Second) {
		t.Errorf("default expectation: %d %d", p, e)
	}
}

// The expected time of an endpoint is its previous audit's, else the mean
// of the host's previous endpoints, else this process's mean.
func TestExpectedAuditTimeComesFromTheHostsPreviousAssessment(t *testing.T) {
	st := sqliteStore(t, t.TempDir())
	res := fakeResolver{"h.test": {netip.MustParseAddr("192.0.2.7")}}
	ca := &countingAuditor{}
	ts := startServer(t, st, Config{Audit: func(ctx context.Context, tg Target) *report.Report {
		time.Sleep(300 * time.Millisecond)
		return ca.audit(ctx, tg)
	}, Resolver: res, Policy: mustAllow(t, "192.0.2.0/24")})
	assessOnce(t, ts, "h.test")
	s := ts.Server
	if got := s.took.get(); got < 300*time.Millisecond || got > 30*time.Second {
		t.Errorf("process mean %v after one 300ms audit", got)
	}
	exp := s.expectations(context.Background(), "h.test")
	if got := exp("192.0.2.7"); got < 300 || got > 30000 {
		t.Errorf("expected ms of the audited address: %d", got)
	}
	if a, b := exp("192.0.2.7"), exp("192.0.2.8"); a != b {
		t.Errorf("a new address of the host: %d, want the host's mean %d", b, a)
	}
	if got := s.expectations(context.Background(), "other.test")("192.0.2.9"); got != s.took.get().Milliseconds() {
		t.Errorf("an unknown host: %d, want the process mean", got)
	}
	// A new process on the same store starts from the stored durations,
	// not from the default.
	ts.stop()
	next := startServer(t, st, Config{Audit: ca.audit, Resolver: res, Policy: mustAllow(t, "192.0.2.0/24")})
	if got := next.Server.expectations(context.Background(), "other.test")("192.0.2.9"); got < 300 || got >= defaultExpected.Milliseconds() {
		t.Errorf("an unknown host in a new process: %d ms, want the stored audits' mean", got)
	}
}
