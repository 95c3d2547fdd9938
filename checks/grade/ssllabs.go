package grade

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

// The SSL Labs rule sets. Sources per rule: docs/rating.md (SSL Server
// Rating Guide 2009c-2009r, Qualys blog posts, testssl.sh).
func init() {
	registerRuleSet(RuleSet{
		Name: "ssllabs-2009r",
		Description: "SSL Labs SSL Server Rating Guide 2009r (16 May 2025): 2009q plus a warning (A-) without " +
			"TLS 1.3 or with HSTS missing, invalid or short; TLS_FALLBACK_SCSV no longer graded",
		Rules: append(append(commonRules(),
			Rule{ID: "no_tls13", CheckID: checks.IDProtoTLS13Missing, Warning: true, Eval: noTLS13}),
			hstsWarnings()...),
		Exceptional: exceptional2009r,
	})
	registerRuleSet(RuleSet{
		Name: "ssllabs-2009q",
		Description: "SSL Labs SSL Server Rating Guide 2009q (31 January 2020): TLS 1.0/1.1 cap B; no TLS 1.3 " +
			"or HSTS warnings; A+ also needs TLS_FALLBACK_SCSV",
		Rules:       commonRules(),
		Exceptional: exceptional2009q,
	})
}

// commonRules are the caps shared by 2009q and 2009r, in display order.
func commonRules() []Rule {
	rules := []Rule{
		// Protocols.
		fromObs("sslv2", checks.IDProtoSSLv2Enabled, "F", "SSLv2 is enabled (DROWN): disable SSLv2", protoOn(view.SSLv2)),
		fromObs("sslv3_only", checks.IDProtoSSLv3Enabled, "F", "only SSL protocols are enabled: enable TLS 1.2 and TLS 1.3", sslOnly),
		fromObs("sslv3", checks.IDProtoSSLv3Enabled, "B", "SSLv3 is enabled: disable SSLv3", protoOn(view.SSLv3)),
		{ID: "poodle_sslv3", CheckID: checks.IDVulnPoodleSSLv3, Eval: poodleSSLv3},
		fromObs("no_tls12", checks.IDProtoTLS12Missing, "C", "neither TLS 1.2 nor TLS 1.3 is supported: enable TLS 1.2 and TLS 1.3", noModernTLS),
		fromObs("tls10", checks.IDProtoTLS10Enabled, "B", "TLS 1.0 is enabled: disable TLS 1.0 and TLS 1.1 (RFC 8996)", protoOn(view.TLS10)),
		fromObs("tls11", checks.IDProtoTLS11Enabled, "B", "TLS 1.1 is enabled: disable TLS 1.0 and TLS 1.1 (RFC 8996)", protoOn(view.TLS11)),

		// Cipher suites.
		fromObs("null", checks.IDCipherNull, "F", "NULL suites send data unencrypted: remove them", anySuite(func(s view.Suite) bool { return view.IsNull(s.Info) })),
		fromObs("anonymous", checks.IDCipherAnonymous, "F", "anonymous suites allow impersonation: remove them", anySuite(func(s view.Suite) bool { return view.IsAnonymous(s.Info) })),
		fromObs("export", checks.IDCipherExport, "F", "export suites are accepted (FREAK/Logjam): remove them", anySuite(func(s view.Suite) bool { return s.Info.Export })),
		fromObs("under_112", checks.IDCipherWeakUnder128, "F", "suites under 112 bits are accepted: remove DES, RC2 and export ciphers", anySuite(func(s view.Suite) bool {
			b := view.EffectiveBits(s.Info)
			return b > 0 && b < 112
		})),
		fromObs("rc4_only", checks.IDCipherRC4, "F", "only RC4 suites are accepted: offer AES-GCM or ChaCha20-Poly1305", rc4Only),
		fromObs("rc4_modern", checks.IDCipherRC4, "C", "RC4 is accepted with TLS 1.1 or later: remove RC4", anyJudged(func(s view.Suite) bool {
			return view.IsRC4(s.Info) && (s.Protocol == view.TLS11 || s.Protocol == view.TLS12)
		})),
		// Any RC4 suite offered caps at B whatever the semantics (SSL Labs
		// since 2014); negotiated semantics decide only the TLS 1.1+ cap C.
		fromObs("rc4", checks.IDCipherRC4, "B", "RC4 suites are accepted: remove RC4 (RFC 7465)", anySuite(func(s view.Suite) bool { return view.IsRC4(s.Info) })),
		fromObs("sweet32", checks.IDCipherDES64BitBlock, "C", "64-bit block ciphers (3DES) are usable with TLS 1.1 or later: remove them, "+
			"or at least put them last in an enforced server order", sweet32),
		fromObs("no_forward_secrecy", checks.IDCipherNoForwardSecrecy, "B", "no suite has forward secrecy: enable ECDHE suites", noneJudged(func(s view.Suite) bool { return s.Info.FS })),
		fromObs("no_aead", checks.IDCipherNoAEAD, "B", "no AEAD suite: enable AES-GCM or ChaCha20-Poly1305", noneJudged(func(s view.Suite) bool { return s.Info.AEAD })),

		// Key exchange.
		fromObs("dh_under_1024", checks.IDKxDHUnder1024, "F", "DH parameters under 1024 bits (Logjam): use ffdhe2048 or disable DHE", dhUnder(1024)),
		// The 2009e key rule (keys under 2048 bits → B) applied to DH
		// parameters, which the guide scores as keys since 2009e; SSL Labs
		// has capped DH-1024 servers at B since its 2015 Logjam update.
		fromObs("dh_under_2048", checks.IDKxDHUnder2048, "B", "DH parameters under 2048 bits: use ffdhe2048 (RFC 7919) or disable DHE", dhUnder(2048)),
	}
	for _, c := range certCaps {
		rules = append(rules, fromFinding(strings.TrimPrefix(c.id, "cert."), c.id, c.grade, c.fix))
	}
	for _, c := range vulnCaps {
		rules = append(rules, fromFinding(strings.TrimPrefix(c.id, "vuln."), c.id, c.grade, c.fix))
	}
	return rules
}

