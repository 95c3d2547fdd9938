package checks

import (
	"fmt"
	"regexp"
	"sort"
	"sync"
)

var (
	regMu    sync.RWMutex
	registry = map[string]Check{}
	idRE     = regexp.MustCompile(`^[a-z0-9]+\.[a-z0-9_]+$`)
)

// Register adds c to the global registry. It panics on an empty, malformed or
// duplicate ID: that is a bug to fix, found at init.
func Register(c Check) {
	m := c.Meta()
	if !idRE.MatchString(m.ID) {
		panic(fmt.Sprintf("checks: malformed check ID %q", m.ID))
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[m.ID]; dup {
		panic(fmt.Sprintf("checks: duplicate check ID %q", m.ID))
	}
	registry[m.ID] = c
}

// All returns every registered check, sorted by ID.
func All() []Check {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]Check, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Meta().ID < out[j].Meta().ID })
	return out
}

// Lookup returns the check with the given ID.
func Lookup(id string) (Check, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	c, ok := registry[id]
	return c, ok
}
