package cipher

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

// common adds the rows every suite check shares: a failed scan is not
// applicable, a server that accepted no protocol neither.
func common(c cases) cases {
	c["failed scan"] = checktest.Case{Fixture: "failed", Want: na, WantDetail: "connection refused"}
	c["no protocol"] = checktest.Case{Fixture: "modern", Want: na, WantDetail: "no protocol version was accepted",
		Edit: func(o *obs.Observation) {
			for i := range o.Protocols {
				o.Protocols[i].Supported = false
			}
		}}
	return c
}

// only keeps the suites with the given IDs in every protocol.
func only(ids ...uint16) func(o *obs.Observation) {
	keep := map[uint16]bool{}
	for _, id := range ids {
		keep[id] = true
	}
	return func(o *obs.Observation) {
		for i := range o.Protocols {
			var ss []obs.Suite
			for _, s := range o.Protocols[i].Suites {
				if keep[s.ID] {
					ss = append(ss, s)
				}
			}
			o.Protocols[i].Suites = ss
		}
	}
}

func TestNull(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherNull, common(cases{
		"modern":  {Fixture: "modern", Want: pass, WantDetail: "no NULL (unencrypted) suites among the 6 accepted suites"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "1 NULL (unencrypted) suites accepted: SSLv3: TLS_RSA_WITH_NULL_MD5"},
		"partial": {Fixture: "partial", Want: inc, WantDetail: "but probing failed for SSLv2: read tcp: i/o timeout"},
	}))
}

func TestAnonymous(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherAnonymous, common(cases{
		"legacy":  {Fixture: "legacy", Want: pass, WantDetail: "no anonymous suites among the 15 accepted suites"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "SSLv3: TLS_DH_anon_WITH_RC4_128_MD5"},
	}))
}

func TestExport(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherExport, common(cases{
		"legacy": {Fixture: "legacy", Want: pass},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantSeverity: checks.SeverityCritical,
			WantDetail: "2 export suites accepted: SSLv2: SSL_CK_RC4_128_EXPORT40_WITH_MD5; SSLv3: TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
	}))
}

func TestRC4(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherRC4, common(cases{
		"modern":  {Fixture: "modern", Want: pass},
		"legacy":  {Fixture: "legacy", Want: fail, WantDetail: "1 RC4 suites accepted: TLSv1.0: TLS_RSA_WITH_RC4_128_SHA"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "SSLv3: TLS_RSA_WITH_RC4_128_MD5, TLS_RSA_EXPORT_WITH_RC4_40_MD5, TLS_DH_anon_WITH_RC4_128_MD5; TLSv1.0: TLS_RSA_WITH_RC4_128_MD5"},
	}))
}

func TestDES64BitBlock(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherDES64BitBlock, common(cases{
		"modern":  {Fixture: "modern", Want: pass},
		"legacy":  {Fixture: "legacy", Want: fail, WantDetail: "3 64-bit block cipher suites accepted: TLSv1.0: TLS_RSA_WITH_3DES_EDE_CBC_SHA; TLSv1.1: TLS_RSA_WITH_3DES_EDE_CBC_SHA; TLSv1.2: TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "SSLv2: SSL_CK_DES_192_EDE3_CBC_WITH_MD5; SSLv3: TLS_RSA_WITH_DES_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
	}))
}

func TestWeakUnder128(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherWeakUnder128, common(cases{
		"modern":  {Fixture: "modern", Want: pass, WantDetail: "no suites under 128 bits"},
		"legacy":  {Fixture: "legacy", Want: fail, WantDetail: "TLSv1.0: TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "TLS_RSA_EXPORT_WITH_RC4_40_MD5, TLS_RSA_WITH_DES_CBC_SHA"},
	}))
}

func TestNoForwardSecrecy(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherNoForwardSecrecy, common(cases{
		"modern": {Fixture: "modern", Want: pass, WantDetail: "all 6 accepted suites have forward secrecy"},
		"legacy": {Fixture: "legacy", Want: fail, WantSeverity: checks.SeverityLow,
			WantDetail: "9 of 15 accepted suites lack forward secrecy: TLSv1.0: TLS_RSA_WITH_AES_128_CBC_SHA"},
		"rsa only": {Fixture: "legacy", Want: fail, WantSeverity: checks.SeverityMedium, Edit: only(0x002f, 0x009c),
			WantDetail: "none of the 4 accepted suites has forward secrecy: TLSv1.0: TLS_RSA_WITH_AES_128_CBC_SHA; TLSv1.1"},
		"partial": {Fixture: "partial", Want: inc, WantDetail: "all 1 accepted suites have forward secrecy, but probing failed"},
	}))
}

func TestNoAEAD(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherNoAEAD, common(cases{
		"modern":  {Fixture: "modern", Want: pass, WantDetail: "6 of 6 accepted suites are AEAD"},
		"legacy":  {Fixture: "legacy", Want: pass, WantDetail: "2 of 15 accepted suites are AEAD: TLSv1.2: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_GCM_SHA256"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "none of the 12 accepted suites is AEAD"},
		"cbc only, errors": {Fixture: "partial", Want: inc, WantDetail: "no AEAD suite among the accepted ones, but probing failed",
			Edit: func(o *obs.Observation) { o.Protocols[4].Suites = []obs.Suite{{ID: 0xc013}} }},
	}))
}

func TestCBCTLS10(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherCBCTLS10, common(cases{
		"modern":  {Fixture: "modern", Want: pass},
		"legacy":  {Fixture: "legacy", Want: fail, WantDetail: "TLSv1.0: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_DHE_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "SSLv3: TLS_RSA_WITH_DES_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA; TLSv1.0"},
		"tls12 cbc only": {Fixture: "legacy", Want: pass,
			Edit: func(o *obs.Observation) { o.Protocols[2].Supported, o.Protocols[3].Supported = false, false }},
	}))
}

func TestCBC(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherCBC, common(cases{
		"modern":  {Fixture: "modern", Want: pass, WantDetail: "no CBC suites"},
		"legacy":  {Fixture: "legacy", Want: fail, WantDetail: "TLSv1.2: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_DHE_RSA_WITH_AES_128_CBC_SHA", WantSeverity: checks.SeverityInfo},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "SSLv3: TLS_RSA_WITH_DES_CBC_SHA"},
	}))
}

func TestClientOrder(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDCipherClientOrder, common(cases{
		"modern":  {Fixture: "modern", Want: fail, WantDetail: "followed for TLSv1.2, TLSv1.3"},
		"legacy":  {Fixture: "legacy", Want: pass, WantDetail: "enforces its suite order for TLSv1.0, TLSv1.1, TLSv1.2"},
		"partial": {Fixture: "partial", Want: inc, WantDetail: "could not be determined for TLSv1.2"},
	}))
}
