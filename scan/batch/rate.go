package batch

import (
	"context"

	"golang.org/x/time/rate"
)

// Limiter paces events: at most Burst at once, refilled at PerSecond a
// second (a token bucket, golang.org/x/time/rate). It is safe for
// concurrent use; a nil *Limiter never waits.
type Limiter struct {
	l *rate.Limiter
}

// NewLimiter returns a limiter of perSecond events a second with the given
// burst (at least 1). perSecond ≤ 0 returns nil: no limit.
func NewLimiter(perSecond float64, burst int) *Limiter {
	if perSecond <= 0 {
		return nil
	}
	return &Limiter{l: rate.NewLimiter(rate.Limit(perSecond), max(burst, 1))}
}

// Wait blocks until an event may happen, or returns ctx's error (at once
// when ctx's deadline comes before the event's turn).
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	return l.l.Wait(ctx)
}
