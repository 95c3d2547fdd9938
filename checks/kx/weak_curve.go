package kx

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	checks.Register(checks.New(checks.Meta{
		ID:    checks.IDKxWeakCurve,
		Title: "Elliptic curves under 224 bits accepted",
		Description: "Curves under 224 bits (secp160*, secp192*, sect163*) give less than 112-bit security " +
			"(NIST SP 800-57) and are deprecated by RFC 8422.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 8422"}, {Kind: "cwe", ID: "CWE-326"}},
	}, weakCurve).When(view.HasProtocols))
}

func weakCurve(o *obs.Observation, _ checks.Env) []checks.Finding {
	var all, weak []string
	seen := map[string]bool{}
	add := func(where, name string, bits int) {
		key := where + name
		if seen[key] || name == "" {
			return
		}
		seen[key] = true
		label := fmt.Sprintf("%s %s (%d bits)", where, name, bits)
		all = append(all, label)
		if bits > 0 && bits < 224 {
			weak = append(weak, label)
		}
	}
	if g := o.Groups; g != nil {
		for _, x := range g.TLS12 {
			if !view.PostQuantum(x) {
				add("TLS<=1.2", view.GroupName(x), view.GroupBits(x))
			}
		}
		for _, x := range g.TLS13 {
			if !view.PostQuantum(x) {
				add(view.TLS13, view.GroupName(x), view.GroupBits(x))
			}
		}
	}
	ecdhe := view.Select(view.Accepted(o), func(s view.Suite) bool { return strings.HasPrefix(s.Info.Kx, "ECDH") })
	for _, s := range ecdhe {
		if g, ok := view.KxGroup(s.KeyExchange); ok && !view.PostQuantum(g) {
			add(s.Protocol, view.GroupName(g), view.GroupBits(g))
		}
	}
	switch {
	case len(weak) > 0:
		return checks.One(checks.Fail("groups", "weak curves accepted: "+strings.Join(weak, ", ")))
	case len(all) > 0:
		return checks.One(checks.Pass("no curve under 224 bits among: " + strings.Join(all, ", ")))
	case len(ecdhe) > 0 || view.Supported(o, view.TLS13):
		return checks.One(checks.Inconclusive("elliptic-curve key exchange accepted but the groups were not enumerated"))
	}
	return checks.One(checks.NotApplicable("no elliptic-curve key exchange accepted"))
}
