package scan

import (
	"context"
	"slices"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// orderCheck is the connection that tells a client-order server from one
// whose own order happens to match the client's: the first two items a
// repeated selection found, offered swapped. A client-order server picks the
// first of them, a server-order server its preferred one, found first.
//
// Another sequence of the same protocol that makes connections anyway (the
// group and signature algorithm sequences) can carry the check: it offers
// just these two suites where it would offer its usual ones, and the suite
// the server picks answers the check, at no extra connection. The selection
// publishes the pair as soon as it has found two items; if no other
// connection has carried the check by the time the selection needs the
// answer, it makes the connection itself.
//
// A carrier about to connect waits while the selection is still looking
// for its second item (one suite connection at most), so that its
// connection can carry the check: otherwise a fast group sequence may be
// through before the pair is known.
type orderCheck struct {
	ready     chan struct{} // closed when the pair is known or never will be
	readyOnce sync.Once
	mu        sync.Mutex
	pair      []uint16 // offer: [second found, first found]; nil until known
	taken     bool     // a connection carrying the check is in flight
	settled   chan struct{}
	done      bool // answered: chosen holds the server's pick
	chosen    uint16
}

func newOrderCheck() *orderCheck { return &orderCheck{ready: make(chan struct{})} }

// publish makes the pair known (first and second item found).
func (oc *orderCheck) publish(first, second uint16) {
	if oc == nil {
		return
	}
	oc.mu.Lock()
	if oc.pair == nil {
		oc.pair = []uint16{second, first}
	}
	oc.mu.Unlock()
	oc.end()
}

// end tells carriers not to wait for the pair any longer: the selection has
// published it or ended. Every protocol's enumeration calls it when done.
func (oc *orderCheck) end() {
	if oc != nil {
		oc.readyOnce.Do(func() { close(oc.ready) })
	}
}

// wait blocks until the pair is known or the selection has ended.
func (oc *orderCheck) wait(ctx context.Context) {
	if oc == nil {
		return
	}
	select {
	case <-oc.ready:
	case <-ctx.Done():
	}
}

// take hands the pair to a connection that will carry the check, when the
// pair is known, not yet answered or in flight, and fits (a carrier must
// treat both suites alike). The carrier must call settle.
func (oc *orderCheck) take(fits func(pair []uint16) bool) ([]uint16, bool) {
	if oc == nil {
		return nil, false
	}
	oc.mu.Lock()
	defer oc.mu.Unlock()
	if oc.pair == nil || oc.taken || oc.done || (fits != nil && !fits(oc.pair)) {
		return nil, false
	}
	oc.taken = true
	oc.settled = make(chan struct{})
	return slices.Clone(oc.pair), true
}

// settle records the carrier's outcome: the suite the server chose
// (answered), or nothing (refused or failed: the pair is open again).
func (oc *orderCheck) settle(chosen uint16, answered bool) {
	oc.mu.Lock()
	defer oc.mu.Unlock()
	oc.taken = false
	if answered {
		oc.done, oc.chosen = true, chosen
	}
	close(oc.settled)
}

// result waits for a carrier in flight and returns the answer, if any; when
// none is known, the pair is taken for the caller (ok false, mine true): the
// caller makes the connection and settles.
func (oc *orderCheck) result(ctx context.Context) (chosen uint16, ok, mine bool) {
	for {
		oc.mu.Lock()
		switch {
		case oc.done:
			oc.mu.Unlock()
			return oc.chosen, true, false
		case !oc.taken:
			oc.taken = true
			oc.settled = make(chan struct{})
			oc.mu.Unlock()
			return 0, false, true
		}
		wait := oc.settled
		oc.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return 0, false, false
		}
	}
}

// pairFits12 tells whether a TLS 1.0-1.2 order check can ride on a sequence
// whose hellos vary the groups or signature algorithms offered with suites
// of one of the key exchanges kx: both suites must use the same key
// exchange (one of kx) and the same authentication, so whatever such a
// hello varies makes both eligible or neither, and the server's pick
// between them is its order or the client's, as in a connection of its own.
func pairFits12(kx ...string) func([]uint16) bool {
	return func(pair []uint16) bool {
		s0, ok0 := registry.SuiteByID(pair[0])
		s1, ok1 := registry.SuiteByID(pair[1])
		return ok0 && ok1 && !s0.Anonymous && !s1.Anonymous &&
			s0.Kx == s1.Kx && s0.Auth == s1.Auth && slices.Contains(kx, s0.Kx)
	}
}

// carried runs one connection of a group or signature algorithm sequence:
// try(suites) with the sequence's usual suites or, when the order check oc
// fits, with the check's pair, whose answer then settles the check. answered
// tells from try's result whether the server picked a suite (then its pick);
// when it did not, the connection is made again with the usual suites, so
// the carrier's own result never depends on the check.
func carried[T any](ctx context.Context, oc *orderCheck, fits func([]uint16) bool, suites []uint16, try func(suites []uint16) T, answered func(T) (uint16, bool)) T {
	oc.wait(ctx)
	pair, ok := oc.take(fits)
	if !ok {
		return try(suites)
	}
	r := try(pair)
	chosen, ans := answered(r)
	oc.settle(chosen, ans)
	if ans {
		return r
	}
	return try(suites)
}
