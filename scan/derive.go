package scan

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// suiteAnswerLog keeps, per protocol below TLS 1.3, the answers the suite
// chain's hellos (speculative ones included) got: the suites offered, the
// suite picked and its ServerKeyExchange. A group or signature algorithm
// sequence whose first hello differs from one of these only in offering a
// subset of its suites that still holds the suite picked gets the same
// answer: a server picks that suite again (in its order or the client's,
// both hellos list suites in base order) and chooses the curve and the
// signature algorithm from the same lists, which the suite does not change
// (only its key exchange and authentication, the same). So that hello is
// not sent; the observation says what was derived.
type suiteAnswerLog struct {
	mu      sync.Mutex
	answers map[uint16][]suiteAnswer
	ended   map[uint16]bool
	changed chan struct{} // closed and replaced at every change
}

type suiteAnswer struct {
	offer []uint16
	pick  uint16
	ske   *wire.ServerKeyExchange
}

func newSuiteAnswerLog() *suiteAnswerLog {
	return &suiteAnswerLog{answers: map[uint16][]suiteAnswer{}, ended: map[uint16]bool{}, changed: make(chan struct{})}
}

func (l *suiteAnswerLog) notify() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// add records the answer to one suite hello of version v.
func (l *suiteAnswerLog) add(v uint16, offer []uint16, pick uint16, ske *wire.ServerKeyExchange) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.answers[v] = append(l.answers[v], suiteAnswer{slices.Clone(offer), pick, ske})
	l.notify()
}

// end records that the suite chain of version v is over.
func (l *suiteAnswerLog) end(v uint16) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ended[v] = true
	l.notify()
}

// deriveWait bounds the suite answers a sequence waits for before making
// its own connection: the first answers are those of the strongest suites,
// which are the ones carrying a ServerKeyExchange when any does.
const deriveWait = 3

// answer returns what a hello of version v offering suites (in base order)
// would get, from a suite hello's answer whose offer holds every one of
// suites and whose pick is one of them, when value reads it from that
// answer's ServerKeyExchange (ok). Until such an answer is in, it waits
// for the suite chain's first deriveWait answers, or its end.
func (l *suiteAnswerLog) answer(ctx context.Context, v uint16, suites []uint16, value func(*wire.ServerKeyExchange) (uint16, bool)) (id, pick uint16, ok bool) {
	if l == nil {
		return 0, 0, false
	}
	for {
		l.mu.Lock()
		for _, an := range l.answers[v] {
			if an.ske == nil || !slices.Contains(suites, an.pick) || !containsAll(an.offer, suites) {
				continue
			}
			if id, ok := value(an.ske); ok {
				l.mu.Unlock()
				return id, an.pick, true
			}
		}
		if l.ended[v] || len(l.answers[v]) >= deriveWait {
			l.mu.Unlock()
			return 0, 0, false
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, 0, false
		}
	}
}

func containsAll(set, items []uint16) bool {
	in := make(map[uint16]bool, len(set))
	for _, x := range set {
		in[x] = true
	}
	for _, x := range items {
		if !in[x] {
			return false
		}
	}
	return true
}

// derivedFrom says where a sequence's first pick (named name) was taken
// from: the answer, with suite pick, to a suite hello of version v.
func derivedFrom(v, pick uint16, name string) string {
	return fmt.Sprintf("%s suite enumeration: the first pick (%s) is from its answer (%s) to a hello offering the same list and more suites",
		registry.Version(v).String(), name, registry.SuiteName(pick))
}