type findingCap struct {
	id    string
	grade Letter
	fix   string
}

// certCaps: certificate problems. T and M replace the letter (see Grade.TrustIgnored).
var certCaps = []findingCap{
	{checks.IDCertUntrusted, "T", "the certificate chain is not trusted: serve a chain to a publicly trusted root"},
	{checks.IDCertExpired, "T", "the certificate has expired: renew it"},
	{checks.IDCertNotYetValid, "T", "the certificate is not yet valid: check its notBefore and the server clock"},
	{checks.IDCertSelfSigned, "T", "the certificate is self-signed: use one issued by a trusted CA"},
	{checks.IDCertRevoked, "T", "the certificate is revoked: replace it"},
	{checks.IDCertSHA1Signature, "T", "the certificate is signed with SHA-1: reissue it with SHA-256"},
	{checks.IDCertSymantecDistrusted, "T", "the certificate chains to the distrusted legacy Symantec PKI: replace it"},
	{checks.IDCertHostnameMismatch, "M", "the certificate does not match the host name: include the name in its subjectAltName"},
	{checks.IDCertMD5Signature, "F", "the certificate is signed with MD5: reissue it with SHA-256"},
	{checks.IDCertRSAKeyUnder1024, "F", "the certificate key is under 1024 bits: use RSA-2048 or ECDSA P-256"},
	{checks.IDCertDebianWeakKey, "F", "the certificate key is a Debian weak key (CVE-2008-0166): generate a new key"},
	{checks.IDCertRSAExponentOne, "F", "the certificate's RSA public exponent is 1: generate a new key"},
	{checks.IDCertRSAKeyUnder2048, "B", "the certificate key is under 2048 bits: use RSA-2048 or ECDSA P-256"},
	{checks.IDCertChainIncomplete, "B", "the chain is incomplete: serve the intermediate certificates"},
}

