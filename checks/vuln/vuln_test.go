package vuln

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

// with sets handshake probe results on a fixture.
func with(set func(p *obs.HandshakeProbes)) func(o *obs.Observation) {
	return func(o *obs.Observation) {
		if o.Probes == nil {
			o.Probes = &obs.Probes{}
		}
		set(&o.Probes.HandshakeProbes)
	}
}

var (
	done   = obs.Attempt{Status: obs.AttemptCompleted, Connections: 1}
	notApp = obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "no protocol below TLS 1.3 is accepted"}
	unsure = obs.Attempt{Status: obs.AttemptInconclusive, Reason: "the hello got no ServerHello: closed"}
	failed = obs.Attempt{Status: obs.AttemptError, Reason: "connect: connection refused"}
)

func alert(d uint8) *uint8 { return &d }
func flag(b bool) *bool    { return &b }

func TestHeartbleed(t *testing.T) {
	hb := func(r obs.HeartbleedResult) func(o *obs.Observation) {
		return with(func(p *obs.HandshakeProbes) { p.Heartbleed = &r })
	}
	checktest.RunTable(t, Checks(), checks.IDVulnHeartbleed, cases{
		"leaks": {Fixture: "modern", Want: fail, WantSeverity: checks.SeverityCritical,
			WantDetail: "claiming 16384 bytes (carrying 0) with a 16384-byte response (16403 heartbeat bytes received); leaked memory starts 2d2d",
			Edit: hb(obs.HeartbleedResult{Attempt: done, Version: "TLSv1.2", Extension: true, Mode: 1, Sent: true,
				ClaimedLength: 16384, Replied: true, ReplyLength: 16384, ReplyBytes: 16403, Evidence: "2d2d2d"})},
		"discards": {Fixture: "modern", Want: pass, WantDetail: "discarded a request claiming 16384 bytes (answer: timeout)",
			Edit: hb(obs.HeartbleedResult{Attempt: done, Extension: true, Sent: true, ClaimedLength: 16384, Answer: "timeout"})},
		"no extension": {Fixture: "modern", Want: pass, WantDetail: "does not negotiate the heartbeat extension",
			Edit: hb(obs.HeartbleedResult{Attempt: done, Version: "TLSv1.2"})},
		"echo only": {Fixture: "modern", Want: pass, WantDetail: "echoed only",
			Edit: hb(obs.HeartbleedResult{Attempt: done, Extension: true, Sent: true, Replied: true})},
		"not sent": {Fixture: "modern", Want: inc, Edit: hb(obs.HeartbleedResult{Attempt: done, Extension: true, Answer: "closed"})},
		"tls13 only": {Fixture: "modern", Want: na, WantDetail: "no protocol below TLS 1.3",
			Edit: hb(obs.HeartbleedResult{Attempt: notApp})},
		"probe error": {Fixture: "modern", Want: inc, WantDetail: "heartbleed probe failed: connect",
			Edit: hb(obs.HeartbleedResult{Attempt: failed})},
		"not run":     {Fixture: "modern", Want: na, WantDetail: "the heartbleed probe did not run"},
		"failed scan": {Fixture: "failed", Want: na, WantDetail: "connection_refused"},
	})
}

func TestHeartbeatEnabled(t *testing.T) {
	hb := func(r obs.HeartbleedResult) func(o *obs.Observation) {
		return with(func(p *obs.HandshakeProbes) { p.Heartbleed = &r })
	}
	checktest.RunTable(t, Checks(), checks.IDVulnHeartbeatEnabled, cases{
		"enabled":  {Fixture: "modern", Want: fail, WantDetail: "(peer_allowed_to_send)", Edit: hb(obs.HeartbleedResult{Attempt: done, Extension: true, Mode: 1})},
		"disabled": {Fixture: "modern", Want: pass, Edit: hb(obs.HeartbleedResult{Attempt: done})},
		"not run":  {Fixture: "modern", Want: na},
	})
}

func TestCCSInjection(t *testing.T) {
	ccs := func(answer string, a *uint8) func(o *obs.Observation) {
		return with(func(p *obs.HandshakeProbes) {
			p.CCSInjection = &obs.CCSInjectionResult{Attempt: done, Version: "TLSv1.2", Suite: "TLS_RSA_WITH_AES_128_CBC_SHA", Answer: answer, Alert: a}
		})
	}
	checktest.RunTable(t, Checks(), checks.IDVulnCCSInjection, cases{
		"bad_record_mac": {Fixture: "modern", Want: fail, WantDetail: "tried to decrypt the next record and answered alert:bad_record_mac",
			Edit: ccs("alert:bad_record_mac", alert(20))},
		"decryption_failed":  {Fixture: "modern", Want: fail, Edit: ccs("alert:decryption_failed", alert(21))},
		"unexpected_message": {Fixture: "modern", Want: pass, WantDetail: "refused an early ChangeCipherSpec (alert:unexpected_message)", Edit: ccs("alert:unexpected_message", alert(10))},
		"closed":             {Fixture: "modern", Want: pass, Edit: ccs("closed", nil)},
		"garbage":            {Fixture: "modern", Want: inc, Edit: ccs("error:record: too long", nil)},
		"inconclusive": {Fixture: "modern", Want: inc, WantDetail: "CCS injection probe inconclusive: the hello",
			Edit: with(func(p *obs.HandshakeProbes) { p.CCSInjection = &obs.CCSInjectionResult{Attempt: unsure} })},
	})
}

