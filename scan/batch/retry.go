package batch

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Backoff is exponential backoff with jitter: the delay before retry n
// (1-based) is Base·2^(n-1), capped at Max, then multiplied by a random
// factor in [0.5, 1.5).
type Backoff struct {
	Base time.Duration // default 500ms
	Max  time.Duration // default 8s
	// Rand returns a number in [0, 1); nil uses math/rand/v2.
	Rand func() float64
}

// Delay returns the wait before retry n (n ≥ 1).
func (b Backoff) Delay(n int) time.Duration {
	base, maxD := b.Base, b.Max
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if maxD <= 0 {
		maxD = 8 * time.Second
	}
	d := base
	for i := 1; i < n && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	return time.Duration(float64(d) * (0.5 + r()))
}

// Transient reports whether an observation failed in a way worth another
// try: the TCP connection could not be opened — refused (nothing listened,
// or a listener was saturated) or its connect timed out. A server that
// accepted the connection and then said nothing, or anything (not TLS,
// broken TLS, no common protocol), gave an answer, not a transient failure;
// so did an audit that ran out of time.
func Transient(o *obs.Observation) bool {
	switch o.Status {
	case obs.StatusConnectionRefused:
		return true
	case obs.StatusConnectionTimeout:
		// The scanner words failed connects "connect ADDR: ..." (scan.DialError).
		return strings.HasPrefix(o.Error, "connect ")
	}
	return false
}

// sleep waits d or until ctx ends (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
