// Package kx holds the key-exchange checks (IDs "kx.*"): DH parameter size
// and provenance, static RSA key transport, elliptic curves and post-quantum
// groups. Each check lives in its own file and registers itself in init().
package kx

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// dhSeen is one finite-field DH size observed, with where it was seen.
type dhSeen struct {
	bits  int
	label string
}

// dhObserved collects DH sizes from the observation's DH parameters and from
// per-suite key-exchange records. ok is false when the check has nothing to
// judge; then the returned finding says why (not_applicable or inconclusive).
func dhObserved(o *obs.Observation) (seen []dhSeen, why checks.Finding, ok bool) {
	for _, p := range o.DH {
		label := fmt.Sprintf("%d-bit prime", p.Bits)
		if p.Known != "" {
			label += " (" + p.Known + ")"
		}
		if len(p.SeenWith) > 0 {
			label += " seen with " + strings.Join(p.SeenWith, ", ")
		}
		seen = append(seen, dhSeen{p.Bits, label})
	}
	dhe := view.Select(view.Accepted(o), func(s view.Suite) bool { return view.IsDHE(s.Info) })
	if len(o.DH) == 0 {
		for _, s := range dhe {
			if k := s.KeyExchange; k != nil && k.Kind == "DHE" && k.Bits > 0 {
				seen = append(seen, dhSeen{k.Bits, fmt.Sprintf("%d-bit prime with %s %s", k.Bits, s.Protocol, view.Name(s))})
			}
		}
	}
	switch {
	case len(seen) > 0:
		return seen, checks.Finding{}, true
	case len(dhe) > 0:
		return nil, checks.Inconclusive(fmt.Sprintf("%d DHE suite(s) accepted but no DH parameters were recorded: %s",
			len(dhe), view.Evidence(dhe))), false
	}
	return nil, checks.NotApplicable("no DHE suite accepted"), false
}

// dhUnder returns the body of a check failing when a DH prime is smaller
// than limit bits.
func dhUnder(limit int) checks.EvalFunc {
	return func(o *obs.Observation, _ checks.Env) []checks.Finding {
		seen, why, ok := dhObserved(o)
		if !ok {
			return checks.One(why)
		}
		var bad, all []string
		for _, d := range seen {
			all = append(all, d.label)
			if d.bits < limit {
				bad = append(bad, d.label)
			}
		}
		if len(bad) > 0 {
			return checks.One(checks.Fail("DH parameters", fmt.Sprintf("DH under %d bits: %s", limit, strings.Join(bad, "; "))))
		}
		return checks.One(checks.Pass(fmt.Sprintf("all DH primes are at least %d bits: %s", limit, strings.Join(all, "; "))))
	}
}

// groupBits returns the security size of a group: the observed Bits, else
// the registry's.
func groupBits(g obs.Group) int {
	if g.Bits > 0 {
		return g.Bits
	}
	if r, ok := registry.GroupByID(g.ID); ok {
		return r.Bits
	}
	return 0
}

// postQuantum reports whether a group is a (hybrid) post-quantum group.
func postQuantum(g obs.Group) bool {
	if g.PostQuantum {
		return true
	}
	r, ok := registry.GroupByID(g.ID)
	return ok && r.PostQuantum
}

func groupName(g obs.Group) string {
	if g.Name != "" {
		return g.Name
	}
	if r, ok := registry.GroupByID(g.ID); ok {
		return r.Name
	}
	return fmt.Sprintf("0x%04X", g.ID)
}
