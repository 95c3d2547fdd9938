package wire

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/cloudflare/circl/dh/x448"
	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
)

// KeySharePrivate is the private half of a key share made by
// GenerateKeyShare. For groups tlsaudit can only offer (the brainpool
// TLS 1.3 curves) it holds nothing and SharedSecret fails with
// ErrNoSharedSecret.
type KeySharePrivate struct {
	Group uint16
	ecdh  *ecdh.PrivateKey
	kem   interface {
		Decapsulate([]byte) ([]byte, error)
	}
	kemCTSize int
	ecdhSize  int // size of the ECDH element in a hybrid share
	ffdhe     *ffdheKey
	x448      *x448.Key // private scalar of an x448 share (RFC 7748)
}

// ErrNoSharedSecret is returned by SharedSecret for a key share of random bytes.
var ErrNoSharedSecret = errors.New("wire: no private key for this group (random key share)")

// keyShareSizes gives the client key_share length of groups offered with
// random bytes or by the FFDHE code (RFC 8446 4.2.8.1/2, RFC 7919, RFC 8734).
var keyShareSizes = map[uint16]int{
	GroupFFDHE2048:            256,
	GroupFFDHE3072:            384,
	GroupFFDHE4096:            512,
	GroupFFDHE6144:            768,
	GroupFFDHE8192:            1024,
	GroupBrainpoolP256r1TLS13: 65,
	GroupBrainpoolP384r1TLS13: 97,
	GroupBrainpoolP512r1TLS13: 129,
}

// KeyShareSize returns the length of the client key_share for group, or 0
// when the group is unknown.
func KeyShareSize(group uint16) int {
	switch group {
	case GroupX25519:
		return 32
	case GroupSecp256r1:
		return 65
	case GroupSecp384r1:
		return 97
	case GroupSecp521r1:
		return 133
	case GroupX448:
		return x448.Size
	case GroupMLKEM512:
		return mlkem512.PublicKeySize
	case GroupMLKEM768:
		return mlkem.EncapsulationKeySize768
	case GroupMLKEM1024:
		return mlkem.EncapsulationKeySize1024
	case GroupX25519MLKEM768:
		return mlkem.EncapsulationKeySize768 + 32
	case GroupSecP256r1MLKEM768:
		return 65 + mlkem.EncapsulationKeySize768
	case GroupSecP384r1MLKEM1024:
		return 97 + mlkem.EncapsulationKeySize1024
	}
	return keyShareSizes[group]
}

func ecdhCurve(group uint16) ecdh.Curve {
	switch group {
	case GroupX25519, GroupX25519MLKEM768:
		return ecdh.X25519()
	case GroupSecp256r1, GroupSecP256r1MLKEM768:
		return ecdh.P256()
	case GroupSecp384r1, GroupSecP384r1MLKEM1024:
		return ecdh.P384()
	case GroupSecp521r1:
		return ecdh.P521()
	}
	return nil
}

// GenerateKeyShare makes a key share for group. Real keys are made for
// x25519, x448, secp256r1/384r1/521r1, ffdhe2048-8192, ML-KEM-512/768/1024
// and the hybrids X25519MLKEM768, SecP256r1MLKEM768 and SecP384r1MLKEM1024;
// other known groups (the brainpool TLS 1.3 curves) get random bytes of the
// right length. rand nil means crypto/rand.
func GenerateKeyShare(r io.Reader, group uint16) (KeyShare, *KeySharePrivate, error) {
	return generateKeyShare(r, group, nil)
}

// GenerateKeyShareReusing is GenerateKeyShare, except that the ECDH half of
// a hybrid group (X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024)
// reuses the ECDH key of a share in prev on the same curve instead of
// making a new one — as a client may within one handshake (crypto/tls puts
// the same X25519 key in its X25519 and X25519MLKEM768 shares), here across
// a HelloRetryRequest. It saves a key generation per retry; the share sent
// is one a fresh key could have made.
func GenerateKeyShareReusing(r io.Reader, group uint16, prev []*KeySharePrivate) (KeyShare, *KeySharePrivate, error) {
	c := ecdhCurve(group)
	switch group {
	case GroupX25519MLKEM768, GroupSecP256r1MLKEM768, GroupSecP384r1MLKEM1024:
		for _, p := range prev {
			if p != nil && p.ecdh != nil && p.kem == nil && p.ecdh.Curve() == c {
				return generateKeyShare(r, group, p.ecdh)
			}
		}
	}
	return generateKeyShare(r, group, nil)
}