// vulnCaps: vulnerabilities found by active probes.
var vulnCaps = []findingCap{
	{checks.IDVulnHeartbleed, "F", "vulnerable to Heartbleed (CVE-2014-0160): update OpenSSL and replace the key"},
	{checks.IDVulnCCSInjection, "F", "vulnerable to OpenSSL CCS injection (CVE-2014-0224): update OpenSSL"},
	{checks.IDVulnROBOT, "F", "vulnerable to ROBOT: update the TLS stack or disable RSA key exchange"},
	{checks.IDVulnPoodleTLS, "F", "vulnerable to POODLE over TLS: update the TLS stack or disable CBC suites"},
	{checks.IDVulnTicketbleed, "F", "vulnerable to Ticketbleed (CVE-2016-9244): update the F5 firmware"},
	{checks.IDVulnLuckyMinus20, "F", "vulnerable to the OpenSSL padding oracle CVE-2016-2107: update OpenSSL"},
	{checks.IDVulnZombiePoodle, "F", "vulnerable to Zombie POODLE: update the TLS stack or disable CBC suites"},
	{checks.IDVulnGoldenDoodle, "F", "vulnerable to GOLDENDOODLE: update the TLS stack or disable CBC suites"},
	{checks.IDVulnSleepingPoodle, "F", "vulnerable to Sleeping POODLE: update the TLS stack or disable CBC suites"},
	{checks.IDVulnZeroLengthPaddingOracle, "F", "vulnerable to the 0-length padding oracle (CVE-2019-1559): update OpenSSL"},
	{checks.IDVulnDROWN, "F", "vulnerable to DROWN: disable SSLv2 everywhere this key or name is used"},
	{checks.IDVulnInsecureRenegotiation, "F", "insecure renegotiation is supported: enable RFC 5746 secure renegotiation"},
	{checks.IDVulnCRIME, "C", "TLS compression is enabled (CRIME): disable it"},
}

func hstsWarnings() []Rule {
	return []Rule{
		fromFindingWarning("hsts_missing", checks.IDHTTPHSTSMissing, "no HSTS header: send Strict-Transport-Security"),
		fromFindingWarning("hsts_invalid", checks.IDHTTPHSTSInvalid, "the HSTS header is invalid: fix its syntax"),
		fromFindingWarning("hsts_short", checks.IDHTTPHSTSShort, "the HSTS max-age is under 180 days: raise it (e.g. 63072000)"),
	}
}

// protoOn: the protocol is accepted.
func protoOn(name string) func(in *Input) (string, bool) {
	return func(in *Input) (string, bool) {
		return "", view.Supported(in.Obs, name)
	}
}

// sslOnly: SSLv2/SSLv3 accepted and no TLS version.
func sslOnly(in *Input) (string, bool) {
	for _, p := range view.SupportedProtocols(in.Obs) {
		if p.Name != view.SSLv2 && p.Name != view.SSLv3 {
			return "", false
		}
	}
	return "", true
}

// noModernTLS: neither TLS 1.2 nor TLS 1.3 is accepted. A probe error on
// either leaves the rule unapplied (noted).
func noModernTLS(in *Input) (string, bool) {
	if view.Supported(in.Obs, view.TLS12) || view.Supported(in.Obs, view.TLS13) {
		return "", false
	}
	for _, name := range []string{view.TLS12, view.TLS13} {
		if p, ok := view.Protocol(in.Obs, name); !ok || p.Error != "" {
			in.notAssessed(name+" support unknown (not probed or probe failed): the no-TLS-1.2 cap (C) was not applied", checks.IDProtoTLS12Missing)
			return "", false
		}
	}
	return "", true
}

// poodleSSLv3 caps at C when vuln.poodle_sslv3 fails or, lacking that
// finding, when SSLv3 accepts a CBC suite (POODLE needs nothing else).
func poodleSSLv3(in *Input) *Cap {
	const fix = "SSLv3 is vulnerable to POODLE: disable SSLv3"
	if f, failed := in.Failed(checks.IDVulnPoodleSSLv3); failed {
		return &Cap{Grade: "C", Reason: withEvidence(fix, f.Detail)}
	}
	if in.Assessed(checks.IDVulnPoodleSSLv3) {
		return nil
	}
	cbc := view.Select(in.Suites(), func(s view.Suite) bool { return s.Protocol == view.SSLv3 && view.IsCBC(s.Info) })
	if len(cbc) == 0 {
		return nil
	}
	return &Cap{Grade: "C", CheckID: checks.IDProtoSSLv3Enabled,
		Reason: withEvidence(fix, "inferred from the CBC suites SSLv3 accepts: "+view.Evidence(cbc))}
}

// anySuite: some accepted suite matches; the evidence lists them.
func anySuite(match func(view.Suite) bool) func(in *Input) (string, bool) {
	return func(in *Input) (string, bool) {
		hit := view.Select(in.Suites(), match)
		return view.Evidence(hit), len(hit) > 0
	}
}

