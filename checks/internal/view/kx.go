package view

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// DHSize is one finite-field DH size observed, with where it was seen.
type DHSize struct {
	Bits  int
	Label string
}

// DHSizes lists the DH prime sizes seen: from the observation's DH
// parameters, or, when those are absent, from per-suite key-exchange records.
func DHSizes(o *obs.Observation) []DHSize {
	var out []DHSize
	for _, p := range o.DH {
		label := fmt.Sprintf("%d-bit prime", p.Bits)
		if p.Known != "" {
			label += " (" + p.Known + ")"
		}
		if len(p.SeenWith) > 0 {
			label += " seen with " + strings.Join(p.SeenWith, ", ")
		}
		out = append(out, DHSize{p.Bits, label})
	}
	if len(out) > 0 {
		return out
	}
	for _, s := range Accepted(o) {
		if k := s.KeyExchange; k != nil && k.Kind == "DHE" && k.Bits > 0 {
			out = append(out, DHSize{k.Bits, fmt.Sprintf("%d-bit prime with %s %s", k.Bits, s.Protocol, Name(s))})
		}
	}
	return out
}

// groupsByName indexes the registry's groups by lower-case name.
var groupsByName = func() map[string]registry.Group {
	m := map[string]registry.Group{}
	for _, g := range registry.Groups() {
		m[strings.ToLower(g.Name)] = g
	}
	return m
}()

// KxGroup returns the named group of a per-suite key-exchange record, with
// its ID and size filled from the registry when the record lacks them.
// ok is false when the record names no group.
func KxGroup(k *obs.KeyExchange) (g obs.Group, ok bool) {
	if k == nil || k.Group == "" {
		return obs.Group{}, false
	}
	g = obs.Group{Name: k.Group, Bits: k.Bits}
	if r, found := groupsByName[strings.ToLower(k.Group)]; found {
		g.ID, g.PostQuantum = r.ID, r.PostQuantum
		if g.Bits == 0 {
			g.Bits = r.Bits
		}
	}
	return g, true
}

// GroupBits returns the security size of a group: the observed Bits, else
// the registry's.
func GroupBits(g obs.Group) int {
	if g.Bits > 0 {
		return g.Bits
	}
	if r, ok := registry.GroupByID(g.ID); ok {
		return r.Bits
	}
	return 0
}

// PostQuantum reports whether a group is a (hybrid) post-quantum group.
func PostQuantum(g obs.Group) bool {
	if g.PostQuantum {
		return true
	}
	r, ok := registry.GroupByID(g.ID)
	return ok && r.PostQuantum
}

// GroupName is the group's name, from the observation or the registry.
func GroupName(g obs.Group) string {
	if g.Name != "" {
		return g.Name
	}
	if r, ok := registry.GroupByID(g.ID); ok {
		return r.Name
	}
	return fmt.Sprintf("0x%04X", g.ID)
}

// GroupRSABits is the group's strength in RSA-equivalent bits: the
// registry's RSAEquivalent, else derived from its size (EC below 1024 bits,
// finite field at face value). 0 when unknown.
func GroupRSABits(g obs.Group) int {
	if r, ok := registry.GroupByID(g.ID); ok && r.RSAEquivalent > 0 {
		return r.RSAEquivalent
	}
	bits := GroupBits(g)
	if bits >= 1024 {
		return bits
	}
	return ECRSAEquivalent(bits)
}

// ECRSAEquivalent maps an elliptic-curve size to RSA-equivalent bits
// (NIST SP 800-57 Part 1 Table 2: 160→1024, 224→2048, 256→3072, 384→7680,
// 512→15360; x25519's 253 bits count as 256).
func ECRSAEquivalent(bits int) int {
	switch {
	case bits <= 0:
		return 0
	case bits < 160:
		return bits * 1024 / 160
	case bits < 224:
		return 1024
	case bits < 250:
		return 2048
	case bits < 384:
		return 3072
	case bits < 512:
		return 7680
	}
	return 15360
}