func TestTicketbleed(t *testing.T) {
	tb := func(as ...obs.TicketbleedAnswer) func(o *obs.Observation) {
		return with(func(p *obs.HandshakeProbes) {
			p.Ticketbleed = &obs.TicketbleedResult{Attempt: done, TicketObtained: true, SentIDLength: 16, Attempts: as}
		})
	}
	leak := func(extra string) obs.TicketbleedAnswer {
		return obs.TicketbleedAnswer{EchoedIDLength: 32, PrefixMatches: true, Resumed: true, Extra: extra}
	}
	echo := obs.TicketbleedAnswer{EchoedIDLength: 16, PrefixMatches: true, Resumed: true}
	checktest.RunTable(t, Checks(), checks.IDVulnTicketbleed, cases{
		"leaks": {Fixture: "modern", Want: fail, WantDetail: "extra bytes 00112233, 44556677 (different on each connection: server memory)",
			Edit: tb(leak("00112233"), leak("44556677"))},
		"echo":    {Fixture: "modern", Want: pass, WantDetail: "echoed the 16-byte ID; echoed the 16-byte ID", Edit: tb(echo, echo)},
		"full":    {Fixture: "modern", Want: pass, WantDetail: "new 32-byte ID (full handshake)", Edit: tb(obs.TicketbleedAnswer{EchoedIDLength: 32}, echo)},
		"refused": {Fixture: "modern", Want: pass, WantDetail: "alert:handshake_failure", Edit: tb(obs.TicketbleedAnswer{Answer: "alert:handshake_failure"}, echo)},
		"noticket": {Fixture: "modern", Want: na, WantDetail: "issued no session ticket", Edit: with(func(p *obs.HandshakeProbes) {
			p.Ticketbleed = &obs.TicketbleedResult{Attempt: obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "the server issued no session ticket"}}
		})},
	})
}

func TestDROWN(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDVulnDROWN, cases{
		"sslv2":   {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "SSLv2 is accepted with 3 cipher kind(s)"},
		"modern":  {Fixture: "modern", Want: pass, WantDetail: "other hosts sharing the key were not checked"},
		"partial": {Fixture: "partial", Want: inc, WantDetail: "SSLv2 probe failed"},
		"no kinds": {Fixture: "modern", Want: fail, WantDetail: "CVE-2015-3197", Edit: func(o *obs.Observation) {
			o.Protocols[0].Supported = true
		}},
		"failed": {Fixture: "failed", Want: na},
	})
}

func TestPoodleSSLv3(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDVulnPoodleSSLv3, cases{
		"cbc": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "SSLv3 accepts 2 CBC suite(s): SSLv3: TLS_RSA_WITH_DES_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		"rc4 only": {Fixture: "sslv2_sslv3", Want: pass, WantDetail: "no CBC suite", Edit: func(o *obs.Observation) {
			o.Protocols[1].Suites = o.Protocols[1].Suites[:2]
		}},
		"modern":  {Fixture: "modern", Want: pass, WantDetail: "SSLv3 is not accepted"},
		"partial": {Fixture: "partial", Want: inc},
	})
}

func TestFREAK(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDVulnFREAK, cases{
		"export":  {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "1 RSA export suite(s) accepted: SSLv3: TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
		"legacy":  {Fixture: "legacy", Want: pass, WantDetail: "no RSA export suite among the 15 accepted suites"},
		"partial": {Fixture: "partial", Want: inc},
		"failed":  {Fixture: "failed", Want: na},
	})
}

func TestLogjam(t *testing.T) {
	checktest.RunTable(t, Checks(), checks.IDVulnLogjam, cases{
		"512-bit": {Fixture: "sslv2_sslv3", Want: fail, WantDetail: "DH prime under 1024 bits: 512-bit prime", WantSeverity: checks.SeverityCritical},
		"export": {Fixture: "legacy", Want: fail, WantDetail: "1 DH export suite(s) accepted: TLSv1.0: TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
			Edit: func(o *obs.Observation) {
				o.Protocols[2].Suites = append(o.Protocols[2].Suites, obs.Suite{ID: 0x0014, Name: "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"})
			}},
		"common 1024": {Fixture: "legacy", Want: fail, WantDetail: "common 1024-bit DH prime: modp1024", WantSeverity: checks.SeverityMedium},
		"private 2048": {Fixture: "legacy", Want: pass, WantDetail: "no DH export suite and no DH prime under 1024 bits (1 DH prime(s) seen)",
			Edit: func(o *obs.Observation) { o.DH[0].Bits, o.DH[0].Known = 2048, "" }},
		"modern": {Fixture: "modern", Want: pass, WantDetail: "(0 DH prime(s) seen)"},
	})
}

