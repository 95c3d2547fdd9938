package cert

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

// TestUntrustedIgnoresSystemStore: a chain trusted only by the machine's
// system store still fails cert.untrusted (the verdict must not depend on
// the machine), unless the system store is the only one configured; its
// trust line is reported either way.
func TestUntrustedIgnoresSystemStore(t *testing.T) {
	p := getPKI(t)
	o := observe(host, p.Good, p.Inter)
	sys := checks.TrustStore{Name: certanalysis.SystemStoreName, Roots: [][]byte{p.RootA.DER}}
	other := checks.TrustStore{Name: "mozilla", Roots: [][]byte{p.RootB.DER}}

	env := checks.Env{Now: testNow, Stores: []checks.TrustStore{other, sys}}
	if st := status(t, "cert.untrusted", o, env); st != checks.StatusFail {
		t.Errorf("trusted by the system store only: %s, want fail", st)
	}
	a := Analyze(o, env)
	if tr := a.Chains[0].Trust; len(tr) != 2 || tr[1].Store != certanalysis.SystemStoreName || !tr[1].Trusted {
		t.Errorf("trust lines %+v, want the system store's, trusted", tr)
	}
	env.Stores = []checks.TrustStore{sys}
	if st := status(t, "cert.untrusted", o, env); st != checks.StatusPass {
		t.Errorf("system store alone: %s, want pass", st)
	}
	env.Stores = []checks.TrustStore{other, sys, {Name: "custom", Roots: [][]byte{p.RootA.DER}}}
	if st := status(t, "cert.untrusted", o, env); st != checks.StatusPass {
		t.Errorf("trusted by --ca-file: %s, want pass", st)
	}
}
