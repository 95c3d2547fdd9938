package wire

import (
	"bytes"
	"crypto/mlkem"
	"encoding/hex"
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// x448Share makes an x448 key share whose private key is the 56-byte
// scalar (RFC 7748 byte order).
func x448Share(t testing.TB, scalar []byte) (KeyShare, *KeySharePrivate) {
	t.Helper()
	ks, priv, err := GenerateKeyShare(bytes.NewReader(scalar), GroupX448)
	if err != nil {
		t.Fatal(err)
	}
	if ks.Group != GroupX448 || len(ks.Data) != 56 || KeyShareSize(GroupX448) != 56 || !priv.HasSecret() {
		t.Fatalf("x448 share: group %04x, %d bytes, KeyShareSize %d, HasSecret %v", ks.Group, len(ks.Data), KeyShareSize(GroupX448), priv.HasSecret())
	}
	return ks, priv
}

// The X448 known answers of RFC 7748: the two single scalar
// multiplications of 5.2 and the Diffie-Hellman exchange of 6.2, run
// through GenerateKeyShare (public key = X448(k, 5)) and SharedSecret
// (X448(k, u)).
func TestX448RFC7748(t *testing.T) {
	// Section 5.2: X448(scalar, u).
	for _, v := range []struct{ scalar, u, out string }{
		{"3d262fddf9ec8e88495266fea19a34d28882acef045104d0d1aae121700a779c984c24f8cdd78fbff44943eba368f54b29259a4f1c600ad3",
			"06fce640fa3487bfda5f6cf2d5263f8aad88334cbd07437f020f08f9814dc031ddbdc38c19c6da2583fa5429db94ada18aa7a7fb4ef8a086",
			"ce3e4ff95a60dc6697da1db1d85e6afbdf79b50a2412d7546d5f239fe14fbaadeb445fc66a01b0779d98223961111e21766282f73dd96b6f"},
		{"203d494428b8399352665ddca42f9de8fef600908e0d461cb021f8c538345dd77c3e4806e25f46d3315c44e0a5b4371282dd2c8d5be3095f",
			"0fbcc2f993cd56d3305b0b7d9e55d4c1a8fb5dbb52f8e9a1e9b6201b165d015894e56c4d3570bee52fe205e28a78b91cdfbde71ce8d157db",
			"884a02576239ff7a2f2f63b2db6a9ff37047ac13568e1e30fe63c4a7ad1b3ee3a5700df34321d62077e63633c575c1c954514e99da7c179d"},
	} {
		_, priv := x448Share(t, unhex(t, v.scalar))
		got, err := priv.SharedSecret(unhex(t, v.u))
		if err != nil || !bytes.Equal(got, unhex(t, v.out)) {
			t.Errorf("X448(%.16s..., %.16s...) = %x, %v; want %s", v.scalar, v.u, got, err, v.out)
		}
	}

	// Section 6.2: Alice and Bob.
	const (
		alicePriv = "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b"
		alicePub  = "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0"
		bobPriv   = "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d"
		bobPub    = "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609"
		shared    = "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d"
	)
	aShare, aPriv := x448Share(t, unhex(t, alicePriv))
	bShare, bPriv := x448Share(t, unhex(t, bobPriv))
	if hex.EncodeToString(aShare.Data) != alicePub {
		t.Errorf("Alice's public key %x, want %s", aShare.Data, alicePub)
	}
	if hex.EncodeToString(bShare.Data) != bobPub {
		t.Errorf("Bob's public key %x, want %s", bShare.Data, bobPub)
	}
	for name, got := range map[string]func() ([]byte, error){
		"Alice": func() ([]byte, error) { return aPriv.SharedSecret(bShare.Data) },
		"Bob":   func() ([]byte, error) { return bPriv.SharedSecret(aShare.Data) },
	} {
		k, err := got()
		if err != nil || hex.EncodeToString(k) != shared {
			t.Errorf("%s's shared secret %x, %v; want %s", name, k, err, shared)
		}
	}
}

// The iterated known answers of RFC 7748 5.2 (1 and 1,000 iterations of
// k, u = X448(k, u), k starting from k = u = 5).
func TestX448RFC7748Iterated(t *testing.T) {
	k := make([]byte, 56)
	k[0] = 5
	u := bytes.Clone(k)
	want := map[int]string{
		1:    "3f482c8a9f19b01e6c46ee9711d9dc14fd4bf67af30765c2ae2b846a4d23a8cd0db897086239492caf350b51f833868b9bc2b3bca9cf4113",
		1000: "aa3b4749d55b9daf1e5b00288826c467274ce3ebbdd5c17b975e09d4af6c67cf10d087202db88286e2b79fceea3ec353ef54faa26e219f38",
	}
	for i := 1; i <= 1000; i++ {
		_, priv := x448Share(t, k)
		r, err := priv.SharedSecret(u)
		if err != nil {
			t.Fatalf("iteration %d: %v", i, err)
		}
		k, u = r, k
		if w, ok := want[i]; ok && hex.EncodeToString(k) != w {
			t.Fatalf("after %d iterations k = %x, want %s", i, k, w)
		}
	}
}

// le56 encodes n as a 56-byte little-endian u-coordinate.
func le56(n *big.Int) []byte {
	b := n.FillBytes(make([]byte, 56))
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// Server shares that are low-order points (0, 1 and p-1, canonical or not)
// give the all-zero secret and are refused, as for x25519 (RFC 8446
// 7.4.2); wrong lengths are refused; non-canonical u-coordinates are
// reduced modulo p (RFC 7748 5).
func TestX448ServerShareChecks(t *testing.T) {
	ks, priv, err := GenerateKeyShare(nil, GroupX448)
	if err != nil {
		t.Fatal(err)
	}
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 448), new(big.Int).Lsh(big.NewInt(1), 224))
	p.Sub(p, big.NewInt(1))
	for _, u := range []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(p, big.NewInt(1)), p, new(big.Int).Add(p, big.NewInt(1))} {
		_, err := priv.SharedSecret(le56(u))
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("low-order server share u=%x: err %v, want a DecodeError", u, err)
		}
	}
	// u = p+5 is u = 5: the secret is the client's own public key.
	if got, err := priv.SharedSecret(le56(new(big.Int).Add(p, big.NewInt(5)))); err != nil || !bytes.Equal(got, ks.Data) {
		t.Errorf("non-canonical u=p+5: %x, %v; want the public key %x", got, err, ks.Data)
	}
	for _, n := range []int{0, 32, 55, 57, 112} {
		if _, err := priv.SharedSecret(make([]byte, n)); err == nil {
			t.Errorf("server share of %d bytes accepted", n)
		}
	}
	// A short random reader fails generation instead of making a weak key.
	if _, _, err := GenerateKeyShare(bytes.NewReader(make([]byte, 55)), GroupX448); err == nil {
		t.Error("x448 share generated from 55 bytes of randomness")
	}
}

