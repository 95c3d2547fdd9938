package kx

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

type cases = map[string]checktest.Case

const (
	pass = checktest.Pass
	fail = checktest.Fail
	na   = checktest.NA
	inc  = checktest.Inc
)

func noDH(o *obs.Observation) { o.DH = nil }

func noDHAtAll(o *obs.Observation) {
	o.DH = nil
	for i := range o.Protocols {
		for j := range o.Protocols[i].Suites {
			o.Protocols[i].Suites[j].KeyExchange = nil
		}
	}
}

func TestDHUnder2048(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDKxDHUnder2048, cases{
		"modern":  {Fixture: "modern", Want: na, WantDetail: "no DHE suite accepted"},
		"legacy":  {Fixture: "legacy", Want: fail, WantDetail: "DH under 2048 bits: 1024-bit prime (modp1024) seen with TLSv1.0 TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "512-bit prime"},
		"from suite records": {Fixture: "legacy", Want: fail, Edit: noDH,
			WantDetail: "1024-bit prime with TLSv1.0 TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
		"unrecorded": {Fixture: "legacy", Want: inc, Edit: noDHAtAll,
			WantDetail: "2 DHE suite(s) accepted but no DH parameters were recorded: TLSv1.0: TLS_DHE_RSA_WITH_AES_128_CBC_SHA; TLSv1.2"},
		"2048": {Fixture: "legacy", Want: pass, WantDetail: "all DH primes are at least 2048 bits: 2048-bit prime (ffdhe2048)",
			Edit: func(o *obs.Observation) { o.DH[0].Bits, o.DH[0].Known = 2048, "ffdhe2048" }},
		"failed": {Fixture: "failed", Want: na},
	})
}

func TestDHUnder1024(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDKxDHUnder1024, cases{
		"modern":  {Fixture: "modern", Want: na},
		"legacy":  {Fixture: "legacy", Want: pass, WantDetail: "at least 1024 bits"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "DH under 1024 bits: 512-bit prime seen with TLSv1.0 TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", WantSeverity: checks.SeverityCritical},
	})
}

func TestDHCommonPrime(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDKxDHCommonPrime, cases{
		"modern":  {Fixture: "modern", Want: na},
		"legacy":  {Fixture: "legacy", Want: fail, WantSeverity: checks.SeverityHigh, WantDetail: "common DH prime under 2048 bits: modp1024 (1024 bits, RFC 2409 Oakley group 2)"},
		"ancient": {Fixture: "sslv2_sslv3", Want: pass, WantDetail: "none of the 1 DH prime(s) is a known common prime"},
		"1536": {Fixture: "legacy", Want: fail, WantSeverity: checks.SeverityMedium, WantDetail: "modp1536 (1536 bits",
			Edit: func(o *obs.Observation) { o.DH[0].Bits, o.DH[0].Known = 1536, "modp1536" }},
		"ffdhe2048": {Fixture: "legacy", Want: pass, WantDetail: "only well-known primes of 2048 bits or more: ffdhe2048",
			Edit: func(o *obs.Observation) { o.DH[0].Bits, o.DH[0].Known, o.DH[0].Source = 2048, "ffdhe2048", "RFC 7919" }},
		"sizes only": {Fixture: "legacy", Want: inc, Edit: noDH, WantDetail: "not the primes"},
	})
}

func TestRSAKeyExchange(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDKxRSAKeyExchange, cases{
		"modern": {Fixture: "modern", Want: pass, WantDetail: "no static RSA key-exchange suites"},
		"legacy": {Fixture: "legacy", Want: fail, WantDetail: "9 static RSA key-exchange suites accepted: TLSv1.0: TLS_RSA_WITH_AES_128_CBC_SHA"},
		"failed": {Fixture: "failed", Want: na},
	})
}

func TestWeakCurve(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDKxWeakCurve, cases{
		"modern":  {Fixture: "modern", Want: pass, WantDetail: "no curve under 224 bits among: TLS<=1.2 x25519 (253 bits)"},
		"legacy":  {Fixture: "legacy", Want: fail, WantDetail: "weak curves accepted: TLS<=1.2 secp192r1 (192 bits)"},
		"ancient": {Fixture: "sslv2_sslv3", Want: na, WantDetail: "no elliptic-curve key exchange accepted"},
		"groups from suites": {Fixture: "modern", Want: pass, WantDetail: "TLSv1.2 x25519 (253 bits)",
			Edit: func(o *obs.Observation) { o.Groups = nil }},
		"suite record without size": {Fixture: "modern", Want: fail, WantDetail: "TLSv1.2 secp192r1 (192 bits)",
			Edit: func(o *obs.Observation) {
				o.Groups = nil
				o.Protocols[4].Suites[0].KeyExchange = &obs.KeyExchange{Kind: "ECDHE", Group: "secp192r1"}
			}},
		"not enumerated": {Fixture: "modern", Want: inc, WantDetail: "groups were not enumerated",
			Edit: func(o *obs.Observation) { o.Groups = nil; noDHAtAll(o) }},
	})
}

func TestNoPostQuantum(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDKxNoPostQuantum, cases{
		"modern": {Fixture: "modern", Want: pass, WantDetail: "post-quantum groups accepted: X25519MLKEM768"},
		"classical only": {Fixture: "modern", Want: fail, WantDetail: "no post-quantum group among the TLS 1.3 groups: x25519, secp256r1, secp384r1",
			Edit: func(o *obs.Observation) { o.Groups.TLS13 = o.Groups.TLS13[1:] }},
		"registry flag": {Fixture: "modern", Want: pass, WantDetail: "X25519MLKEM768",
			Edit: func(o *obs.Observation) { o.Groups.TLS13[0].PostQuantum = false }},
		"legacy":      {Fixture: "legacy", Want: na, WantDetail: "TLS 1.3 is not accepted"},
		"probe error": {Fixture: "partial", Want: inc, WantDetail: "TLSv1.3 probe failed"},
		"no groups": {Fixture: "modern", Want: inc, WantDetail: "TLS 1.3 groups were not enumerated",
			Edit: func(o *obs.Observation) { o.Groups = nil }},
	})
}
