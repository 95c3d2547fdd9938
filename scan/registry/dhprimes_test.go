package registry

import (
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os/exec"
	"testing"
)

func TestKnownPrimesArePrime(t *testing.T) {
	ps := KnownPrimes()
	if len(ps) < 40 {
		t.Fatalf("%d primes", len(ps))
	}
	names := map[string]bool{}
	one := big.NewInt(1)
	for _, p := range ps {
		p := p
		if names[p.Name] {
			t.Errorf("duplicate name %s", p.Name)
		}
		names[p.Name] = true
		if p.Bits != p.P.BitLen() || p.Bits < 512 || p.Bits%256 != 0 {
			t.Errorf("%s: %d bits (BitLen %d)", p.Name, p.Bits, p.P.BitLen())
		}
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			if !p.P.ProbablyPrime(0) {
				t.Fatalf("%s is not prime", p.Name)
			}
			q := new(big.Int).Rsh(new(big.Int).Sub(p.P, one), 1)
			if safe := q.ProbablyPrime(0); safe != p.Safe {
				t.Errorf("%s: safe prime %v, listed as %v", p.Name, safe, p.Safe)
			}
		})
		name, src, ok := KnownPrime(new(big.Int).Set(p.P))
		if !ok || name != p.Name || src != p.Source {
			t.Errorf("KnownPrime(%s) = %q %q %v", p.Name, name, src, ok)
		}
	}
	if _, _, ok := KnownPrime(big.NewInt(23)); ok {
		t.Error("23 is not a known DH prime")
	}
	if _, _, ok := KnownPrime(nil); ok {
		t.Error("nil is not a known DH prime")
	}
	// KnownPrimes returns copies.
	ps = KnownPrimes()
	ps[0].P.SetInt64(5)
	if KnownPrimes()[0].P.Cmp(big.NewInt(5)) == 0 {
		t.Error("KnownPrimes exposes the table")
	}
}

// opensslDHPrime returns the prime OpenSSL uses for genpkey -pkeyopt opt.
func opensslDHPrime(t *testing.T, bin, alg, opt string) *big.Int {
	t.Helper()
	out, err := exec.Command(bin, "genpkey", "-genparam", "-algorithm", alg, "-pkeyopt", opt).Output()
	if err != nil {
		t.Fatalf("openssl genpkey %s: %v", opt, err)
	}
	b, _ := pem.Decode(out)
	if b == nil {
		t.Fatalf("openssl genpkey %s: no PEM", opt)
	}
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(b.Bytes, &seq); err != nil {
		t.Fatal(err)
	}
	var p *big.Int
	if _, err := asn1.Unmarshal(seq.Bytes, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestKnownPrimesAgainstOpenSSL: the RFC 7919, 3526 and 5114 primes are
// the ones OpenSSL has built in.
func TestKnownPrimesAgainstOpenSSL(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl binary needed for the cross-check: %v", err)
	}
	for name, opt := range map[string][2]string{
		"ffdhe2048": {"DH", "group:ffdhe2048"}, "ffdhe3072": {"DH", "group:ffdhe3072"},
		"ffdhe4096": {"DH", "group:ffdhe4096"}, "ffdhe6144": {"DH", "group:ffdhe6144"},
		"ffdhe8192": {"DH", "group:ffdhe8192"},
		"modp1536":  {"DH", "group:modp_1536"}, "modp2048": {"DH", "group:modp_2048"},
		"modp3072": {"DH", "group:modp_3072"}, "modp4096": {"DH", "group:modp_4096"},
		"modp6144": {"DH", "group:modp_6144"}, "modp8192": {"DH", "group:modp_8192"},
		"rfc5114-1024-160": {"DHX", "dh_rfc5114:1"}, "rfc5114-2048-224": {"DHX", "dh_rfc5114:2"},
		"rfc5114-2048-256": {"DHX", "dh_rfc5114:3"},
	} {
		p := opensslDHPrime(t, bin, opt[0], opt[1])
		got, _, ok := KnownPrime(p)
		if !ok || got != name {
			t.Errorf("OpenSSL's %s is known as %q (%v), want %s", opt[1], got, ok, name)
		}
	}
}

// fixedPoint returns floor(2^bits * c) for c = pi or e, computed with big
// integers (Machin's formula; the series of 1/k!).
func fixedPoint(c string, bits uint) *big.Int {
	const guard = 64
	one := new(big.Int).Lsh(big.NewInt(1), bits+guard)
	sum := new(big.Int)
	switch c {
	case "e":
		term := new(big.Int).Set(one)
		for k := int64(1); term.Sign() > 0; k++ {
			sum.Add(sum, term)
			term.Quo(term, big.NewInt(k))
		}
	case "pi":
		atan := func(x int64) *big.Int { // atan(1/x)
			s := new(big.Int)
			pow := new(big.Int).Quo(one, big.NewInt(x))
			x2 := big.NewInt(x * x)
			for k := int64(0); pow.Sign() > 0; k++ {
				term := new(big.Int).Quo(pow, big.NewInt(2*k+1))
				if k%2 == 0 {
					s.Add(s, term)
				} else {
					s.Sub(s, term)
				}
				pow.Quo(pow, x2)
			}
			return s
		}
		sum.Sub(new(big.Int).Mul(big.NewInt(16), atan(5)), new(big.Int).Mul(big.NewInt(4), atan(239)))
	}
	return sum.Rsh(sum, guard)
}

// TestKnownPrimesFormula rebuilds the RFC 2409/3526 primes from pi and the
// RFC 7919 ones from e: p = 2^n - 2^(n-64) - 1 + 2^64 * (floor(2^(n-130) c) + k).
func TestKnownPrimesFormula(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    string
		n    uint
		k    int64
	}{
		{"modp768", "pi", 768, 149686}, {"modp1024", "pi", 1024, 129093},
		{"modp1536", "pi", 1536, 741804}, {"modp2048", "pi", 2048, 124476},
		{"modp3072", "pi", 3072, 1690314}, {"modp4096", "pi", 4096, 240904},
		{"modp6144", "pi", 6144, 929484}, {"modp8192", "pi", 8192, 4743158},
		{"ffdhe2048", "e", 2048, 560316}, {"ffdhe3072", "e", 3072, 2625351},
		{"ffdhe4096", "e", 4096, 5736041}, {"ffdhe6144", "e", 6144, 15705020},
		{"ffdhe8192", "e", 8192, 10965728},
	} {
		p := new(big.Int).Lsh(big.NewInt(1), tc.n)
		p.Sub(p, new(big.Int).Lsh(big.NewInt(1), tc.n-64))
		p.Sub(p, big.NewInt(1))
		mid := fixedPoint(tc.c, tc.n-130)
		mid.Add(mid, big.NewInt(tc.k))
		p.Add(p, mid.Lsh(mid, 64))
		if got, _, ok := KnownPrime(p); !ok || got != tc.name {
			t.Errorf("%s from its formula is known as %q (%v)", tc.name, got, ok)
		}
	}
}
