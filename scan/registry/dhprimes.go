package registry

import (
	_ "embed"
	"fmt"
	"math/big"
	"strings"
	"sync"
)

// Prime is a well-known finite-field Diffie-Hellman prime.
type Prime struct {
	Name   string   // short name, e.g. "ffdhe2048", "modp1024", "rfc5114-1024-160", "apache-2.2-1024-b"
	Source string   // where it is published, e.g. "RFC 7919 ffdhe2048" or a testssl.sh label
	P      *big.Int // the prime
	Bits   int      // P.BitLen()
	// Safe: (P-1)/2 is prime too. False for the DSA-style primes with a
	// small prime-order subgroup (RFC 5114, Sun) and one weakdh.org prime.
	Safe bool
}

//go:embed dhprimes.txt
var dhPrimesData string

// dhTable is the parsed dhprimes.txt: the primes, and the index of each by
// the hex of P. Parsed on first use (only DHE servers need it), not at
// start-up.
type dhTable struct {
	primes  []Prime
	byPrime map[string]int
}

var dhPrimesTable = sync.OnceValue(func() dhTable {
	t := dhTable{byPrime: map[string]int{}}
	for n, line := range strings.Split(dhPrimesData, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			panic(fmt.Sprintf("registry: dhprimes.txt line %d: %d fields", n+1, len(f)))
		}
		p, ok := new(big.Int).SetString(f[3], 16)
		if !ok {
			panic(fmt.Sprintf("registry: dhprimes.txt line %d: bad hex", n+1))
		}
		t.byPrime[p.Text(16)] = len(t.primes)
		t.primes = append(t.primes, Prime{Name: f[0], Source: f[2], P: p, Bits: p.BitLen(), Safe: f[1] == "safe"})
	}
	return t
})

// KnownPrime reports whether p is a well-known DH prime, and which.
func KnownPrime(p *big.Int) (name, source string, ok bool) {
	if p == nil {
		return "", "", false
	}
	t := dhPrimesTable()
	i, ok := t.byPrime[p.Text(16)]
	if !ok {
		return "", "", false
	}
	return t.primes[i].Name, t.primes[i].Source, true
}

// KnownPrimes returns all well-known DH primes (RFC ones first).
func KnownPrimes() []Prime {
	dhPrimes := dhPrimesTable().primes
	out := make([]Prime, len(dhPrimes))
	for i, p := range dhPrimes {
		p.P = new(big.Int).Set(p.P)
		out[i] = p
	}
	return out
}