// encapsulate is the server side of a crypto/mlkem key share.
func encapsulate[K interface{ Encapsulate() ([]byte, []byte) }](parse func([]byte) (K, error), ek []byte) (ss, ct []byte, err error) {
	k, err := parse(ek)
	if err != nil {
		return nil, nil, err
	}
	ss, ct = k.Encapsulate()
	return ss, ct, nil
}

// ML-KEM-512 (circl), 768 and 1024 (crypto/mlkem): the server's
// encapsulation against the share decapsulates to the same secret, and a
// ciphertext of the wrong length is refused.
func TestMLKEMKeyShares(t *testing.T) {
	encaps := map[uint16]func(ek []byte) (ss, ct []byte, err error){
		GroupMLKEM512: func(ek []byte) ([]byte, []byte, error) {
			pk, err := mlkem512.Scheme().UnmarshalBinaryPublicKey(ek)
			if err != nil {
				return nil, nil, err
			}
			ct, ss, err := mlkem512.Scheme().Encapsulate(pk)
			return ss, ct, err
		},
		GroupMLKEM768:  func(ek []byte) ([]byte, []byte, error) { return encapsulate(mlkem.NewEncapsulationKey768, ek) },
		GroupMLKEM1024: func(ek []byte) ([]byte, []byte, error) { return encapsulate(mlkem.NewEncapsulationKey1024, ek) },
	}
	ctSize := map[uint16]int{GroupMLKEM512: 768, GroupMLKEM768: 1088, GroupMLKEM1024: 1568}
	for _, g := range []uint16{GroupMLKEM512, GroupMLKEM768, GroupMLKEM1024} {
		ks, priv, err := GenerateKeyShare(nil, g)
		if err != nil {
			t.Fatal(err)
		}
		if len(ks.Data) != KeyShareSize(g) || !priv.HasSecret() {
			t.Fatalf("group %04x: share of %d bytes (KeyShareSize %d), HasSecret %v", g, len(ks.Data), KeyShareSize(g), priv.HasSecret())
		}
		ss, ct, err := encaps[g](ks.Data)
		if err != nil {
			t.Fatalf("group %04x: encapsulating to the share: %v", g, err)
		}
		if len(ct) != ctSize[g] {
			t.Fatalf("group %04x: ciphertext of %d bytes", g, len(ct))
		}
		got, err := priv.SharedSecret(ct)
		if err != nil || !bytes.Equal(got, ss) {
			t.Errorf("group %04x: decapsulated %x, %v; want %x", g, got, err, ss)
		}
		if _, err := priv.SharedSecret(ct[1:]); err == nil {
			t.Errorf("group %04x: short ciphertext accepted", g)
		}
	}
	// The ML-KEM-512 key comes from the 64-byte seed d||z of FIPS 203, as
	// crypto/mlkem's do: the same seed gives the same share.
	seed := bytes.Repeat([]byte{7}, 64)
	a, _, err := GenerateKeyShare(bytes.NewReader(seed), GroupMLKEM512)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := mlkem512.NewKeyFromSeed(seed)
	if want, _ := pk.MarshalBinary(); !bytes.Equal(a.Data, want) {
		t.Error("ML-KEM-512 share is not the key of the seed read")
	}
}

