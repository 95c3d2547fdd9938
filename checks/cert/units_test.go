package cert

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

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

func TestCAAAndDANE(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.rootA)
	o := observe(host, p.good, p.inter)
	spki := sha256.Sum256(p.good.cert.RawSubjectPublicKeyInfo)
	full := sha256.Sum256(p.inter.der)
	o.DNS = &obs.DNSRecords{
		CAAName: "example.test", CAA: []obs.CAARecord{{Tag: "issue", Value: "tlsaudit.test"}},
		TLSAName: "_443._tcp.www.example.test",
		TLSA:     []obs.TLSARecord{{Usage: 3, Selector: 1, MatchingType: 1, Data: hex.EncodeToString(spki[:])}},
	}
	// The issuer's O is "tlsaudit test": the CAA domain "tlsaudit.test" matches it.
	if st := status(t, "cert.caa_forbids_issuer", o, env); st != checks.StatusPass {
		t.Errorf("CAA permitting the issuer: %s %+v", st, run(t, "cert.caa_forbids_issuer", o, env))
	}
	if st := status(t, "cert.dane_mismatch", o, env); st != checks.StatusPass {
		t.Errorf("DANE-EE SPKI match: %s", st)
	}
	o2 := observe(host, p.good, p.inter)
	o2.DNS = &obs.DNSRecords{
		CAAName: "example.test", CAA: []obs.CAARecord{{Tag: "issue", Value: "letsencrypt.org"}},
		TLSA: []obs.TLSARecord{{Usage: 3, Selector: 0, MatchingType: 1, Data: hex.EncodeToString(full[:])}},
	}
	// Let's Encrypt is not the issuer; the matching type 1 record hashes the
	// intermediate, which a DANE-EE record cannot match.
	if st := status(t, "cert.caa_forbids_issuer", o2, env); st != checks.StatusFail {
		t.Errorf("CAA for another CA: %s", st)
	}
	if st := status(t, "cert.dane_mismatch", o2, env); st != checks.StatusFail {
		t.Errorf("DANE mismatch: %s", st)
	}
	o2.DNS.TLSA[0].Usage = 2 // DANE-TA on the intermediate
	o3 := observe(host, p.good, p.inter)
	o3.DNS = o2.DNS
	if st := status(t, "cert.dane_mismatch", o3, env); st != checks.StatusPass {
		t.Errorf("DANE-TA match: %s", st)
	}
	o4 := observe(host, p.good, p.inter)
	o4.DNS = &obs.DNSRecords{CAA: []obs.CAARecord{{Flag: 128, Tag: "tbs", Value: "x"}}}
	if st := status(t, "cert.caa_forbids_issuer", o4, env); st != checks.StatusFail {
		t.Errorf("unknown critical CAA tag: %s", st)
	}
}

func FuzzParseSCTList(f *testing.F) {
	f.Add(sctList(makeSCT(testNow)))
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
		_ = Analyze(o, checks.Env{Now: testNow, Hostname: "x.test"})
	})
}
