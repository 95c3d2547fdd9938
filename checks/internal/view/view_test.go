package view

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

func TestSuiteClasses(t *testing.T) {
	get := func(id uint16) registry.Suite {
		s, ok := registry.SuiteByID(id)
		if !ok {
			t.Fatalf("suite 0x%04x not in the registry", id)
		}
		return s
	}
	cases := []struct {
		id                             uint16
		bits                           int
		cbc, rc4, null, anon, rsa, dhe bool
	}{
		{0x000a, 112, true, false, false, false, true, false},   // RSA 3DES
		{0x0005, 128, false, true, false, false, true, false},   // RSA RC4
		{0x0001, 0, false, false, true, false, true, false},     // RSA NULL MD5
		{0x0018, 128, false, true, false, true, false, false},   // DH_anon RC4
		{0x0033, 128, true, false, false, false, false, true},   // DHE AES CBC
		{0xc02f, 128, false, false, false, false, false, false}, // ECDHE AES GCM
		{0x1302, 256, false, false, false, false, false, false}, // TLS 1.3
	}
	for _, c := range cases {
		s := get(c.id)
		if got := EffectiveBits(s); got != c.bits {
			t.Errorf("0x%04x EffectiveBits = %d, want %d", c.id, got, c.bits)
		}
		if IsCBC(s) != c.cbc || IsRC4(s) != c.rc4 || IsNull(s) != c.null || IsAnonymous(s) != c.anon ||
			IsStaticRSA(s) != c.rsa || IsDHE(s) != c.dhe {
			t.Errorf("0x%04x (%s) classes cbc/rc4/null/anon/rsa/dhe = %v/%v/%v/%v/%v/%v, want %+v", c.id, s.Name,
				IsCBC(s), IsRC4(s), IsNull(s), IsAnonymous(s), IsStaticRSA(s), IsDHE(s), c)
		}
	}
	if got := EffectiveBits(registry.Suite{Cipher: "3DES_EDE_CBC", Bits: 168}); got != 112 {
		t.Errorf("3DES counted as %d bits, want 112", got)
	}
}

func TestEvidence(t *testing.T) {
	ss := []Suite{
		{Protocol: TLS10, Suite: obs.Suite{Name: "A"}},
		{Protocol: TLS10, Suite: obs.Suite{ID: 0x000a}},
		{Protocol: TLS12, Suite: obs.Suite{ID: 0xfefe}},
		{Protocol: SSLv2, Suite: obs.Suite{ID24: 0x010080}},
	}
	ss[1].Info, ss[1].Known = registry.SuiteByID(0x000a)
	want := "TLSv1.0: A, TLS_RSA_WITH_3DES_EDE_CBC_SHA; TLSv1.2: 0xFEFE; SSLv2: 0x010080"
	if got := Evidence(ss); got != want {
		t.Errorf("Evidence = %q, want %q", got, want)
	}
	if got := Protocols(ss); got != "TLSv1.0, TLSv1.2, SSLv2" {
		t.Errorf("Protocols = %q", got)
	}
	if got := Unknown(ss); got != " (3 suite(s) unknown to the registry not judged)" {
		t.Errorf("Unknown = %q", got)
	}
}

func TestRSAEquivalents(t *testing.T) {
	for bits, want := range map[int]int{0: 0, 112: 716, 160: 1024, 192: 1024, 224: 2048, 253: 3072, 256: 3072, 384: 7680, 521: 15360} {
		if got := ECRSAEquivalent(bits); got != want {
			t.Errorf("ECRSAEquivalent(%d) = %d, want %d", bits, got, want)
		}
	}
	for _, c := range []struct {
		g    obs.Group
		want int
	}{
		{obs.Group{ID: 29, Name: "x25519"}, 3072}, // registry
		{obs.Group{ID: 0xfe00, Bits: 256}, 3072},  // unknown EC, from size
		{obs.Group{ID: 0xfe01, Bits: 3072}, 3072}, // unknown finite field
		{obs.Group{ID: 0xfe02}, 0},                // nothing known
	} {
		if got := GroupRSABits(c.g); got != c.want {
			t.Errorf("GroupRSABits(%+v) = %d, want %d", c.g, got, c.want)
		}
	}
}

func TestKxGroup(t *testing.T) {
	g, ok := KxGroup(&obs.KeyExchange{Kind: "ECDHE", Group: "SECP256R1"})
	if !ok || g.ID != 23 || g.Bits != 256 || GroupRSABits(g) != 3072 {
		t.Errorf("KxGroup(secp256r1) = %+v, %v", g, ok)
	}
	if g, ok := KxGroup(&obs.KeyExchange{Kind: "ECDHE", Group: "X25519MLKEM768"}); !ok || !PostQuantum(g) {
		t.Errorf("KxGroup(X25519MLKEM768) = %+v, %v", g, ok)
	}
	if _, ok := KxGroup(&obs.KeyExchange{Kind: "DHE", Bits: 2048}); ok {
		t.Error("a DHE record without a group gave a group")
	}
	if _, ok := KxGroup(nil); ok {
		t.Error("nil record gave a group")
	}
}
