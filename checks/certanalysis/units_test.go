package certanalysis

import (
	"crypto/rand"
	"crypto/rsa"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks/internal/certtest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func TestROCA(t *testing.T) {
	// A modulus congruent to a power of 65537 modulo the primorial of the
	// fingerprint primes has the fingerprint (as Infineon primes p = kM + 65537^a mod M do).
	m := big.NewInt(1)
	for _, p := range rocaPrimes {
		m.Mul(m, big.NewInt(p))
	}
	gp := new(big.Int).Exp(big.NewInt(65537), big.NewInt(1234), m)
	gq := new(big.Int).Exp(big.NewInt(65537), big.NewInt(777), m)
	k1, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 800))
	k2, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 800))
	pp := new(big.Int).Add(new(big.Int).Mul(k1, m), gp)
	qq := new(big.Int).Add(new(big.Int).Mul(k2, m), gq)
	if !IsROCA(new(big.Int).Mul(pp, qq)) {
		t.Error("constructed ROCA modulus not detected")
	}
	p := getPKI(t)
	if IsROCA(p.RSA1024.Key.(*rsa.PrivateKey).N) || IsROCA(p.InterRSA.Key.(*rsa.PrivateKey).N) {
		t.Error("random RSA key flagged as ROCA")
	}
}

func TestMatchHostname(t *testing.T) {
	names := []string{"www.example.test", "*.wild.test", "f*.partial.test", "*.test", "UPPER.Example.test."}
	ips := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
	cases := []struct {
		host string
		want bool
	}{
		{"www.example.test", true},
		{"WWW.EXAMPLE.TEST.", true},
		{"upper.example.test", true},
		{"a.wild.test", true},
		{"wild.test", false},
		{"a.b.wild.test", false},
		{"foo.partial.test", false}, // partial wildcards never match
		{"x.test", false},           // "*.test" is too broad
		{"127.0.0.1", true},
		{"[::1]", true},
		{"127.0.0.2", false},
		{"", false},
	}
	for _, c := range cases {
		if _, got := MatchHostname(c.host, names, ips); got != c.want {
			t.Errorf("MatchHostname(%q) = %v, want %v", c.host, got, c.want)
		}
	}
	// An IP address never matches a DNS SAN spelling it.
	if _, ok := MatchHostname("127.0.0.1", []string{"127.0.0.1"}, nil); ok {
		t.Error("IP matched a DNS SAN")
	}
}

func TestMaxValidityDays(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	cases := map[string]int{"2017-01-01": 1187, "2019-01-01": 825, "2020-09-01": 398, "2026-03-14": 398,
		"2026-03-15": 200, "2027-03-15": 100, "2029-03-15": 47}
	for day, want := range cases {
		if got := MaxValidityDays(d(day)); got != want {
			t.Errorf("%s: %d, want %d", day, got, want)
		}
	}
}

func FuzzParseSCTList(f *testing.F) {
	f.Add(certtest.SCTList(certtest.MakeSCT(testNow)))
	f.Add([]byte{0, 2, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		raws, _ := ParseSCTList(b)
		for _, r := range raws {
			_, _ = ParseSCT(r)
		}
	})
}

func FuzzParseStaple(f *testing.F) {
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseStaple(b, nil, nil, testNow)
	})
}

// FuzzAnalyzeDER feeds arbitrary bytes as a served certificate: a hostile
// server must never make the analysis panic.
func FuzzAnalyzeDER(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte("not a certificate"))
	f.Fuzz(func(t *testing.T, b []byte) {
		o := &obs.Observation{Chains: []obs.Chain{{Certificates: []obs.Certificate{{DER: b}, {DER: b}}, OCSPStaple: b, SCTs: [][]byte{b}}}}
		_ = NewAnalyzer().Analyze(o, Input{Now: testNow, Hostname: "x.test"})
	})
}
