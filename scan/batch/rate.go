package batch

import (
	"context"
	"sync"
	"time"
)

// Limiter is a token bucket: at most Burst events at once, refilled at
// PerSecond tokens a second. It is safe for concurrent use; a nil *Limiter
// never waits.
type Limiter struct {
	mu       sync.Mutex
	interval time.Duration // time per token
	burst    int
	next     time.Time // when the bucket is next full enough; the reservation clock
	now      func() time.Time
}

// NewLimiter returns a limiter of perSecond events a second with the given
// burst (at least 1). perSecond ≤ 0 returns nil: no limit.
func NewLimiter(perSecond float64, burst int) *Limiter {
	if perSecond <= 0 {
		return nil
	}
	return &Limiter{interval: time.Duration(float64(time.Second) / perSecond), burst: max(burst, 1), now: time.Now}
}

// reserve takes one token and returns how long the caller must wait for it.
func (l *Limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	// A bucket idle for a while holds at most burst tokens.
	if earliest := now.Add(-time.Duration(l.burst-1) * l.interval); l.next.Before(earliest) {
		l.next = earliest
	}
	wait := l.next.Sub(now)
	l.next = l.next.Add(l.interval)
	return max(wait, 0)
}

// Wait blocks until an event may happen, or returns ctx's error. A
// cancelled wait still consumes its token (the rate only gets slower).
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	if d := l.reserve(); d > 0 && !sleep(ctx, d) {
		return ctx.Err()
	}
	return ctx.Err()
}
