package truststore

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNotBeforeMatchesCryptoX509: the walk reads every Mozilla root's
// notBefore, subject and key as crypto/x509 does, UTCTime and
// GeneralizedTime alike (a date from 2050 on is a GeneralizedTime).
func TestNotBeforeMatchesCryptoX509(t *testing.T) {
	roots := Mozilla().Roots
	var want time.Time
	for i, der := range roots {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		if nb, ok := NotBefore(der); !ok || !nb.Equal(c.NotBefore) {
			t.Errorf("root %d: walk %v ok=%v, crypto/x509 %v", i, nb, ok, c.NotBefore)
		}
		if subj, spki, ok := RawSubjectSPKI(der); !ok || string(subj) != string(c.RawSubject) || string(spki) != string(c.RawSubjectPublicKeyInfo) {
			t.Errorf("root %d: the walk gives other subject or key bytes", i)
		}
		if c.NotBefore.After(want) {
			want = c.NotBefore
		}
	}
	if got, ok := NewestRoot(roots); !ok || !got.Equal(want) {
		t.Errorf("NewestRoot %v ok=%v, want %v", got, ok, want)
	}
	late := rootDER(t, "Late Root", time.Date(2051, 3, 4, 5, 6, 7, 0, time.UTC))
	if got, ok := NewestRoot(append([][]byte{late}, roots...)); !ok || !got.Equal(time.Date(2051, 3, 4, 5, 6, 7, 0, time.UTC)) {
		t.Errorf("GeneralizedTime notBefore: %v ok=%v", got, ok)
	}
	if _, ok := NewestRoot([][]byte{[]byte("junk")}); ok {
		t.Error("a store of junk has a date")
	}
	if p := Mozilla().Provenance; p == nil || p.Origin != "embedded" || !p.Date.Equal(want) || Mozilla().Informational {
		t.Errorf("Mozilla provenance %+v", p)
	}
}

func rootDER(t *testing.T, cn string, notBefore time.Time) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore,
		NotAfter: notBefore.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestNamedStores: a named store is informational and dated by its newest
// root; a directory gives one store per NAME.pem; bad names, reserved
// names, missing files and empty directories are errors.
func TestNamedStores(t *testing.T) {
	dir := t.TempDir()
	nb := time.Now().UTC().AddDate(-2, 0, 0).Truncate(time.Second)
	pemOf := func(der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}) }
	a := filepath.Join(dir, "Acme.pem")
	os.WriteFile(a, append(pemOf(rootDER(t, "A1", nb)), pemOf(rootDER(t, "A2", nb.AddDate(0, 0, -5)))...), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600)
	st, err := LoadNamed("acme", a)
	if err != nil || !st.Informational || len(st.Roots) != 2 || st.Provenance == nil || st.Provenance.Origin != "file" ||
		st.Provenance.File != a || !st.Provenance.Date.Equal(nb) || st.Provenance.DateSource != "newest_certificate" {
		t.Fatalf("LoadNamed: %v %+v %+v", err, st, st.Provenance)
	}
	sts, err := LoadDir(dir)
	if err != nil || len(sts) != 1 || sts[0].Name != "acme" {
		t.Fatalf("LoadDir: %v %+v", err, sts)
	}
	c, err := Load(CustomName, a)
	if err != nil || c.Informational || c.Provenance == nil || c.Provenance.Origin != "file" {
		t.Errorf("Load (custom) %v %+v", err, c)
	}
	for _, bad := range []string{"", "Apple", "a b", "mozilla", "system", "custom", strings.Repeat("x", 33)} {
		if _, err := LoadNamed(bad, a); err == nil {
			t.Errorf("store name %q accepted", bad)
		}
	}
	if _, err := LoadNamed("x", filepath.Join(dir, "missing.pem")); err == nil {
		t.Error("missing file accepted")
	}
	if _, err := LoadNamed("x", dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory as a bundle: %v", err)
	}
	if _, err := LoadDir(t.TempDir()); err == nil {
		t.Error("empty directory accepted")
	}
	if sts, err := Platform(t.TempDir()); err != nil || len(sts) != 0 {
		t.Errorf("Platform of an empty directory: %v %d", err, len(sts))
	}
}

// TestPlatformStoresOfTestsslPackage reads the bundles Debian's testssl.sh
// package installs: three informational stores of the 2022 snapshot.
func TestPlatformStoresOfTestsslPackage(t *testing.T) {
	for _, b := range PlatformBundles {
		if _, err := os.Stat(filepath.Join(PlatformDir, b.File)); err != nil {
			t.Fatalf("%v: install Debian's testssl.sh package (apt-get install testssl.sh; .ci/run does)", err)
		}
	}
	sts, err := Platform(PlatformDir)
	if err != nil || len(sts) != 3 {
		t.Fatalf("Platform: %v, %d stores", err, len(sts))
	}
	for i, st := range sts {
		p := st.Provenance
		if st.Name != PlatformBundles[i].Store || !st.Informational || len(st.Roots) < 50 || p == nil || p.Origin != "platform" ||
			!strings.Contains(p.Note, "snapshot") || p.Date.Year() < 2015 || p.Date.Year() > 2023 {
			t.Errorf("%s: %d roots, %+v", st.Name, len(st.Roots), p)
		}
	}
}

// FuzzParse: no bundle makes the store parsers or the walks panic; every
// root Parse keeps is a certificate, and ParseBundle keeps them too.
func FuzzParse(f *testing.F) {
	var b []byte
	for _, der := range Mozilla().Roots[:3] {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	f.Add(b)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Add(Mozilla().Roots[0])
	f.Fuzz(func(t *testing.T, data []byte) {
		NotBefore(data)
		RawSubjectSPKI(data)
		ts, err := Parse("fuzz", data)
		if err != nil {
			return
		}
		for _, r := range ts.Roots {
			if checkRoot(r) != nil {
				t.Fatal("Parse kept a root that does not parse")
			}
		}
		NewestRoot(ts.Roots)
		if bs, err := ParseBundle("fuzz", data); err != nil || len(bs.Roots) < len(ts.Roots) {
			t.Fatalf("ParseBundle: %v, %d roots, Parse %d", err, len(bs.Roots), len(ts.Roots))
		}
	})
}
