package proto

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

type cases = map[string]checktest.Case

// setProto edits the named protocol of a fixture.
func setProto(name string, edit func(p *obs.Protocol)) func(o *obs.Observation) {
	return func(o *obs.Observation) {
		for i := range o.Protocols {
			if o.Protocols[i].Name == name {
				edit(&o.Protocols[i])
			}
		}
	}
}

const (
	pass = checktest.Pass
	fail = checktest.Fail
	na   = checktest.NA
	inc  = checktest.Inc
)

func TestSSLv2Enabled(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDProtoSSLv2Enabled, cases{
		"modern":  {Fixture: "modern", Want: pass, WantDetail: "SSLv2 is not accepted"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "SSLv2 is accepted with 3 suite(s): SSLv2: SSL_CK_RC4_128_WITH_MD5, SSL_CK_RC4_128_EXPORT40_WITH_MD5"},
		"no cipher specs": {Fixture: "modern", Want: fail, WantDetail: "no cipher specs offered: still enabled, CVE-2015-3197",
			Edit: setProto("SSLv2", func(p *obs.Protocol) { p.Supported = true })},
		"not probed": {Fixture: "modern", Want: na, WantDetail: "SSLv2 was not probed",
			Edit: func(o *obs.Observation) { o.Protocols = o.Protocols[1:] }},
		"failed scan": {Fixture: "failed", Want: na, WantDetail: "status connection_refused"},
		"probe error": {Fixture: "partial", Want: inc, WantDetail: "SSLv2 probe failed: read tcp: i/o timeout"},
	})
}

func TestSSLv3Enabled(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDProtoSSLv3Enabled, cases{
		"legacy":      {Fixture: "legacy", Want: pass, WantDetail: "SSLv3 is not accepted"},
		"ancient":     {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "SSLv3 is accepted with 6 suite(s): SSLv3: TLS_RSA_WITH_RC4_128_MD5", WantSeverity: checks.SeverityHigh},
		"failed scan": {Fixture: "failed", Want: na},
		"probe error": {Fixture: "partial", Want: inc, WantDetail: "SSLv3 probe failed"},
	})
}

func TestTLS10Enabled(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDProtoTLS10Enabled, cases{
		"modern":      {Fixture: "modern", Want: pass, WantDetail: "TLSv1.0 is not accepted"},
		"legacy":      {Fixture: "legacy", Want: fail, WantDetail: "TLSv1.0 is accepted with 5 suite(s): TLSv1.0: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
		"failed scan": {Fixture: "failed", Want: na},
		"probe error": {Fixture: "partial", Want: inc, WantDetail: "TLSv1.0 probe failed"},
	})
}

func TestTLS11Enabled(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDProtoTLS11Enabled, cases{
		"modern":  {Fixture: "modern", Want: pass, WantDetail: "TLSv1.1 is not accepted"},
		"partial": {Fixture: "partial", Want: pass},
		"legacy":  {Fixture: "legacy", Want: fail, WantDetail: "TLSv1.1 is accepted with 3 suite(s)", WantSeverity: checks.SeverityMedium},
		"failed":  {Fixture: "failed", Want: na},
	})
}

func TestTLS12Missing(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDProtoTLS12Missing, cases{
		"modern":  {Fixture: "modern", Want: pass, WantDetail: "TLSv1.2 is accepted with 3 suite(s)"},
		"ancient": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "TLSv1.2 is not accepted", WantSeverity: checks.SeverityLow},
		"tls13 only": {Fixture: "modern", Want: fail, WantDetail: "TLSv1.3 is, so only clients without TLS 1.3", WantSeverity: checks.SeverityInfo,
			Edit: setProto("TLSv1.2", func(p *obs.Protocol) { p.Supported, p.Suites = false, nil })},
		"failed": {Fixture: "failed", Want: na},
	})
}

func TestTLS13Missing(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDProtoTLS13Missing, cases{
		"modern":      {Fixture: "modern", Want: pass, WantDetail: "TLSv1.3 is accepted"},
		"legacy":      {Fixture: "legacy", Want: fail, WantDetail: "TLSv1.3 is not accepted; TLSv1.2 is, which is still acceptable"},
		"ancient":     {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "TLSv1.3 is not accepted"},
		"probe error": {Fixture: "partial", Want: inc, WantDetail: "TLSv1.3 probe failed: unexpected message"},
		"failed":      {Fixture: "failed", Want: na},
	})
}
