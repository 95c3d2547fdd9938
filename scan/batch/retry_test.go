package batch_test

import (
	"context"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/batch"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func TestBackoff(t *testing.T) {
	mid := batch.Backoff{Base: 100 * time.Millisecond, Max: time.Second, Rand: func() float64 { return 0.5 }}
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 60: time.Second} {
		if got := mid.Delay(n); got != want {
			t.Errorf("Delay(%d) = %v, want %v", n, got, want)
		}
	}
	lo, hi := mid, mid
	lo.Rand, hi.Rand = func() float64 { return 0 }, func() float64 { return 0.999999 }
	if lo.Delay(1) != 50*time.Millisecond || hi.Delay(1) < 149*time.Millisecond || hi.Delay(1) >= 150*time.Millisecond {
		t.Errorf("jitter bounds: %v %v, want [50ms, 150ms)", lo.Delay(1), hi.Delay(1))
	}
	def := batch.Backoff{}
	if d := def.Delay(100); d < 4*time.Second || d >= 12*time.Second {
		t.Errorf("default cap: %v, want 8s ± 50%%", d)
	}
}

func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		o    obs.Observation
		want bool
	}{
		{obs.Observation{Status: obs.StatusConnectionRefused, Connections: 1, Error: "connect 127.0.0.1:1: dial tcp 127.0.0.1:1: connect: connection refused"}, true},
		{obs.Observation{Status: obs.StatusConnectionRefused, Connections: 7}, true},
		{obs.Observation{Status: obs.StatusConnectionTimeout, Connections: 1, Error: "connect 192.0.2.1:443: dial tcp 192.0.2.1:443: i/o timeout"}, true},
		{obs.Observation{Status: obs.StatusConnectionTimeout, Connections: 3, Error: "the server accepted the connection but did not answer the ClientHello within 5s: read: i/o timeout"}, false},
		{obs.Observation{Status: obs.StatusNotTLS, Connections: 1}, false},
		{obs.Observation{Status: obs.StatusTimeout, Connections: 1}, false},
		{obs.Observation{Status: obs.StatusOK, Connections: 1}, false},
	} {
		if got := batch.Transient(&tc.o); got != tc.want {
			t.Errorf("Transient(%s, %q) = %v", tc.o.Status, tc.o.Error, got)
		}
	}
}

func TestLimiter(t *testing.T) {
	if batch.NewLimiter(0, 1) != nil {
		t.Error("rate 0 must mean no limiter")
	}
	var nilLim *batch.Limiter
	if err := nilLim.Wait(context.Background()); err != nil {
		t.Error(err)
	}
	// 50/s with burst 5: 30 events take about (30-5)/50 = 0.5s.
	l := batch.NewLimiter(50, 5)
	start := time.Now()
	for range 30 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 450*time.Millisecond || el > 2*time.Second {
		t.Errorf("30 events at 50/s (burst 5) took %v, want about 500ms", el)
	}
	// A cancelled wait returns at once.
	slow := batch.NewLimiter(0.1, 1)
	slow.Wait(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	if err := slow.Wait(ctx); err == nil || time.Since(start) > time.Second {
		t.Errorf("cancelled wait: err %v after %v", err, time.Since(start))
	}
}