func generateKeyShare(r io.Reader, group uint16, reuse *ecdh.PrivateKey) (KeyShare, *KeySharePrivate, error) {
	if r == nil {
		r = rand.Reader
	}
	priv := &KeySharePrivate{Group: group}
	if group == GroupX448 {
		// RFC 7748 5: the private key is 56 random bytes (clamped by
		// circl), the share the u-coordinate of its public point.
		var sk, pk x448.Key
		if _, err := io.ReadFull(r, sk[:]); err != nil {
			return KeyShare{}, nil, fmt.Errorf("wire: generating an x448 key share: %w", err)
		}
		x448.KeyGen(&pk, &sk)
		priv.x448 = &sk
		return KeyShare{Group: group, Data: pk[:]}, priv, nil
	}
	var ecdhPub, kemPub []byte
	if c := ecdhCurve(group); c != nil {
		k, err := reuse, error(nil)
		if k == nil {
			k, err = c.GenerateKey(r)
		}
		if err != nil {
			return KeyShare{}, nil, fmt.Errorf("wire: generating a %s key share: %w", groupLabel(group), err)
		}
		priv.ecdh = k
		ecdhPub = k.PublicKey().Bytes()
		priv.ecdhSize = len(ecdhPub)
	}
	var seed [mlkem.SeedSize]byte
	switch group {
	case GroupMLKEM512:
		// crypto/mlkem has no ML-KEM-512: circl's (same 64-byte d||z seed, FIPS 203).
		if _, err := io.ReadFull(r, seed[:]); err != nil {
			return KeyShare{}, nil, err
		}
		pk, sk := mlkem512.NewKeyFromSeed(seed[:])
		ek, err := pk.MarshalBinary()
		if err != nil {
			return KeyShare{}, nil, err
		}
		priv.kem, priv.kemCTSize = mlkem512Key{sk}, mlkem512.CiphertextSize
		kemPub = ek
	case GroupMLKEM768, GroupX25519MLKEM768, GroupSecP256r1MLKEM768:
		if _, err := io.ReadFull(r, seed[:]); err != nil {
			return KeyShare{}, nil, err
		}
		dk, err := mlkem.NewDecapsulationKey768(seed[:])
		if err != nil {
			return KeyShare{}, nil, err
		}
		priv.kem, priv.kemCTSize = dk, mlkem.CiphertextSize768
		kemPub = dk.EncapsulationKey().Bytes()
	case GroupMLKEM1024, GroupSecP384r1MLKEM1024:
		if _, err := io.ReadFull(r, seed[:]); err != nil {
			return KeyShare{}, nil, err
		}
		dk, err := mlkem.NewDecapsulationKey1024(seed[:])
		if err != nil {
			return KeyShare{}, nil, err
		}
		priv.kem, priv.kemCTSize = dk, mlkem.CiphertextSize1024
		kemPub = dk.EncapsulationKey().Bytes()
	}
	var data []byte
	if ff, pub, err := newFFDHE(r, group); err != nil {
		return KeyShare{}, nil, err
	} else if ff != nil {
		priv.ffdhe = ff
		return KeyShare{Group: group, Data: pub}, priv, nil
	}
	switch {
	case ecdhPub != nil && kemPub != nil && group == GroupX25519MLKEM768:
		// draft-ietf-tls-ecdhe-mlkem 4.1: ML-KEM first for X25519MLKEM768 only.
		data = append(kemPub, ecdhPub...)
	case ecdhPub != nil && kemPub != nil:
		data = append(ecdhPub, kemPub...)
	case ecdhPub != nil:
		data = ecdhPub
	case kemPub != nil:
		data = kemPub
	default:
		n := keyShareSizes[group]
		if n == 0 {
			return KeyShare{}, nil, fmt.Errorf("wire: no key share format known for group 0x%04x", group)
		}
		data = make([]byte, n)
		if _, err := io.ReadFull(r, data); err != nil {
			return KeyShare{}, nil, err
		}
		if group == GroupBrainpoolP256r1TLS13 || group == GroupBrainpoolP384r1TLS13 || group == GroupBrainpoolP512r1TLS13 {
			data[0] = 4 // uncompressed point form, even if not on the curve
		}
	}
	return KeyShare{Group: group, Data: data}, priv, nil
}

