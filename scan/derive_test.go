package scan

import "testing"

// TestDerivedFirstAnswers: the group and signature algorithm sequences
// take their first answer from the suite chains' hellos, and the
// sequences whose order no observation keeps make no order check: against
// real servers (gnutls-serv serves one connection at a time, so each
// connection saved is time saved) discovery finds exactly what it finds
// without, in fewer connections, and says what it derived.
func TestDerivedFirstAnswers(t *testing.T) {
	for _, tt := range realServers {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.start(t)
			want, before, _ := discoverSteps(srv, func(a *audit) { a.noDerive = true; a.ep.specDepth = 1 })
			got, after, _ := discoverSteps(srv, func(a *audit) { a.ep.specDepth = 1 })
			if g, w := discoveryFacts(got), discoveryFacts(want); g != w {
				t.Errorf("deriving:\n%s\nnot deriving:\n%s", g, w)
			}
			t.Logf("%d connections deriving, %d not; groups: %q; signature algorithms: %q", after, before, got.Groups.TLS12DerivedFrom, got.SignatureAlgorithms.TLS12DerivedFrom)
			if after >= before {
				t.Errorf("%d connections deriving, %d not: want fewer", after, before)
			}
			if got.SignatureAlgorithms.TLS12DerivedFrom == "" {
				t.Errorf("no derived TLS 1.2 signature algorithm")
			}
		})
	}
}
