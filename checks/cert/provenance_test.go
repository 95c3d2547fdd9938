package cert

import (
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// TestStoreVerdictsAndRoles: every store gets a cert.store_trust finding;
// an informational store does not decide cert.untrusted; the trust line
// carries the store's provenance aged at the audit.
func TestStoreVerdictsAndRoles(t *testing.T) {
	p := getPKI(t)
	o := observe(host, p.Good, p.Inter)
	date := testNow.AddDate(0, 0, -400)
	named := checks.TrustStore{Name: "apple", Roots: [][]byte{p.RootA.DER}, Informational: true,
		Provenance: &truststore.Provenance{Origin: "platform", File: "/x/Apple.pem", Date: date, DateSource: "newest_certificate", Note: "a snapshot"}}
	moz := checks.TrustStore{Name: "mozilla", Roots: [][]byte{p.RootB.DER}}
	env := checks.Env{Now: testNow, Stores: []checks.TrustStore{moz, named}}
	if st := status(t, "cert.untrusted", o, env); st != checks.StatusFail {
		t.Errorf("trusted by an informational store only: cert.untrusted %s, want fail", st)
	}
	fs := run(t, checks.IDCertStoreTrust, o, env)
	if len(fs) != 2 || fs[0].Subject != "store mozilla" || fs[0].Status != checks.StatusFail ||
		fs[1].Subject != "store apple" || fs[1].Status != checks.StatusPass {
		t.Fatalf("store findings %+v, want mozilla fail, apple pass", fs)
	}
	for _, want := range []string{"trusted by apple; path ", "(anchor)", "platform store /x/Apple.pem, newest root", "(400 days old); a snapshot", "informational"} {
		if !strings.Contains(fs[1].Detail, want) {
			t.Errorf("apple's detail %q lacks %q", fs[1].Detail, want)
		}
	}
	tr := Analyze(o, env).Chains[0].Trust[1]
	if !tr.Informational || tr.Roots != 1 || tr.Provenance == nil || tr.Provenance.AgeDays != 400 {
		t.Errorf("apple's trust line %+v", tr)
	}
	if s, ok := StoreOfSubject("store apple, ECDSA chain"); !ok || s != "apple" {
		t.Errorf("StoreOfSubject: %q %v", s, ok)
	}
}

// BenchmarkAnalyzeWithPlatformStores is the cost the platform stores add to
// the analysis of one chain (paths built in three more stores), against the
// Mozilla store alone.
func BenchmarkAnalyzeWithPlatformStores(b *testing.B) {
	p := getPKI(b)
	o := observe(host, p.Good, p.Inter)
	plat, err := truststore.Platform(truststore.PlatformDir)
	if err != nil || len(plat) == 0 {
		b.Fatalf("platform stores (install testssl.sh): %v", err)
	}
	for _, tc := range []struct {
		name   string
		stores []checks.TrustStore
	}{
		{"mozilla", []checks.TrustStore{truststore.Mozilla()}},
		{"mozilla+platform", append([]checks.TrustStore{truststore.Mozilla()}, plat...)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			env := checks.Env{Now: testNow, Stores: tc.stores}
			Analyze(o, env)
			b.ReportAllocs()
			for b.Loop() {
				Analyze(o, env)
			}
		})
	}
}