func rc4Only(in *Input) (string, bool) {
	all := in.Judged()
	return "", len(all) > 0 && len(view.Select(all, func(s view.Suite) bool { return !view.IsRC4(s.Info) })) == 0
}

// sweet32: a 64-bit block suite under TLS 1.1+, unless the server enforces
// its order and every such suite comes after all the others (SSL Labs 2017:
// no penalty when 3DES is last in a server-ordered list).
func sweet32(in *Input) (string, bool) {
	var hit []view.Suite
	for _, p := range view.SupportedProtocols(in.Obs) {
		if p.Name != view.TLS11 && p.Name != view.TLS12 {
			continue
		}
		ss := view.Select(in.Judged(), func(s view.Suite) bool { return s.Protocol == p.Name })
		weak := view.Select(ss, func(s view.Suite) bool { return s.Info.BlockBits == 64 })
		if len(weak) == 0 {
			continue
		}
		// Under negotiated semantics a 3DES suite a client chose counts
		// wherever it stands.
		if in.semantics != Negotiated && p.ServerOrder != nil && *p.ServerOrder && allLast(ss, weak) {
			continue
		}
		hit = append(hit, weak...)
	}
	return view.Evidence(hit), len(hit) > 0
}

// allLast: every suite of weak comes after every other suite of ss.
func allLast(ss, weak []view.Suite) bool {
	firstWeak := weak[0].Pos
	for _, s := range ss {
		if s.Info.BlockBits != 64 && s.Pos > firstWeak {
			return false
		}
	}
	return true
}

func dhUnder(limit int) func(in *Input) (string, bool) {
	return func(in *Input) (string, bool) {
		var bad []string
		for _, d := range view.DHSizes(in.Obs) {
			if d.Bits < limit {
				bad = append(bad, d.Label)
			}
		}
		return strings.Join(bad, "; "), len(bad) > 0
	}
}

func noTLS13(in *Input) *Cap {
	p, ok := view.Protocol(in.Obs, view.TLS13)
	switch {
	case !ok || (!p.Supported && p.Error != ""):
		in.notAssessed("TLS 1.3 support unknown (not probed or probe failed): the no-TLS-1.3 warning was not applied", checks.IDProtoTLS13Missing)
		return nil
	case p.Supported:
		return nil
	}
	return &Cap{Grade: "A-", Reason: "TLS 1.3 is not supported: enable it"}
}

// exceptional2009r: A+ needs HSTS with max-age ≥ 180 days (a pass of
// http.hsts_short) and no invalid HPKP. Without HTTP findings there is no A+
// and no HSTS warning either: SSL Labs only judges HSTS on an HTTP answer,
// and a missing probe must not invent a penalty.
func exceptional2009r(in *Input) bool {
	if _, bad := in.Failed(checks.IDHTTPHPKPInvalid); bad {
		return false
	}
	_, missing := in.Failed(checks.IDHTTPHSTSMissing)
	_, invalid := in.Failed(checks.IDHTTPHSTSInvalid)
	if missing || invalid {
		return false // judged: the HSTS warning says why
	}
	if !in.Assessed(checks.IDHTTPHSTSShort) {
		in.notAssessed("HSTS not assessed (no "+checks.IDHTTPHSTSShort+" finding): no A+ possible, no HSTS warning applied", checks.IDHTTPHSTSShort)
		return false
	}
	return in.Passed(checks.IDHTTPHSTSShort)
}

// exceptional2009q: as 2009r, plus TLS_FALLBACK_SCSV support (a pass of
// vuln.no_fallback_scsv). A server with a single protocol version cannot be
// downgraded, so the check does not apply and does not withhold A+ (SSL Labs
// withheld it then, for lack of a test: ssllabs-scan#949).
func exceptional2009q(in *Input) bool {
	if !exceptional2009r(in) {
		return false
	}
	if _, bad := in.Failed(checks.IDVulnNoFallbackSCSV); bad {
		return false
	}
	if in.Passed(checks.IDVulnNoFallbackSCSV) {
		return true
	}
	for _, f := range in.byID[checks.IDVulnNoFallbackSCSV] {
		if f.Status == checks.StatusNotApplicable {
			return true
		}
	}
	in.notAssessed("TLS_FALLBACK_SCSV not assessed (no "+checks.IDVulnNoFallbackSCSV+" finding): required for A+ under ssllabs-2009q", checks.IDVulnNoFallbackSCSV)
	return false
}
