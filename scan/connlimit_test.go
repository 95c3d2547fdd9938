package scan

import (
	"context"
	"testing"
	"time"
)

// A freed slot goes to the waiter of highest priority, then to the longest
// waiting one; a waiter whose priority rises is served by its new one.
func TestConnLimitServesByPriority(t *testing.T) {
	l := newConnLimit(1)
	ctx := context.Background()
	if err := l.acquire(ctx, priorityOf(ctx)); err != nil {
		t.Fatal(err)
	}
	var order []string
	done := make(chan string)
	raised := false // read and written under l.mu
	queued := 0
	wait := func(name string, prio func() int) {
		go func() {
			if err := l.acquire(ctx, prio); err != nil {
				t.Error(err)
			}
			done <- name
		}()
		// Let it queue before the next one arrives.
		queued++
		for deadline := time.Now().Add(5 * time.Second); countQueued(l) < queued && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	wait("probe", func() int { return priorityProbe })
	wait("speculative", func() int {
		if raised {
			return priorityDiscovery
		}
		return prioritySpeculative
	})
	wait("discovery", func() int { return priorityDiscovery })
	wait("probe2", func() int { return priorityProbe })
	l.mu.Lock()
	raised = true // the chain now needs the speculative offer
	l.mu.Unlock()
	for range 4 {
		l.release()
		order = append(order, <-done)
	}
	want := []string{"speculative", "discovery", "probe", "probe2"}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("served %v, want %v", order, want)
		}
	}
}

func countQueued(l *connLimit) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.waiters)
}

// A waiter that gives up leaves no slot taken, and the slot goes on.
func TestConnLimitCancelledWaiter(t *testing.T) {
	l := newConnLimit(1)
	bg := context.Background()
	if err := l.acquire(bg, priorityOf(bg)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	if err := l.acquire(ctx, priorityOf(ctx)); err == nil {
		t.Fatal("acquired a slot held by another")
	}
	l.release()
	if l.used != 0 || len(l.waiters) != 0 {
		t.Fatalf("%d slots used, %d waiting after the only holder released, want none", l.used, len(l.waiters))
	}
}
