package grade

import (
	"slices"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func sim(proto string, id uint16, ref bool) obs.ClientSimulation {
	return obs.ClientSimulation{Client: "c", OK: true, Reference: ref, Protocol: proto, SuiteID: id}
}

func TestNegotiatedSemantics(t *testing.T) {
	// legacy: RC4, 3DES (last, server order) and ECDHE/AEAD suites offered.
	cases := []struct {
		name     string
		fixture  string
		sims     []obs.ClientSimulation
		opts     Options
		sem      Semantics
		has, not []string // cap rules present / absent
		note     string
	}{
		{name: "no simulations: offered by default", fixture: "legacy", sem: Offered, has: []string{"rc4"}},
		{name: "clients avoid RC4: RC4 offered still caps at B, not C", fixture: "legacy",
			sims: []obs.ClientSimulation{sim("TLSv1.2", 0xc02f, true), sim("TLSv1.0", 0xc013, true)},
			sem:  Negotiated, has: []string{"rc4"}, not: []string{"rc4_modern", "no_forward_secrecy", "no_aead"}},
		{name: "offered semantics on request", fixture: "legacy", opts: Options{Semantics: Offered},
			sims: []obs.ClientSimulation{sim("TLSv1.2", 0xc02f, true)}, sem: Offered, has: []string{"rc4"}},
		{name: "a reference client negotiates RC4 under TLS 1.2", fixture: "legacy",
			sims: []obs.ClientSimulation{sim("TLSv1.2", 0x0005, true)}, sem: Negotiated,
			has: []string{"rc4_modern", "rc4", "no_forward_secrecy", "no_aead"}},
		{name: "non-reference clients do not count", fixture: "legacy",
			sims: []obs.ClientSimulation{sim("TLSv1.2", 0xc02f, true), sim("TLSv1.2", 0x0005, false)},
			sem:  Negotiated, not: []string{"rc4_modern"}},
		{name: "3DES negotiated with TLS 1.2: sweet32", fixture: "legacy",
			sims: []obs.ClientSimulation{sim("TLSv1.2", 0x000a, true), sim("TLSv1.2", 0xc02f, true)},
			sem:  Negotiated, has: []string{"sweet32"}, not: []string{"no_forward_secrecy"}},
		{name: "modern server, clients negotiate RSA key exchange only: no FS cap B", fixture: "modern",
			sims: []obs.ClientSimulation{sim("TLSv1.2", 0x009c, true)}, sem: Negotiated, has: []string{"no_forward_secrecy"}},
		{name: "all simulations failed: fall back to offered", fixture: "legacy",
			sims: []obs.ClientSimulation{{Client: "c", Reference: true, Error: "alert:handshake_failure"}},
			sem:  Offered, has: []string{"rc4"}, note: "no simulated reference client"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := checktest.Observation(t, tc.fixture)
			o.ClientSimulations = tc.sims
			g := Compute(o, []checks.Finding{pass(checks.IDVulnPoodleSSLv3)}, tc.opts)
			if g.Semantics != tc.sem {
				t.Errorf("semantics %q, want %q", g.Semantics, tc.sem)
			}
			got := rules(g.Caps)
			for _, r := range tc.has {
				if !slices.Contains(got, r) {
					t.Errorf("cap %s missing: %q", r, got)
				}
			}
			for _, r := range tc.not {
				if slices.Contains(got, r) {
					t.Errorf("cap %s applied: %+v", r, g.Caps)
				}
			}
			if tc.note != "" && !slices.ContainsFunc(g.NotAssessed, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("no note %q in %q", tc.note, g.NotAssessed)
			}
		})
	}
}
