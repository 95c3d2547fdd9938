package certanalysis

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// TestRawSubjectSPKIStores: for every root of the embedded Mozilla set (and
// the test PKI) the walk gives the bytes crypto/x509 keeps.
func TestRawSubjectSPKIStores(t *testing.T) {
	roots := truststore.Mozilla().Roots
	p := getPKI(t)
	for _, c := range []*tcert{p.RootA, p.RootB, p.Inter, p.Good, p.SelfSigned, p.SHA1Leaf} {
		roots = append(roots, c.DER)
	}
	for i, der := range roots {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("root %d: %v", i, err)
		}
		subj, spki, ok := rawSubjectSPKI(der)
		if !ok || !bytes.Equal(subj, c.RawSubject) || !bytes.Equal(spki, c.RawSubjectPublicKeyInfo) {
			t.Errorf("root %d (%s): walk ok=%v gives other bytes than crypto/x509", i, c.Subject, ok)
		}
	}
}

// FuzzRawSubjectSPKI: whatever crypto/x509 parses, the walk gives the same
// subject and key bytes; nothing makes it panic.
func FuzzRawSubjectSPKI(f *testing.F) {
	for _, der := range truststore.Mozilla().Roots[:4] {
		f.Add(der)
	}
	f.Add([]byte{0x30, 0x03, 0x30, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		subj, spki, ok := rawSubjectSPKI(der)
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return
		}
		if !ok || !bytes.Equal(subj, c.RawSubject) || !bytes.Equal(spki, c.RawSubjectPublicKeyInfo) {
			t.Fatalf("crypto/x509 parses it, the walk gives ok=%v and other bytes", ok)
		}
	})
}

// TestWalkedAnchorMustParse: a root the walk indexes but no parser takes
// (here a certificate without its signature) is no anchor, as when roots
// were indexed from a full parse; the real root with the same name and key
// is one.
func TestWalkedAnchorMustParse(t *testing.T) {
	p := getPKI(t)
	in := cryptobyte.String(p.RootA.DER)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		t.Fatal("test root does not walk")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(tbs) })
	broken := b.BytesOrPanic()
	if _, _, ok := rawSubjectSPKI(broken); !ok {
		t.Fatal("the broken root does not walk")
	}
	if _, err := parseLenient(broken); err == nil {
		t.Fatal("zcrypto parses a certificate without a signature")
	}
	served := newPCert(p.RootA.DER, "served", 0, nil, nil)
	for _, tc := range []struct {
		root []byte
		want bool
	}{{broken, false}, {p.RootA.DER, true}} {
		st := parseStore(truststore.Store{Name: "t", Roots: [][]byte{tc.root}}, nil)
		if got := st.isAnchor(served); got != tc.want {
			t.Errorf("isAnchor = %v, want %v", got, tc.want)
		}
	}
}

// TestPrelint: a lint made ahead (Prelint) is the one the analysis takes.
func TestPrelint(t *testing.T) {
	p := getPKI(t)
	c := newPCert(p.Good.DER, "served", 0, nil, nil)
	z := NewAnalyzer()
	z.Prelint(c.c)
	a, b := z.lint(c.c), z.lint(c.c)
	if want := lint1(c.c); fmt.Sprint(a) != fmt.Sprint(want) || len(a) > 0 && &a[0] != &b[0] {
		t.Errorf("prelint %v, lint %v", a, want)
	}
}