func TestInsecureRenegotiation(t *testing.T) {
	ext := func(r obs.ServerHelloExtensionsResult) func(o *obs.Observation) {
		r.Version, r.Suite = "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
		return with(func(p *obs.HandshakeProbes) { p.ServerHelloExtensions = &r })
	}
	checktest.RunTable(t, Checks(), checks.IDVulnInsecureRenegotiation, cases{
		"missing": {Fixture: "modern", Want: fail, WantDetail: "has no renegotiation_info extension", Edit: ext(obs.ServerHelloExtensionsResult{Attempt: done})},
		"secure":  {Fixture: "modern", Want: pass, Edit: ext(obs.ServerHelloExtensionsResult{Attempt: done, SecureRenegotiation: true})},
		"non-empty": {Fixture: "modern", Want: inc, WantDetail: "carries 12 bytes",
			Edit: ext(obs.ServerHelloExtensionsResult{Attempt: done, SecureRenegotiation: true, RenegotiationInfoLength: 12})},
		"tls13 only": {Fixture: "modern", Want: na, Edit: ext(obs.ServerHelloExtensionsResult{Attempt: notApp})},
	})
}

func TestExtendedMasterSecret(t *testing.T) {
	ext := func(r obs.ServerHelloExtensionsResult) func(o *obs.Observation) {
		r.Version = "TLSv1.2"
		return with(func(p *obs.HandshakeProbes) { p.ServerHelloExtensions = &r })
	}
	checktest.RunTable(t, Checks(), checks.IDVulnNoExtendedMasterSecret, cases{
		"missing": {Fixture: "modern", Want: fail, WantDetail: "does not echo extended_master_secret", Edit: ext(obs.ServerHelloExtensionsResult{Attempt: done})},
		"sslv3":   {Fixture: "modern", Want: fail, WantDetail: "only SSLv3", Edit: ext(obs.ServerHelloExtensionsResult{Attempt: done, ViaSCSV: true})},
		"present": {Fixture: "modern", Want: pass, Edit: ext(obs.ServerHelloExtensionsResult{Attempt: done, ExtendedMasterSecret: true})},
	})
}

func TestEncryptThenMAC(t *testing.T) {
	ext := func(r obs.ServerHelloExtensionsResult) func(o *obs.Observation) {
		r.Version, r.ETMSuite = "TLSv1.2", "TLS_RSA_WITH_AES_128_CBC_SHA"
		return with(func(p *obs.HandshakeProbes) { p.ServerHelloExtensions = &r })
	}
	checktest.RunTable(t, Checks(), checks.IDVulnNoEncryptThenMAC, cases{
		"missing": {Fixture: "legacy", Want: fail, WantDetail: "chose TLS_RSA_WITH_AES_128_CBC_SHA without echoing", Edit: ext(obs.ServerHelloExtensionsResult{Attempt: done, EncryptThenMAC: flag(false)})},
		"present": {Fixture: "legacy", Want: pass, Edit: ext(obs.ServerHelloExtensionsResult{Attempt: done, EncryptThenMAC: flag(true)})},
		"no cbc":  {Fixture: "modern", Want: na, WantDetail: "no CBC suite", Edit: ext(obs.ServerHelloExtensionsResult{Attempt: done})},
		"failed":  {Fixture: "legacy", Want: inc, WantDetail: "failed: closed", Edit: ext(obs.ServerHelloExtensionsResult{Attempt: done, ETMError: "closed"})},
	})
}

func TestCRIME(t *testing.T) {
	comp := func(m uint8, at obs.Attempt) func(o *obs.Observation) {
		return with(func(p *obs.HandshakeProbes) {
			p.Compression = &obs.CompressionResult{Attempt: at, Version: "TLSv1.2", Offered: []uint8{1, 64, 0}, Method: m}
		})
	}
	checktest.RunTable(t, Checks(), checks.IDVulnCRIME, cases{
		"deflate": {Fixture: "modern", Want: fail, WantDetail: "compression method 1 (DEFLATE) with TLSv1.2", Edit: comp(1, done)},
		"null":    {Fixture: "modern", Want: pass, Edit: comp(0, done)},
		"error":   {Fixture: "modern", Want: inc, Edit: comp(0, failed)},
		"tls13":   {Fixture: "modern", Want: na, Edit: comp(0, notApp)},
		"not run": {Fixture: "modern", Want: na, WantDetail: "did not run"},
	})
}

