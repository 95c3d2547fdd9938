package scan

import (
	"context"
	"slices"
	"sync"
)

// Connection priorities: when the endpoint's connection limit is reached,
// a freed slot goes to the waiter of highest priority (the lowest number),
// then to the longest waiting one. Discovery's sequences are chains of
// connections each waiting for the previous answer, so a slot is worth more
// to them than to a probe, which makes its connections side by side; a
// speculative offer (speculate.go) may never be needed, so it comes last
// until the chain needs it. Of the probes, those whose connections follow
// one another (a ticket, then its resumption) come first: the audit ends
// with the longest of them.
const (
	priorityDiscovery   = iota // default: protocol, suite, group, signature algorithm sequences
	priorityProbeChain         // probes whose connections wait for earlier ones (chained)
	priorityProbe              // probes (runProbes)
	prioritySpeculative        // a speculative offer not needed yet
)

// chained gives the connections made under ctx by a probe whose later
// connections wait for earlier ones the priority of such chains.
func chained(ctx context.Context) context.Context {
	return withPriority(ctx, priorityProbeChain)
}

type priorityKey struct{}

// withPriority sets the priority of the connections made under ctx.
func withPriority(ctx context.Context, p int) context.Context {
	return withPriorityFunc(ctx, func() int { return p })
}

// withPriorityFunc sets a priority that may change while a connection
// waits for a slot: f is read whenever a slot is handed out.
func withPriorityFunc(ctx context.Context, f func() int) context.Context {
	return context.WithValue(ctx, priorityKey{}, f)
}

func priorityOf(ctx context.Context) func() int {
	if f, ok := ctx.Value(priorityKey{}).(func() int); ok {
		return f
	}
	return func() int { return priorityDiscovery }
}

// connLimit is a counting semaphore whose waiters are served by priority,
// then in arrival order. It is hand-written because
// golang.org/x/sync/semaphore serves waiters in arrival order only, with
// no priorities.
type connLimit struct {
	mu      sync.Mutex
	size    int
	used    int
	seq     uint64
	waiters []*slotWaiter
}

type slotWaiter struct {
	ready    chan struct{} // closed when served
	priority func() int
	seq      uint64
}

func newConnLimit(n int) *connLimit { return &connLimit{size: max(n, 1)} }

// acquire takes one slot, waiting for one with the priority prio (read
// when slots are handed out); it fails only when ctx ends first (then it
// holds no slot).
func (l *connLimit) acquire(ctx context.Context, prio func() int) error {
	l.mu.Lock()
	if l.used < l.size && len(l.waiters) == 0 {
		l.used++
		l.mu.Unlock()
		return nil
	}
	l.seq++
	w := &slotWaiter{ready: make(chan struct{}), priority: prio, seq: l.seq}
	l.waiters = append(l.waiters, w)
	l.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		select {
		case <-w.ready:
			// Served while giving up: pass the slot on.
			l.used--
			l.serve()
		default:
			l.waiters = slices.DeleteFunc(l.waiters, func(x *slotWaiter) bool { return x == w })
		}
		l.mu.Unlock()
		return ctx.Err()
	}
}

// release gives one slot back.
func (l *connLimit) release() {
	l.mu.Lock()
	l.used--
	l.serve()
	l.mu.Unlock()
}

// serve hands free slots to waiters; l.mu must be held.
func (l *connLimit) serve() {
	for l.used < l.size && len(l.waiters) > 0 {
		best, bestPrio := 0, l.waiters[0].priority()
		for i, w := range l.waiters[1:] {
			if p := w.priority(); p < bestPrio || p == bestPrio && w.seq < l.waiters[best].seq {
				best, bestPrio = i+1, p
			}
		}
		w := l.waiters[best]
		l.waiters = slices.Delete(l.waiters, best, best+1)
		l.used++
		close(w.ready)
	}
}
