package cert

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
)

// TestNewestRootMatchesCryptoX509: the walk reads every Mozilla root's
// notBefore as crypto/x509 does, UTCTime and GeneralizedTime alike (a date
// from 2050 on is a GeneralizedTime).
func TestNewestRootMatchesCryptoX509(t *testing.T) {
	roots := MozillaStore().Roots
	var want time.Time
	for i, der := range roots {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		nb, ok := rawNotBefore(der)
		if !ok || !nb.Equal(c.NotBefore) {
			t.Errorf("root %d: walk %v ok=%v, crypto/x509 %v", i, nb, ok, c.NotBefore)
		}
		if c.NotBefore.After(want) {
			want = c.NotBefore
		}
	}
	if got, ok := NewestRoot(roots); !ok || !got.Equal(want) {
		t.Errorf("NewestRoot %v ok=%v, want %v", got, ok, want)
	}
	late := caTmpl("Late Root")
	late.NotBefore = time.Date(2051, 3, 4, 5, 6, 7, 0, time.UTC)
	late.NotAfter = late.NotBefore.AddDate(1, 0, 0)
	c := issue(t, late, ecKey(t), nil)
	if got, ok := NewestRoot(append([][]byte{c.der}, roots...)); !ok || !got.Equal(late.NotBefore) {
		t.Errorf("GeneralizedTime notBefore: %v ok=%v, want %v", got, ok, late.NotBefore)
	}
	if _, ok := NewestRoot([][]byte{[]byte("junk")}); ok {
		t.Error("a store of junk has a date")
	}
}

// TestStoreVerdictsAndRoles: every store gets a cert.store_trust finding;
// an informational store does not decide cert.untrusted; the trust line
// carries the store's provenance aged at the audit.
func TestStoreVerdictsAndRoles(t *testing.T) {
	p := getPKI(t)
	o := observe(host, p.good, p.inter)
	date := testNow.AddDate(0, 0, -400)
	named := checks.TrustStore{Name: "apple", Roots: [][]byte{p.rootA.der}, Informational: true,
		Provenance: &checks.StoreProvenance{Origin: "platform", File: "/x/Apple.pem", Date: date, DateSource: "newest_certificate", Note: "a snapshot"}}
	moz := checks.TrustStore{Name: "mozilla", Roots: [][]byte{p.rootB.der}}
	env := checks.Env{Now: testNow, Stores: []checks.TrustStore{moz, named}}
	if st := status(t, "cert.untrusted", o, env); st != checks.StatusFail {
		t.Errorf("trusted by an informational store only: cert.untrusted %s, want fail", st)
	}
	fs := run(t, IDStoreTrust, o, env)
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

// FuzzParseStore: no bundle makes the store parsers or the date walk panic;
// every root ParseStore keeps is a certificate, and ParseBundle keeps them
// too.
func FuzzParseStore(f *testing.F) {
	var b []byte
	for _, der := range MozillaStore().Roots[:3] {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	f.Add(b)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Add(MozillaStore().Roots[0])
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := ParseStore("fuzz", data)
		if err != nil {
			return
		}
		for _, r := range ts.Roots {
			if checkRoot(r) != nil {
				t.Fatal("ParseStore kept a root that does not parse")
			}
		}
		NewestRoot(ts.Roots)
		rawNotBefore(data)
		if b, err := ParseBundle("fuzz", data); err == nil && len(b.Roots) < len(ts.Roots) {
			t.Fatalf("ParseBundle kept %d roots, ParseStore %d", len(b.Roots), len(ts.Roots))
		}
	})
}
