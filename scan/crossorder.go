package scan

import (
	"slices"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// orderBoard shares what the suite chains of TLS 1.0 to 1.2 learn of one
// server's order while they run: each version's picks so far, in order, and
// whether its chain has ended (its last offer refused). One configuration
// usually has one order at every version, restricted to the suites each
// version allows, so a pick proven at one version predicts the picks that
// follow it at another (speculator.boardNext). The board only predicts: a
// chain's result is made of its own answers, whatever the board says.
type orderBoard struct {
	mu     sync.Mutex
	chains map[uint16]*boardChain
}

type boardChain struct {
	picks []uint16
	ended bool
}

func newOrderBoard() *orderBoard { return &orderBoard{chains: map[uint16]*boardChain{}} }

func (b *orderBoard) chain(v uint16) *boardChain {
	c := b.chains[v]
	if c == nil {
		c = &boardChain{}
		b.chains[v] = c
	}
	return c
}

// record adds the pick the chain of version v made from its latest offer.
func (b *orderBoard) record(v, pick uint16) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chain(v)
	c.picks = append(c.picks, pick)
}

// end records that the chain of version v ended: its last offer was refused.
func (b *orderBoard) end(v uint16) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.chain(v).ended = true
}

// next predicts the pick that follows last in the chain of version v, from
// another version's chain that picked last: the first suite it picked
// after last that v offers; or, when that chain picked none after last and
// has ended, the refusal (id 0). offered tells whether v offers a suite
// (valid) and still does (not picked yet); a suite v has picked already
// but the other version only after last shows two orders, which predict
// nothing. known is false when no other version tells.
func (b *orderBoard) next(v, last uint16, offered func(uint16) (valid, left bool)) (id uint16, known bool) {
	if b == nil {
		return 0, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, w := range []uint16{registry.VersionTLS12, registry.VersionTLS11, registry.VersionTLS10} {
		c := b.chains[w]
		if w == v || c == nil {
			continue
		}
		j := slices.Index(c.picks, last)
		if j < 0 {
			continue
		}
		left := true
		for _, id := range c.picks[j+1:] {
			valid, l := offered(id)
			if valid {
				left = l
				if l {
					return id, true
				}
				break
			}
		}
		if left && c.ended {
			return 0, true
		}
	}
	return 0, false
}
