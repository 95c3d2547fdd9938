package serve

import (
	"context"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/serve/store"
)

// The progress and ETA of a running endpoint are estimates: the scanner
// reports no step count, so they compare the time the endpoint has run with
// how long its audit is expected to take (Endpoint.ExpectedMs, set when it
// starts): the previous audit of the same address of the host, else the
// running mean of recent audits (the stored ones, then this process's),
// else defaultExpected.

// defaultExpected is the expected audit time of an endpoint when nothing
// better is known (a full audit of a server on the Internet).
const defaultExpected = 45 * time.Second

// EndpointProgress returns SSL Labs' progress (percent, -1 while pending)
// and eta (seconds, -1 while pending) of ep at now.
func EndpointProgress(ep store.Endpoint, now time.Time) (progress, eta int) {
	switch ep.State {
	case store.EndpointPending:
		return -1, -1
	case store.EndpointRunning:
		expected := time.Duration(ep.ExpectedMs) * time.Millisecond
		if expected <= 0 {
			expected = defaultExpected
		}
		elapsed := max(now.Sub(time.UnixMilli(ep.StartedAt)), 0)
		if ep.StartedAt == 0 {
			elapsed = 0
		}
		// Never 0 (it has started) nor 100 (it has not finished); past the
		// expected time, one second left.
		progress = min(max(int(elapsed*100/expected), 1), 99)
		eta = max(int((expected-elapsed+time.Second-1)/time.Second), 1)
		return progress, eta
	}
	return 100, 0
}

// durations keeps the mean endpoint audit time of this process, seeded
// from the store's recent assessments.
type durations struct {
	seed sync.Once
	mu   sync.Mutex
	mean time.Duration
	n    int
}

// add counts one finished endpoint audit (a moving mean over the last 20).
func (d *durations) add(took time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n = min(d.n+1, 20)
	d.mean += (took - d.mean) / time.Duration(d.n)
}

func (d *durations) get() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == 0 {
		return defaultExpected
	}
	return d.mean
}

// expectations returns, for each address, how long its audit should take:
// the previous finished assessment of host, per address (the mean of its
// endpoints for an address it did not have), else the process mean.
func (s *Server) expectations(ctx context.Context, host string) func(ip string) int64 {
	s.took.seed.Do(func() { s.seedDurations(ctx) })
	fallback := s.took.get()
	prev := map[string]time.Duration{}
	var sum time.Duration
	if a, err := s.cfg.Store.Latest(ctx, host, time.Time{}); err == nil {
		for _, ep := range a.Endpoints {
			if ep.StartedAt > 0 && ep.FinishedAt > ep.StartedAt {
				d := time.Duration(ep.FinishedAt-ep.StartedAt) * time.Millisecond
				prev[ep.IP] = d
				sum += d
			}
		}
	}
	if len(prev) > 0 {
		fallback = sum / time.Duration(len(prev))
	}
	return func(ip string) int64 {
		if d, ok := prev[ip]; ok {
			return d.Milliseconds()
		}
		return fallback.Milliseconds()
	}
}

// seedDurations counts the endpoint audit times of the newest finished
// assessments of the most recently assessed hosts, so that a process that
// has not audited anything yet estimates from what earlier ones measured.
func (s *Server) seedDurations(ctx context.Context) {
	hs, err := s.cfg.Store.Hosts(ctx, 20, 0)
	if err != nil {
		return
	}
	for _, h := range hs {
		if h.Latest == nil {
			continue
		}
		for _, ep := range h.Latest.Endpoints {
			if ep.StartedAt > 0 && ep.FinishedAt > ep.StartedAt {
				s.took.add(time.Duration(ep.FinishedAt-ep.StartedAt) * time.Millisecond)
			}
		}
	}
}
