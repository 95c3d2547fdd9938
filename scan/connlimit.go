package scan

import (
	"container/list"
	"context"
	"sync"
)

// Connection priorities: when the endpoint's connection limit is reached,
// a freed slot goes to the highest-priority waiter (the lowest number),
// then to the longest waiting one. Discovery's sequences are chains of
// connections each waiting for the previous answer, so a slot is worth
// more to them than to a probe, which makes its connections side by side.
const (
	priorityDiscovery = iota // default: protocol, suite, group, signature algorithm sequences
	priorityProbe            // probes (runProbes)
	numPriorities
)

type priorityKey struct{}

// withPriority sets the priority of the connections made under ctx.
func withPriority(ctx context.Context, p int) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

func priorityOf(ctx context.Context) int {
	p, _ := ctx.Value(priorityKey{}).(int)
	return min(max(p, 0), numPriorities-1)
}

// connLimit is a counting semaphore whose waiters are served by priority,
// then in arrival order. It is hand-written because
// golang.org/x/sync/semaphore serves waiters in arrival order only.
type connLimit struct {
	mu      sync.Mutex
	size    int
	used    int
	waiters [numPriorities]list.List // of chan struct{}, closed when served
}

func newConnLimit(n int) *connLimit { return &connLimit{size: max(n, 1)} }

// acquire takes one slot, waiting for one at priority prio; it fails only
// when ctx ends first (then it holds no slot).
func (l *connLimit) acquire(ctx context.Context, prio int) error {
	l.mu.Lock()
	if l.used < l.size && l.waiting() == 0 {
		l.used++
		l.mu.Unlock()
		return nil
	}
	ready := make(chan struct{})
	elem := l.waiters[prio].PushBack(ready)
	l.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		select {
		case <-ready:
			// Served while giving up: pass the slot on.
			l.used--
			l.serve()
		default:
			l.waiters[prio].Remove(elem)
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
	for l.used < l.size {
		var next *list.Element
		for p := range l.waiters {
			if next = l.waiters[p].Front(); next != nil {
				l.waiters[p].Remove(next)
				break
			}
		}
		if next == nil {
			return
		}
		l.used++
		close(next.Value.(chan struct{}))
	}
}

func (l *connLimit) waiting() int {
	n := 0
	for p := range l.waiters {
		n += l.waiters[p].Len()
	}
	return n
}