func groupLabel(g uint16) string { return fmt.Sprintf("group 0x%04x", g) }

// mlkem512Key gives circl's ML-KEM-512 private key the Decapsulate method
// of crypto/mlkem's keys.
type mlkem512Key struct{ sk *mlkem512.PrivateKey }

func (k mlkem512Key) Decapsulate(ct []byte) ([]byte, error) {
	return mlkem512.Scheme().Decapsulate(k.sk, ct)
}

// x448Secret is the X448 shared secret with the server's share (RFC 7748
// 6.2). As for x25519 (RFC 8446 7.4.2), an all-zero result (a low-order
// server point) is refused.
func (k *KeySharePrivate) x448Secret(serverShare []byte) ([]byte, error) {
	if len(serverShare) != x448.Size {
		return nil, decodeErr("key_share", "server share of %d bytes for x448, want %d", len(serverShare), x448.Size)
	}
	var pub, shared x448.Key
	copy(pub[:], serverShare)
	if !x448.Shared(&shared, k.x448, &pub) {
		return nil, decodeErr("key_share", "invalid server x448 share: a low-order point (all-zero shared secret)")
	}
	return shared[:], nil
}

// HasSecret reports whether SharedSecret can work for this share.
func (k *KeySharePrivate) HasSecret() bool {
	return k != nil && (k.ecdh != nil || k.kem != nil || k.ffdhe != nil || k.x448 != nil)
}

// SharedSecret computes the shared secret from the server's key_share data.
func (k *KeySharePrivate) SharedSecret(serverShare []byte) ([]byte, error) {
	if !k.HasSecret() {
		return nil, ErrNoSharedSecret
	}
	if k.ffdhe != nil {
		return k.ffdhe.secret(serverShare)
	}
	if k.x448 != nil {
		return k.x448Secret(serverShare)
	}
	want := k.ecdhSize + k.kemCTSize
	if k.kem != nil && k.ecdh != nil && k.Group == GroupX25519MLKEM768 {
		want = 32 + k.kemCTSize
	}
	if k.ecdh != nil && k.kem == nil {
		want = len(serverShare) // checked by ecdh.NewPublicKey
	}
	if len(serverShare) != want {
		return nil, decodeErr("key_share", "server share of %d bytes for %s, want %d", len(serverShare), groupLabel(k.Group), want)
	}
	var ecdhPart, kemPart []byte
	switch {
	case k.ecdh != nil && k.kem != nil && k.Group == GroupX25519MLKEM768:
		kemPart, ecdhPart = serverShare[:k.kemCTSize], serverShare[k.kemCTSize:]
	case k.ecdh != nil && k.kem != nil:
		ecdhPart, kemPart = serverShare[:k.ecdhSize], serverShare[k.ecdhSize:]
	case k.ecdh != nil:
		ecdhPart = serverShare
	default:
		kemPart = serverShare
	}
	var ecdhSecret, kemSecret []byte
	if k.ecdh != nil {
		pub, err := k.ecdh.Curve().NewPublicKey(ecdhPart)
		if err != nil {
			return nil, decodeErr("key_share", "invalid server ECDH share for %s: %v", groupLabel(k.Group), err)
		}
		if ecdhSecret, err = k.ecdh.ECDH(pub); err != nil {
			return nil, decodeErr("key_share", "ECDH with the server share failed: %v", err)
		}
	}
	if k.kem != nil {
		var err error
		if kemSecret, err = k.kem.Decapsulate(kemPart); err != nil {
			return nil, decodeErr("key_share", "invalid ML-KEM ciphertext: %v", err)
		}
	}
	if k.Group == GroupX25519MLKEM768 {
		return append(kemSecret, ecdhSecret...), nil
	}
	return append(ecdhSecret, kemSecret...), nil
}