func TestFallbackSCSV(t *testing.T) {
	fb := func(answer string) func(o *obs.Observation) {
		return with(func(p *obs.HandshakeProbes) {
			p.FallbackSCSV = &obs.FallbackSCSVResult{Attempt: done, Highest: "TLSv1.3", Offered: "TLSv1.2", Answer: answer}
		})
	}
	checktest.RunTable(t, Checks(), checks.IDVulnNoFallbackSCSV, cases{
		"supported": {Fixture: "modern", Want: pass, WantDetail: "refused with inappropriate_fallback", Edit: fb("alert:inappropriate_fallback")},
		"ignored":   {Fixture: "modern", Want: fail, WantDetail: "was accepted (TLSv1.2)", Edit: fb("server_hello:TLSv1.2")},
		"other":     {Fixture: "modern", Want: inc, WantDetail: "not with inappropriate_fallback: alert:handshake_failure", Edit: fb("alert:handshake_failure")},
		"one version": {Fixture: "modern", Want: na, Edit: with(func(p *obs.HandshakeProbes) {
			p.FallbackSCSV = &obs.FallbackSCSVResult{Attempt: obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "only TLSv1.3 is accepted"}}
		})},
	})
}

func TestDowngradeSentinel(t *testing.T) {
	ds := func(sentinel string) func(o *obs.Observation) {
		return with(func(p *obs.HandshakeProbes) {
			p.DowngradeSentinel = &obs.DowngradeSentinelResult{Attempt: done, Negotiated: "TLSv1.2", RandomTail: "0011223344556677", Sentinel: sentinel}
		})
	}
	checktest.RunTable(t, Checks(), checks.IDVulnNoDowngradeSentinel, cases{
		"missing": {Fixture: "modern", Want: fail, WantDetail: "without the downgrade sentinel (random ends 0011223344556677)", Edit: ds("")},
		"present": {Fixture: "modern", Want: pass, WantDetail: "tls12 sentinel", Edit: ds("tls12")},
	})
}

func TestIntolerance(t *testing.T) {
	in := func(refused ...string) func(o *obs.Observation) {
		r := &obs.IntoleranceResult{Attempt: done, Baseline: "TLSv1.2"}
		for _, n := range []string{obs.VariantBaseline, obs.VariantLong300, obs.VariantLong1800, obs.VariantUnknownExt,
			obs.VariantGREASE, obs.VariantTLS13NoSV, obs.VariantTLS14} {
			v := obs.HelloVariant{Name: n, Accepted: true, Negotiated: "TLSv1.2"}
			for _, x := range refused {
				if x == n {
					v = obs.HelloVariant{Name: n, Answer: "closed"}
				}
			}
			r.Tests = append(r.Tests, v)
		}
		return with(func(p *obs.HandshakeProbes) { p.Intolerance = r })
	}
	checktest.RunTable(t, Checks(), checks.IDVulnVersionIntolerance, cases{
		"tolerant": {Fixture: "modern", Want: pass, WantDetail: "version_0x0304_without_supported_versions, version_0x0305", Edit: in()},
		"tls14":    {Fixture: "modern", Want: fail, WantDetail: "but not: version_0x0305 (closed)", Edit: in(obs.VariantTLS14)},
		"ext only": {Fixture: "modern", Want: pass, Edit: in(obs.VariantGREASE)},
		"baseline refused": {Fixture: "modern", Want: inc, Edit: with(func(p *obs.HandshakeProbes) {
			p.Intolerance = &obs.IntoleranceResult{Attempt: unsure}
		})},
		"tls13 baseline": {Fixture: "modern", Want: na, WantDetail: "was tried", Edit: with(func(p *obs.HandshakeProbes) {
			p.Intolerance = &obs.IntoleranceResult{Attempt: done, Baseline: "TLSv1.3", Tests: []obs.HelloVariant{{Name: obs.VariantBaseline, Accepted: true}}}
		})},
	})
	checktest.RunTable(t, Checks(), checks.IDVulnExtensionIntolerance, cases{
		"tolerant":     {Fixture: "modern", Want: pass, Edit: in()},
		"long":         {Fixture: "modern", Want: fail, WantDetail: "long_hello_1800 (closed), grease (closed)", Edit: in(obs.VariantLong1800, obs.VariantGREASE)},
		"version only": {Fixture: "modern", Want: pass, Edit: in(obs.VariantTLS14)},
	})
}

// lookup finds the check id among this package's checks.
func lookup(id string) (checks.Check, bool) {
	for _, c := range Checks() {
		if c.Meta().ID == id {
			return c, true
		}
	}
	return nil, false
}
