package wire

import (
	"bytes"
	"math/big"
	"testing"
)

// Both sides of an FFDHE exchange derive the same padded secret, and shares
// out of range are refused (RFC 7919 5.1).
func TestFFDHEKeyShare(t *testing.T) {
	for _, g := range []uint16{GroupFFDHE2048, GroupFFDHE3072} {
		ks, priv, err := GenerateKeyShare(nil, g)
		if err != nil {
			t.Fatal(err)
		}
		p := ffdhePrime(g)
		size := (p.BitLen() + 7) / 8
		if len(ks.Data) != size || KeyShareSize(g) != size || !priv.HasSecret() {
			t.Fatalf("group %#x: share of %d bytes, want %d (secret %v)", g, len(ks.Data), size, priv.HasSecret())
		}
		s := big.NewInt(123456789)
		server := new(big.Int).Exp(big.NewInt(2), s, p).FillBytes(make([]byte, size))
		want := new(big.Int).Exp(new(big.Int).SetBytes(ks.Data), s, p).FillBytes(make([]byte, size))
		got, err := priv.SharedSecret(server)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("group %#x: secret mismatch (%v)", g, err)
		}
		one := make([]byte, size)
		one[size-1] = 1
		if _, err := priv.SharedSecret(one); err == nil {
			t.Errorf("group %#x: a share of 1 was accepted", g)
		}
		if _, err := priv.SharedSecret(server[1:]); err == nil {
			t.Errorf("group %#x: a short share was accepted", g)
		}
	}
}
