package grade

import (
	"slices"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func fail(id string) checks.Finding {
	return checks.Finding{CheckID: id, Status: checks.StatusFail, Detail: "evidence for " + id}
}

func pass(id string) checks.Finding { return checks.Finding{CheckID: id, Status: checks.StatusPass} }

// protoEdit edits the named protocol of the observation.
func protoEdit(name string, edit func(p *obs.Protocol)) func(o *obs.Observation) {
	return func(o *obs.Observation) {
		for i := range o.Protocols {
			if o.Protocols[i].Name == name {
				edit(&o.Protocols[i])
			}
		}
	}
}

func off(name string) func(o *obs.Observation) {
	return protoEdit(name, func(p *obs.Protocol) { p.Supported, p.Suites = false, nil })
}

// keep keeps only the suites with the given IDs, in every protocol.
func keep(ids ...uint16) func(o *obs.Observation) {
	return func(o *obs.Observation) {
		for i := range o.Protocols {
			o.Protocols[i].Suites = slices.DeleteFunc(o.Protocols[i].Suites, func(s obs.Suite) bool {
				return !slices.Contains(ids, s.ID)
			})
		}
	}
}

func leaf(keyType string, bits int) func(o *obs.Observation) {
	return func(o *obs.Observation) {
		o.Chains[0].Certificates[0].KeyType, o.Chains[0].Certificates[0].KeyBits = keyType, bits
	}
}

func edits(fs ...func(o *obs.Observation)) func(o *obs.Observation) {
	return func(o *obs.Observation) {
		for _, f := range fs {
			f(o)
		}
	}
}

type gradeCase struct {
	name     string
	fixture  string
	edit     func(o *obs.Observation)
	findings []checks.Finding
	opts     Options

	letter, trustIgnored Letter
	score                int   // -1: don't check
	sub                  []int // protocol, key exchange, cipher; nil: don't check
	caps                 []string
	warnings             []string
	reason               string // substring of some cap or warning reason
	capCheck             string // some cap names this check ID
	note                 string // substring of some NotAssessed line
	err                  string
}

var hstsOK = pass(checks.IDHTTPHSTSShort)

var gradeCases = []gradeCase{
	// Score rules.
	{name: "worked example P100 K90 C90 = 93 A", fixture: "modern", letter: "A", score: 93, sub: []int{100, 90, 90},
		note: "HSTS not assessed"},
	{name: "RSA-4096 and P-384 only: K100", fixture: "modern", edit: edits(leaf("RSA", 4096), func(o *obs.Observation) {
		o.Groups.TLS12 = o.Groups.TLS12[2:]
		o.Groups.TLS13 = o.Groups.TLS13[3:]
		for i := range o.Protocols {
			for j := range o.Protocols[i].Suites {
				o.Protocols[i].Suites[j].KeyExchange = nil
			}
		}
	}), letter: "A", score: 96, sub: []int{100, 100, 90}},
	{name: "ECDSA P-256 leaf counts as RSA-3072", fixture: "modern", edit: leaf("ECDSA", 256), letter: "A", score: 93, sub: []int{100, 90, 90}},
	{name: "RSA-1024 leaf: K80", fixture: "modern", edit: leaf("RSA", 1024), letter: "A", score: 90, sub: []int{100, 80, 90}},
	{name: "RSA-512 leaf: K40, score 78 gives B", fixture: "modern", edit: leaf("RSA", 512), letter: "B", score: 78, sub: []int{100, 40, 90}},
	{name: "RSA-256 leaf: K20", fixture: "modern", edit: leaf("RSA", 256), letter: "B", score: 72, sub: []int{100, 20, 90}},
	{name: "128-bit suites only: C80", fixture: "modern", edit: keep(0xc02f, 0x1301), letter: "A", score: 89, sub: []int{100, 90, 80}},
	{name: "legacy score 76 with TLS 1.0 P95, DH-1024 K80, 3DES C60", fixture: "legacy", letter: "B", score: 76, sub: []int{95, 80, 60},
		caps: []string{"tls10", "tls11", "rc4", "dh_under_2048"}, warnings: []string{"no_tls13"}},
	{name: "anonymous suite zeroes key exchange and total", fixture: "modern",
		edit:   protoEdit("TLSv1.2", func(p *obs.Protocol) { p.Suites = append(p.Suites, obs.Suite{ID: 0x0018}) }),
		letter: "F", score: 0, sub: []int{100, 0, 90}, caps: []string{"anonymous", "rc4_modern", "rc4"}},
	{name: "Debian weak key zeroes key exchange", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertDebianWeakKey)},
		letter: "F", score: 0, sub: []int{100, 0, 90}, caps: []string{"debian_weak_key"}},
	{name: "no certificate: key exchange from groups", fixture: "modern", edit: func(o *obs.Observation) { o.Chains = nil },
		letter: "A", score: 93, sub: []int{100, 90, 90}, note: "server key: no certificate chain observed"},
	{name: "no key data at all: key exchange left out", fixture: "modern", edit: func(o *obs.Observation) {
		o.Chains, o.Groups = nil, nil
		keep(0x1301, 0x1302)(o)
		for i := range o.Protocols {
			for j := range o.Protocols[i].Suites {
				o.Protocols[i].Suites[j].KeyExchange = nil
			}
		}
	}, letter: "A", score: 94, sub: []int{100, 0, 90}, note: "key exchange strength: no server key"},

	// Special grades.
	{name: "A+ with long HSTS", fixture: "modern", findings: []checks.Finding{hstsOK}, letter: "A+", trustIgnored: "A+", score: 93},
	{name: "invalid HPKP: no A+", fixture: "modern", findings: []checks.Finding{hstsOK, fail(checks.IDHTTPHPKPInvalid)}, letter: "A"},
	{name: "HSTS missing: warning A-", fixture: "modern", findings: []checks.Finding{fail(checks.IDHTTPHSTSMissing)},
		letter: "A-", warnings: []string{"hsts_missing"}, reason: "send Strict-Transport-Security"},
	{name: "HSTS invalid: warning A-", fixture: "modern", findings: []checks.Finding{fail(checks.IDHTTPHSTSInvalid)},
		letter: "A-", warnings: []string{"hsts_invalid"}},
	{name: "HSTS short: warning A-", fixture: "modern", findings: []checks.Finding{fail(checks.IDHTTPHSTSShort)},
		letter: "A-", warnings: []string{"hsts_short"}, reason: "under 180 days"},
	{name: "no TLS 1.3: warning A-", fixture: "modern", edit: off("TLSv1.3"), findings: []checks.Finding{hstsOK},
		letter: "A-", warnings: []string{"no_tls13"}, reason: "TLS 1.3 is not supported"},
	{name: "no TLS 1.3 under 2009q: A, and no A+ without SCSV data", fixture: "modern", edit: off("TLSv1.3"),
		findings: []checks.Finding{hstsOK}, opts: Options{RuleSet: "ssllabs-2009q"}, letter: "A", note: "TLS_FALLBACK_SCSV"},
	{name: "2009q: A+ with TLS_FALLBACK_SCSV support", fixture: "modern", edit: off("TLSv1.3"),
		findings: []checks.Finding{hstsOK, pass(checks.IDVulnNoFallbackSCSV)}, opts: Options{RuleSet: "ssllabs-2009q"}, letter: "A+", score: 93},
	{name: "2009q: no A+ when the server ignores TLS_FALLBACK_SCSV", fixture: "modern", edit: off("TLSv1.3"),
		findings: []checks.Finding{hstsOK, fail(checks.IDVulnNoFallbackSCSV)}, opts: Options{RuleSet: "ssllabs-2009q"}, letter: "A", score: 93},
	{name: "2009q: a single-protocol server cannot be downgraded: A+", fixture: "modern", edit: off("TLSv1.3"),
		findings: []checks.Finding{hstsOK, {CheckID: checks.IDVulnNoFallbackSCSV, Status: checks.StatusNotApplicable}}, opts: Options{RuleSet: "ssllabs-2009q"}, letter: "A+", score: 93},
	{name: "TLS 1.3 probe failed: no warning, noted", fixture: "modern",
		edit:   protoEdit("TLSv1.3", func(p *obs.Protocol) { p.Supported, p.Suites, p.Error = false, nil, "timeout" }),
		letter: "A", note: "TLS 1.3 support unknown"},
	{name: "untrusted: T, trust ignored A+", fixture: "modern", findings: []checks.Finding{hstsOK, fail(checks.IDCertUntrusted)},
		letter: "T", trustIgnored: "A+", caps: []string{"untrusted"}, reason: "trusted root (evidence for cert.untrusted)"},
	{name: "expired: T", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertExpired)}, letter: "T", trustIgnored: "A", caps: []string{"expired"}},
	{name: "not yet valid: T", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertNotYetValid)}, letter: "T", caps: []string{"not_yet_valid"}},
	{name: "self-signed: T", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertSelfSigned)}, letter: "T", caps: []string{"self_signed"}},
	{name: "revoked: T", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertRevoked)}, letter: "T", caps: []string{"revoked"}},
	{name: "SHA-1 leaf: T", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertSHA1Signature)}, letter: "T", caps: []string{"sha1_signature"}},
	{name: "SHA-1 leaf with HSTS: T, no A+ even with trust ignored", fixture: "modern",
		findings: []checks.Finding{hstsOK, fail(checks.IDCertSHA1Signature)}, letter: "T", trustIgnored: "A", caps: []string{"sha1_signature"}},
	{name: "expired leaf with HSTS: trust ignored keeps A+", fixture: "modern",
		findings: []checks.Finding{hstsOK, fail(checks.IDCertExpired)}, letter: "T", trustIgnored: "A+", caps: []string{"expired"}},
	{name: "Symantec: T", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertSymantecDistrusted)}, letter: "T", caps: []string{"symantec_distrusted"}},
	{name: "name mismatch: M", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertHostnameMismatch)},
		letter: "M", trustIgnored: "A", caps: []string{"hostname_mismatch"}, capCheck: checks.IDCertHostnameMismatch},
	{name: "mismatch and untrusted: T wins", fixture: "modern",
		findings: []checks.Finding{fail(checks.IDCertHostnameMismatch), fail(checks.IDCertUntrusted)},
		letter:   "T", trustIgnored: "A", caps: []string{"untrusted", "hostname_mismatch"}},
	{name: "untrusted on an F server: T, trust ignored F", fixture: "sslv2_sslv3", findings: []checks.Finding{fail(checks.IDCertSelfSigned)},
		letter: "T", trustIgnored: "F"},

	// Certificate caps.
	{name: "MD5 signature: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertMD5Signature)}, letter: "F", caps: []string{"md5_signature"}},
	{name: "RSA under 1024: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertRSAKeyUnder1024)}, letter: "F", caps: []string{"rsa_key_under_1024"}},
	{name: "RSA exponent 1: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDCertRSAExponentOne)}, letter: "F", caps: []string{"rsa_exponent_one"}},
	{name: "RSA under 2048: B", fixture: "modern", edit: leaf("RSA", 1024), findings: []checks.Finding{fail(checks.IDCertRSAKeyUnder2048)},
		letter: "B", score: 90, caps: []string{"rsa_key_under_2048"}, capCheck: checks.IDCertRSAKeyUnder2048},
	{name: "incomplete chain: B", fixture: "modern", findings: []checks.Finding{hstsOK, fail(checks.IDCertChainIncomplete)},
		letter: "B", caps: []string{"chain_incomplete"}, reason: "serve the intermediate certificates"},

	// Vulnerability caps.
	{name: "Heartbleed: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnHeartbleed)}, letter: "F", caps: []string{"heartbleed"}},
	{name: "CCS injection: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnCCSInjection)}, letter: "F", caps: []string{"ccs_injection"}},
	{name: "ROBOT: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnROBOT)}, letter: "F", caps: []string{"robot"}},
	{name: "POODLE TLS: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnPoodleTLS)}, letter: "F", caps: []string{"poodle_tls"}},
	{name: "Ticketbleed: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnTicketbleed)}, letter: "F", caps: []string{"ticketbleed"}},
	{name: "Lucky Minus 20: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnLuckyMinus20)}, letter: "F", caps: []string{"lucky_minus20"}},
	{name: "Zombie POODLE: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnZombiePoodle)}, letter: "F", caps: []string{"zombie_poodle"}},
	{name: "GOLDENDOODLE: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnGoldenDoodle)}, letter: "F", caps: []string{"goldendoodle"}},
	{name: "Sleeping POODLE: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnSleepingPoodle)}, letter: "F", caps: []string{"sleeping_poodle"}},
	{name: "0-length padding oracle: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnZeroLengthPaddingOracle)}, letter: "F", caps: []string{"zero_length_padding_oracle"}},
	{name: "DROWN: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnDROWN)}, letter: "F", caps: []string{"drown"}},
	{name: "insecure renegotiation: F", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnInsecureRenegotiation)}, letter: "F", caps: []string{"insecure_renegotiation"}},
	{name: "CRIME: C", fixture: "modern", findings: []checks.Finding{fail(checks.IDVulnCRIME)}, letter: "C", caps: []string{"crime"}, capCheck: checks.IDVulnCRIME},
	{name: "vulnerability checks passed: no cap, no note", fixture: "modern",
		findings: []checks.Finding{pass(checks.IDVulnHeartbleed), pass(checks.IDVulnROBOT)}, letter: "A"},
	{name: "vulnerability check not applicable (no RSA key exchange for ROBOT): no cap, no note", fixture: "modern",
		findings: []checks.Finding{pass(checks.IDVulnHeartbleed), {CheckID: checks.IDVulnROBOT, Status: checks.StatusNotApplicable}}, letter: "A"},
	{name: "inconclusive vulnerability: no cap, noted", fixture: "modern",
		findings: []checks.Finding{{CheckID: checks.IDVulnHeartbleed, Status: checks.StatusInconclusive}},
		letter:   "A", note: "vuln checks without a pass/fail finding, so their caps were not applied: vuln.heartbleed (F)"},

	// Protocol caps.
	{name: "SSLv2/SSLv3 server", fixture: "sslv2_sslv3", letter: "F", score: 0, sub: []int{55, 0, 40},
		caps:   []string{"sslv2", "sslv3", "poodle_sslv3", "no_tls12", "tls10", "null", "anonymous", "export", "under_112", "rc4", "no_aead", "dh_under_1024", "dh_under_2048"},
		reason: "inferred from the CBC suites SSLv3 accepts", capCheck: checks.IDProtoSSLv3Enabled},
	{name: "SSLv3 only: F", fixture: "sslv2_sslv3", edit: edits(off("SSLv2"), off("TLSv1.0"), keep(0x0009), func(o *obs.Observation) { o.DH = nil }),
		letter: "F", caps: []string{"sslv3_only", "sslv3", "poodle_sslv3", "no_tls12", "under_112", "no_forward_secrecy", "no_aead"}},
	{name: "SSLv3 with RC4 only and POODLE finding: C", fixture: "legacy",
		edit:     protoEdit("SSLv3", func(p *obs.Protocol) { p.Supported, p.Suites = true, []obs.Suite{{ID: 0x0005}} }),
		findings: []checks.Finding{fail(checks.IDVulnPoodleSSLv3)}, letter: "C", capCheck: checks.IDVulnPoodleSSLv3,
		caps: []string{"sslv3", "poodle_sslv3", "tls10", "tls11", "rc4", "dh_under_2048"}},
	{name: "SSLv3 CBC but POODLE finding passed: B", fixture: "legacy",
		edit:     protoEdit("SSLv3", func(p *obs.Protocol) { p.Supported, p.Suites = true, []obs.Suite{{ID: 0x002f}} }),
		findings: []checks.Finding{pass(checks.IDVulnPoodleSSLv3)}, letter: "B", caps: []string{"sslv3", "tls10", "tls11", "rc4", "dh_under_2048"}},
	{name: "TLS 1.0 only: no TLS 1.2, C", fixture: "legacy", edit: edits(off("TLSv1.1"), off("TLSv1.2")),
		letter: "C", caps: []string{"no_tls12", "tls10", "rc4", "no_aead", "dh_under_2048"}},
	{name: "TLS 1.3 only: no cap", fixture: "modern", edit: off("TLSv1.2"), findings: []checks.Finding{hstsOK}, letter: "A+", score: 93},
	{name: "TLS 1.1 enabled: B", fixture: "modern", edit: protoEdit("TLSv1.1", func(p *obs.Protocol) {
		p.Supported, p.Suites = true, []obs.Suite{{ID: 0xc013}}
	}), letter: "B", score: 92, sub: []int{97, 90, 90}, caps: []string{"tls11"}, reason: "RFC 8996"},

	// Cipher caps.
	{name: "RC4 with TLS 1.2 (after 3DES): C", fixture: "legacy",
		edit:   protoEdit("TLSv1.2", func(p *obs.Protocol) { p.Suites = append(p.Suites, obs.Suite{ID: 0x0005}) }),
		letter: "C", caps: []string{"tls10", "tls11", "rc4_modern", "rc4", "sweet32", "dh_under_2048"}},
	{name: "RC4 only: F", fixture: "legacy", edit: keep(0x0005), letter: "F",
		caps: []string{"tls10", "tls11", "rc4_only", "rc4", "no_forward_secrecy", "no_aead", "dh_under_2048"}},
	{name: "3DES not last in TLS 1.2: C", fixture: "legacy", edit: protoEdit("TLSv1.2", func(p *obs.Protocol) {
		p.Suites[0], p.Suites[6] = p.Suites[6], p.Suites[0]
	}), letter: "C", caps: []string{"tls10", "tls11", "rc4", "sweet32", "dh_under_2048"}, reason: "TLSv1.2: TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
	{name: "3DES under client order: C", fixture: "legacy", edit: protoEdit("TLSv1.1", func(p *obs.Protocol) { p.ServerOrder = new(bool) }),
		letter: "C", caps: []string{"tls10", "tls11", "rc4", "sweet32", "dh_under_2048"}, reason: "TLSv1.1: TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
	{name: "some suites without FS: no cap under offered semantics", fixture: "modern", edit: protoEdit("TLSv1.2", func(p *obs.Protocol) {
		p.Suites = []obs.Suite{{ID: 0x009c}}
	}), findings: []checks.Finding{hstsOK}, letter: "A+"},
	{name: "no forward secrecy at all: B", fixture: "legacy", edit: keep(0x002f, 0x009c, 0x0035),
		letter: "B", caps: []string{"tls10", "tls11", "no_forward_secrecy", "dh_under_2048"}, capCheck: checks.IDCipherNoForwardSecrecy},
	{name: "no AEAD: B", fixture: "legacy", edit: edits(keep(0xc013, 0x0035)), findings: []checks.Finding{pass(checks.IDVulnPoodleSSLv3)},
		letter: "B", caps: []string{"tls10", "tls11", "no_aead", "dh_under_2048"}, capCheck: checks.IDCipherNoAEAD},
	{name: "export suite: F", fixture: "legacy", edit: protoEdit("TLSv1.0", func(p *obs.Protocol) { p.Suites = append(p.Suites, obs.Suite{ID: 0x0003}) }),
		letter: "F", reason: "export suites are accepted"},
	{name: "DES under 112 bits: F", fixture: "legacy", edit: protoEdit("TLSv1.0", func(p *obs.Protocol) { p.Suites = append(p.Suites, obs.Suite{ID: 0x0009}) }),
		letter: "F", reason: "TLSv1.0: TLS_RSA_WITH_DES_CBC_SHA", capCheck: checks.IDCipherWeakUnder128},
	{name: "NULL suite: F", fixture: "modern", edit: protoEdit("TLSv1.2", func(p *obs.Protocol) { p.Suites = append(p.Suites, obs.Suite{ID: 0x0001}) }),
		letter: "F", score: 0, caps: []string{"null"}},

	// Key-exchange caps.
	{name: "DH 512: F", fixture: "legacy", edit: func(o *obs.Observation) { o.DH[0].Bits = 512 }, letter: "F", capCheck: checks.IDKxDHUnder1024, reason: "512-bit prime"},
	{name: "DH 2048: no DH cap", fixture: "legacy", edit: func(o *obs.Observation) { o.DH[0].Bits = 2048 },
		letter: "B", caps: []string{"tls10", "tls11", "rc4"}},

	// Options and failures.
	{name: "negotiated semantics falls back to offered", fixture: "modern", opts: Options{Semantics: Negotiated}, letter: "A", note: "negotiated semantics"},
	{name: "failed scan: no grade", fixture: "failed", letter: "", err: "status connection_refused"},
	{name: "no protocol: no grade", fixture: "modern", edit: edits(off("TLSv1.2"), off("TLSv1.3")), letter: "", err: "no protocol version"},
	{name: "unknown rule set", fixture: "modern", opts: Options{RuleSet: "ssllabs-1999"}, letter: "", err: "unknown rule set"},
}

func TestCompute(t *testing.T) {
	for _, tc := range gradeCases {
		t.Run(tc.name, func(t *testing.T) {
			o := checktest.Observation(t, tc.fixture)
			if tc.edit != nil {
				tc.edit(o)
			}
			g := Compute(o, tc.findings, tc.opts)
			if g == nil {
				t.Fatal("Compute returned nil")
			}
			if g.Letter != tc.letter {
				t.Errorf("letter %q, want %q (score %d, caps %+v, warnings %+v, notes %q)", g.Letter, tc.letter, g.Score, g.Caps, g.Warnings, g.NotAssessed)
			}
			if tc.trustIgnored != "" && g.TrustIgnored != tc.trustIgnored {
				t.Errorf("trust ignored %q, want %q", g.TrustIgnored, tc.trustIgnored)
			}
			if tc.err != "" || g.Error != "" {
				if !strings.Contains(g.Error, tc.err) || tc.err == "" {
					t.Errorf("error %q, want it to contain %q", g.Error, tc.err)
				}
				return
			}
			if tc.score != 0 || tc.sub != nil {
				if g.Score != tc.score {
					t.Errorf("score %d, want %d", g.Score, tc.score)
				}
			}
			if tc.sub != nil {
				if got := []int{g.Protocol, g.KeyExchange, g.Cipher}; !slices.Equal(got, tc.sub) {
					t.Errorf("sub-scores P/K/C %v, want %v", got, tc.sub)
				}
			}
			if tc.caps != nil || tc.letter == "A" || tc.letter == "A+" || tc.letter == "A-" {
				if got := rules(g.Caps); !slices.Equal(got, tc.caps) {
					t.Errorf("caps %q, want %q", got, tc.caps)
				}
			}
			if got := rules(g.Warnings); (tc.warnings != nil || tc.letter == "A" || tc.letter == "A+") && !slices.Equal(got, tc.warnings) {
				t.Errorf("warnings %q, want %q", got, tc.warnings)
			}
			all := append(append([]Cap{}, g.Caps...), g.Warnings...)
			for _, c := range all {
				if c.Rule == "" || c.CheckID == "" || c.Reason == "" || c.Grade == "" {
					t.Errorf("cap not fully explained: %+v", c)
				}
			}
			if tc.reason != "" && !slices.ContainsFunc(all, func(c Cap) bool { return strings.Contains(c.Reason, tc.reason) }) {
				t.Errorf("no cap reason contains %q: %+v", tc.reason, all)
			}
			if tc.capCheck != "" && !slices.ContainsFunc(all, func(c Cap) bool { return c.CheckID == tc.capCheck }) {
				t.Errorf("no cap names check %s: %+v", tc.capCheck, all)
			}
			if tc.note != "" && !slices.ContainsFunc(g.NotAssessed, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("no NotAssessed line contains %q: %q", tc.note, g.NotAssessed)
			}
			if g.RuleSet == "" || g.Semantics != Offered {
				t.Errorf("rule set %q, semantics %q", g.RuleSet, g.Semantics)
			}
		})
	}
}

func rules(cs []Cap) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Rule)
	}
	return out
}

func TestScoreLetter(t *testing.T) {
	for score, want := range map[int]Letter{100: "A", 80: "A", 79: "B", 65: "B", 64: "C", 50: "C", 49: "D", 35: "D", 34: "E", 20: "E", 19: "F", 0: "F"} {
		if got := scoreLetter(score); got != want {
			t.Errorf("scoreLetter(%d) = %q, want %q", score, got, want)
		}
	}
}

func TestStrengthTables(t *testing.T) {
	for bits, want := range map[int]int{256: 20, 511: 20, 512: 40, 1023: 40, 1024: 80, 2047: 80, 2048: 90, 3072: 90, 4095: 90, 4096: 100} {
		if got := keyStrengthScore(bits); got != want {
			t.Errorf("keyStrengthScore(%d) = %d, want %d", bits, got, want)
		}
	}
	for bits, want := range map[int]int{0: 0, 40: 20, 112: 20, 127: 20, 128: 80, 255: 80, 256: 100} {
		if got := cipherStrengthScore(bits); got != want {
			t.Errorf("cipherStrengthScore(%d) = %d, want %d", bits, got, want)
		}
	}
}

func TestRuleSets(t *testing.T) {
	if got := RuleSets(); !slices.Equal(got, []string{"ssllabs-2009q", "ssllabs-2009r"}) {
		t.Errorf("RuleSets() = %q", got)
	}
	for _, name := range RuleSets() {
		seen := map[string]bool{}
		for _, r := range ruleSets[name].Rules {
			if r.ID == "" || r.CheckID == "" || r.Eval == nil || seen[r.ID] {
				t.Errorf("%s: bad or duplicate rule %+v", name, r.ID)
			}
			seen[r.ID] = true
		}
	}
}

func TestLettersRankedOnce(t *testing.T) {
	order := []string{"A+", "A", "A-", "B", "C", "D", "E", "F", "M", "T"}
	for i, l := range order {
		if r, ok := Rank(l); !ok || r != i {
			t.Errorf("Rank(%s) = %d %v, want %d", l, r, ok, i)
		}
		if InScale(l) != (i < 8) {
			t.Errorf("InScale(%s) = %v", l, InScale(l))
		}
	}
	if _, ok := Rank("Z"); ok {
		t.Error("unknown letter ranked")
	}
}
