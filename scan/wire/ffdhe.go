package wire

import (
	"io"
	"math/big"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// FFDHE key shares (RFC 7919, RFC 8446 4.2.8.1): Y = g^x mod p with g = 2,
// sent and computed left-padded to the length of p.

var ffdheNames = map[uint16]string{
	GroupFFDHE2048: "ffdhe2048",
	GroupFFDHE3072: "ffdhe3072",
	GroupFFDHE4096: "ffdhe4096",
	GroupFFDHE6144: "ffdhe6144",
	GroupFFDHE8192: "ffdhe8192",
}

var (
	ffdheOnce   sync.Once
	ffdhePrimes map[uint16]*big.Int
)

// ffdhePrime returns the RFC 7919 prime of group, or nil.
func ffdhePrime(group uint16) *big.Int {
	ffdheOnce.Do(func() {
		ffdhePrimes = map[uint16]*big.Int{}
		byName := map[string]*big.Int{}
		for _, p := range registry.KnownPrimes() {
			byName[p.Name] = p.P
		}
		for g, n := range ffdheNames {
			if p := byName[n]; p != nil {
				ffdhePrimes[g] = p
			}
		}
	})
	return ffdhePrimes[group]
}

// ffdheKey is the private half of an FFDHE key share.
type ffdheKey struct {
	p, x *big.Int
}

// newFFDHE draws a private exponent (as long as the prime, minus a byte, so
// it is below p-1) and returns the public share.
func newFFDHE(r io.Reader, group uint16) (*ffdheKey, []byte, error) {
	p := ffdhePrime(group)
	if p == nil {
		return nil, nil, nil
	}
	size := (p.BitLen() + 7) / 8
	buf := make([]byte, size-1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, nil, err
	}
	x := new(big.Int).SetBytes(buf)
	if x.Cmp(big.NewInt(2)) < 0 {
		x.SetInt64(2)
	}
	y := new(big.Int).Exp(big.NewInt(2), x, p)
	return &ffdheKey{p: p, x: x}, y.FillBytes(make([]byte, size)), nil
}

// secret computes Z = Y^x mod p, left-padded to the length of p, after
// checking 1 < Y < p-1 (RFC 7919 5.1).
func (k *ffdheKey) secret(serverShare []byte) ([]byte, error) {
	size := (k.p.BitLen() + 7) / 8
	if len(serverShare) != size {
		return nil, decodeErr("key_share", "FFDHE server share of %d bytes, want %d", len(serverShare), size)
	}
	y := new(big.Int).SetBytes(serverShare)
	pm1 := new(big.Int).Sub(k.p, big.NewInt(1))
	if y.Cmp(big.NewInt(1)) <= 0 || y.Cmp(pm1) >= 0 {
		return nil, decodeErr("key_share", "FFDHE server share out of range")
	}
	z := new(big.Int).Exp(y, k.x, k.p)
	return z.FillBytes(make([]byte, size)), nil
}
