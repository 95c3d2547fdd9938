// Package kx holds the key-exchange checks (IDs "kx.*"): DH parameter size
// and provenance, static RSA key transport, elliptic curves and post-quantum
// groups. Each check lives in its own file and adds itself to the package's
// list in init(); Checks returns them.
package kx

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// dhObserved returns the DH sizes seen. ok is false when the check has
// nothing to judge; then why says so (not_applicable or inconclusive).
func dhObserved(o *obs.Observation) (seen []view.DHSize, why checks.Finding, ok bool) {
	if seen = view.DHSizes(o); len(seen) > 0 {
		return seen, checks.Finding{}, true
	}
	dhe := view.Select(view.Accepted(o), func(s view.Suite) bool { return view.IsDHE(s.Info) })
	if len(dhe) > 0 {
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
			all = append(all, d.Label)
			if d.Bits < limit {
				bad = append(bad, d.Label)
			}
		}
		if len(bad) > 0 {
			return checks.One(checks.Fail("DH parameters", fmt.Sprintf("DH under %d bits: %s", limit, strings.Join(bad, "; "))))
		}
		return checks.One(checks.Pass(fmt.Sprintf("all DH primes are at least %d bits: %s", limit, strings.Join(all, "; "))))
	}
}

// registered holds the checks of this package; each check's file adds its
// own in init.
var registered checks.List

func register(c checks.Check) { registered.Add(c) }

// Checks returns the checks of this package.
func Checks() []checks.Check { return registered.Checks() }
