package checks

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"sync"
)

// idRE is the shape of every check ID: category.snake_name.
var idRE = regexp.MustCompile(`^[a-z0-9]+\.[a-z0-9_]+$`)

// ValidID reports whether id has the shape category.snake_name.
func ValidID(id string) bool { return idRE.MatchString(id) }

// Registry is a set of checks keyed by ID. The zero value is not usable; use
// NewRegistry. The registry of every check is checks/all's Registry.
type Registry struct {
	mu     sync.RWMutex
	checks map[string]Check
	sorted []Check // All's answer, kept until the next Register (nil: stale)
}

// NewRegistry returns an empty registry (for tests and filtered views).
func NewRegistry() *Registry { return &Registry{checks: map[string]Check{}} }

// Register adds c to r. It panics on an empty, malformed or duplicate ID:
// that is a bug to fix, found at init.
func (r *Registry) Register(c Check) {
	m := c.Meta()
	if !idRE.MatchString(m.ID) {
		panic(fmt.Sprintf("checks: malformed check ID %q", m.ID))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.checks[m.ID]; dup {
		panic(fmt.Sprintf("checks: duplicate check ID %q", m.ID))
	}
	r.checks[m.ID] = c
	r.sorted = nil
}

// All returns every check of r, sorted by ID.
// The sorted list is kept between calls (Run asks for it once per target);
// callers get their own copy.
func (r *Registry) All() []Check {
	r.mu.RLock()
	s := r.sorted
	r.mu.RUnlock()
	if s == nil {
		r.mu.Lock()
		if r.sorted == nil {
			r.sorted = make([]Check, 0, len(r.checks))
			for _, c := range r.checks {
				r.sorted = append(r.sorted, c)
			}
			sort.Slice(r.sorted, func(i, j int) bool { return r.sorted[i].Meta().ID < r.sorted[j].Meta().ID })
		}
		s = r.sorted
		r.mu.Unlock()
	}
	return slices.Clone(s)
}

// Lookup returns the check of r with the given ID.
func (r *Registry) Lookup(id string) (Check, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.checks[id]
	return c, ok
}

// List collects the checks of one category package: each check's file adds
// its own from init, so the list is complete once the package is
// initialised and is not changed after.
type List struct{ checks []Check }

// Add appends c (called from init only).
func (l *List) Add(c Check) { l.checks = append(l.checks, c) }

// Checks returns the checks of the list, in the order they were added.
func (l *List) Checks() []Check { return slices.Clone(l.checks) }
