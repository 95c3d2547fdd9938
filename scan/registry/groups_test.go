package registry

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/tls"
	"testing"
)

func TestGroupsTable(t *testing.T) {
	names := map[string]bool{}
	prev := -1
	for _, g := range Groups() {
		if int(g.ID) <= prev {
			t.Errorf("%s: not sorted by ID", g.Name)
		}
		prev = int(g.ID)
		if names[g.Name] {
			t.Errorf("duplicate name %s", g.Name)
		}
		names[g.Name] = true
		if g.PostQuantum != (g.Kind == "kem" || g.Kind == "hybrid") {
			t.Errorf("%s: PostQuantum %v, kind %s", g.Name, g.PostQuantum, g.Kind)
		}
		if g.PostQuantum && (g.TLS12 || !g.TLS13) {
			t.Errorf("%s: post-quantum groups are TLS 1.3 only", g.Name)
		}
		if !g.TLS12 && !g.TLS13 {
			t.Errorf("%s: usable nowhere", g.Name)
		}
		if GroupName(g.ID) != g.Name {
			t.Errorf("GroupName(%d) = %s", g.ID, GroupName(g.ID))
		}
	}
	if len(names) < 55 {
		t.Errorf("%d groups", len(names))
	}
	if GroupName(0x1234) != "0x1234" {
		t.Errorf("GroupName(0x1234) = %s", GroupName(0x1234))
	}
	for id, name := range map[uint16]string{1: "sect163k1", 23: "secp256r1", 25: "secp521r1", 28: "brainpoolP512r1",
		29: "x25519", 30: "x448", 31: "brainpoolP256r1tls13", 34: "GC256A", 41: "curveSM2", 256: "ffdhe2048", 260: "ffdhe8192",
		0x0200: "MLKEM512", 0x0202: "MLKEM1024", 0x11EC: "X25519MLKEM768", 0x6399: "X25519Kyber768Draft00", 0x639A: "SecP256r1Kyber768Draft00"} {
		if GroupName(id) != name {
			t.Errorf("GroupName(0x%04X) = %s, want %s", id, GroupName(id), name)
		}
	}
}

// TestGroupKeyShareLengths checks KeyShareLen against the encodings Go's
// crypto/ecdh and crypto/mlkem produce, and the IDs against crypto/tls.
func TestGroupKeyShareLengths(t *testing.T) {
	share := func(c ecdh.Curve) int {
		k, err := c.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		return len(k.PublicKey().Bytes())
	}
	dk768, err := mlkem.GenerateKey768()
	if err != nil {
		t.Fatal(err)
	}
	dk1024, err := mlkem.GenerateKey1024()
	if err != nil {
		t.Fatal(err)
	}
	ek768, ek1024 := len(dk768.EncapsulationKey().Bytes()), len(dk1024.EncapsulationKey().Bytes())
	x25519, p256, p384, p521 := share(ecdh.X25519()), share(ecdh.P256()), share(ecdh.P384()), share(ecdh.P521())
	for _, tc := range []struct {
		id   tls.CurveID
		want int
	}{
		{tls.X25519, x25519}, {tls.CurveP256, p256}, {tls.CurveP384, p384}, {tls.CurveP521, p521},
		{tls.X25519MLKEM768, ek768 + x25519}, {tls.SecP256r1MLKEM768, p256 + ek768},
		{tls.SecP384r1MLKEM1024, p384 + ek1024},
		{0x0201, ek768}, {0x0202, ek1024}, {0x6399, x25519 + ek768}, {0x639A, p256 + ek768},
	} {
		g, ok := GroupByID(uint16(tc.id))
		if !ok {
			t.Errorf("group %d (%v) missing", tc.id, tc.id)
			continue
		}
		if g.KeyShareLen != tc.want {
			t.Errorf("%s: KeyShareLen %d, Go encodes %d", g.Name, g.KeyShareLen, tc.want)
		}
	}
	// FFDHE key shares are as long as the prime.
	for _, g := range Groups() {
		if g.Kind != "ffdhe" {
			continue
		}
		p, ok := primeByName(g.Name)
		if !ok || g.KeyShareLen*8 != p.Bits || g.Bits != p.Bits {
			t.Errorf("%s: KeyShareLen %d, Bits %d, prime %+v", g.Name, g.KeyShareLen, g.Bits, p)
		}
	}
}

func primeByName(name string) (Prime, bool) {
	for _, p := range KnownPrimes() {
		if p.Name == name {
			return p, true
		}
	}
	return Prime{}, false
}