// secretGroups are the groups whose key shares FuzzKeyShareSecret
// exercises, with the length of their shared secret.
var secretGroups = []struct {
	group uint16
	size  int
}{
	{GroupX448, 56}, {GroupMLKEM512, 32}, {GroupX25519, 32}, {GroupSecp256r1, 32},
	{GroupMLKEM768, 32}, {GroupMLKEM1024, 32}, {GroupX25519MLKEM768, 64},
	{GroupSecP256r1MLKEM768, 64}, {GroupSecP384r1MLKEM1024, 80}, {GroupFFDHE2048, 256},
}

// FuzzKeyShareSecret feeds arbitrary server key_share data to
// SharedSecret for every group with a real share (x448 and ML-KEM-512 go
// to circl): a DecodeError or a secret of the group's length, never a
// panic, and the same answer twice.
func FuzzKeyShareSecret(f *testing.F) {
	privs := make([]*KeySharePrivate, len(secretGroups))
	rng := rand.NewChaCha8([32]byte{'t', 'l', 's', 'a', 'u', 'd', 'i', 't'})
	for i, g := range secretGroups {
		_, priv, err := GenerateKeyShare(rng, g.group)
		if err != nil {
			f.Fatal(err)
		}
		privs[i] = priv
	}
	for i, g := range secretGroups {
		f.Add(make([]byte, KeyShareSize(g.group)), uint8(i))
		if peer, _, err := GenerateKeyShare(rng, g.group); err == nil {
			f.Add(peer.Data, uint8(i))
		}
	}
	x448Pub, _, _ := GenerateKeyShare(rng, GroupX448)
	f.Add(x448Pub.Data, uint8(0))
	f.Add(x448Pub.Data[:55], uint8(0))
	f.Add(bytes.Repeat([]byte{0xff}, 56), uint8(0))
	f.Add(bytes.Repeat([]byte{0xff}, 768), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		i := int(which) % len(secretGroups)
		got, err := privs[i].SharedSecret(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("group %04x: error of type %T: %v", secretGroups[i].group, err, err)
			}
			return
		}
		if len(got) != secretGroups[i].size {
			t.Fatalf("group %04x: secret of %d bytes, want %d", secretGroups[i].group, len(got), secretGroups[i].size)
		}
		again, err := privs[i].SharedSecret(data)
		if err != nil || !bytes.Equal(got, again) {
			t.Fatalf("group %04x: second call gave %x, %v; first %x", secretGroups[i].group, again, err, got)
		}
	})
}

// BenchmarkKeyShare: one client key share plus the shared secret with a
// server share of the same group (what a decrypting handshake costs on our
// side), for the circl groups next to the standard library's.
func BenchmarkKeyShare(b *testing.B) {
	server := map[uint16]func(ek []byte) []byte{
		GroupX25519: func([]byte) []byte { s, _, _ := GenerateKeyShare(nil, GroupX25519); return s.Data },
		GroupX448:   func([]byte) []byte { s, _, _ := GenerateKeyShare(nil, GroupX448); return s.Data },
		GroupMLKEM512: func(ek []byte) []byte {
			pk, _ := mlkem512.Scheme().UnmarshalBinaryPublicKey(ek)
			ct, _, _ := mlkem512.Scheme().Encapsulate(pk)
			return ct
		},
		GroupMLKEM768: func(ek []byte) []byte { _, ct, _ := encapsulate(mlkem.NewEncapsulationKey768, ek); return ct },
	}
	for _, g := range []uint16{GroupX25519, GroupX448, GroupMLKEM512, GroupMLKEM768} {
		b.Run(map[uint16]string{GroupX25519: "x25519", GroupX448: "x448", GroupMLKEM512: "MLKEM512", GroupMLKEM768: "MLKEM768"}[g], func(b *testing.B) {
			ks, _, err := GenerateKeyShare(nil, g)
			if err != nil {
				b.Fatal(err)
			}
			peer := server[g](ks.Data)
			for b.Loop() {
				_, priv, err := GenerateKeyShare(nil, g)
				if err != nil {
					b.Fatal(err)
				}
				// For ML-KEM the ciphertext is for the first key: the
				// new one decapsulates it all the same (implicit
				// rejection), at the same cost.
				if _, err := priv.SharedSecret(peer); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
