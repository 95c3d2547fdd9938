package clientsim

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Legacy reference clients: ClientHellos synthesised from the published
// capabilities of clients that cannot be run here (Internet Explorer on old
// Windows, old Android, Java 8, OpenSSL 1.0.2, Safari before 12.1, old
// Firefox and Chrome), so that grading with negotiated semantics sees what
// TLS 1.2-only clients would negotiate, as SSL Labs' reference set does.
//
// Each is built from its vendor's documentation and SSL Labs' public client
// pages (protocol range, cipher suites in the client's order, curves,
// signature algorithms, extensions; the sources are in Refs and
// docs/clients.md)
// and is marked Origin "synthesised": its bytes were never captured, and
// details a document does not give (extension order, exact extension set)
// are the usual ones of that stack. A server is judged on what it would
// choose from these offers, which is what the grade needs.

// OriginCaptured and OriginSynthesised tell where a profile's ClientHello
// comes from.
const (
	OriginCaptured    = obs.OriginCaptured
	OriginSynthesised = obs.OriginSynthesised
)

// SynthesisedNote is the label of synthesised clients in reports.
const SynthesisedNote = "synthesised from published capabilities"

// legacySpec is one client's published capabilities.
type legacySpec struct {
	name, version, label string
	refs                 []string
	// minVer/maxVer: protocol range (maxVer goes in client_version; the
	// record layer says 0x0301 unless recordVersion is set).
	minVer, maxVer, recordVersion uint16
	suites                        []uint16
	groups                        []uint16 // supported_groups (nil: none sent)
	sigalgs                       []uint16 // signature_algorithms (TLS 1.2 clients)
	alpn                          []string
	sessionTicket, statusRequest  bool
	ems, renegInfo                bool
}

// Signature algorithm code points (RFC 5246 7.4.1.4.1 hash/signature pairs).
const (
	sha1RSA, sha1DSA, sha1ECDSA       = 0x0201, 0x0202, 0x0203
	sha256RSA, sha256DSA, sha256ECDSA = 0x0401, 0x0402, 0x0403
	sha384RSA, sha384ECDSA            = 0x0501, 0x0503
	sha512RSA, sha512ECDSA            = 0x0601, 0x0603
	sha224RSA, sha224ECDSA            = 0x0301, 0x0303
	md5RSA                            = 0x0101
)

// Named groups.
const (
	secp256r1, secp384r1, secp521r1, x25519 = 23, 24, 25, 29
)

// schannelWin7 is the default cipher suite priority of Schannel on Windows
// 7 after the KB3042058 update (Microsoft, "TLS Cipher Suites in Windows
// 7"): ECDHE_RSA without GCM, DHE_RSA with GCM, RSA, ECDHE_ECDSA, DHE_DSS,
// then 3DES. RC4 is off in IE 11.
var schannelWin7 = []uint16{
	0xc028, 0xc027, 0xc014, 0xc013, 0x009f, 0x009e,
	0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f,
	0xc02c, 0xc02b, 0xc024, 0xc023, 0xc00a, 0xc009,
	0x006a, 0x0040, 0x0038, 0x0032, 0x000a, 0x0013,
}

// schannelWin81 adds DHE_RSA with AES-CBC (Microsoft, "TLS Cipher Suites
// in Windows 8.1").
var schannelWin81 = []uint16{
	0xc028, 0xc027, 0xc014, 0xc013, 0x009f, 0x009e, 0x0039, 0x0033,
	0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f,
	0xc02c, 0xc02b, 0xc024, 0xc023, 0xc00a, 0xc009,
	0x006a, 0x0040, 0x0038, 0x0032, 0x000a, 0x0013,
}

var schannelSigalgs = []uint16{sha256RSA, sha384RSA, sha1RSA, sha256ECDSA, sha384ECDSA, sha1ECDSA, sha1DSA, sha512RSA, sha512ECDSA}

const (
	refSchannel = "https://learn.microsoft.com/windows/win32/secauthn/cipher-suites-in-schannel"
	refMSA3042  = "https://learn.microsoft.com/security-updates/securityadvisories/2015/3042058"
	refAndroid  = "https://developer.android.com/reference/javax/net/ssl/SSLSocket"
	refJava8    = "https://docs.oracle.com/javase/8/docs/technotes/guides/security/SunProviders.html#SunJSSEProvider"
	refOpenSSL  = "https://www.openssl.org/docs/man1.0.2/man1/ciphers.html"
	refSSLLabs  = "https://www.ssllabs.com/ssltest/clients.html"
	refSafari   = "https://support.apple.com/guide/security/tls-security-sec100a75d12/web"
	refNSS      = "https://firefox-source-docs.mozilla.org/security/nss/legacy/nss_releases/index.html"
	refChromium = "https://www.chromium.org/Home/chromium-security/education/tls/"
)

var legacySpecs = []legacySpec{
	{name: "ie", version: "11-win7", label: "IE 11 / Win 7",
		refs:   []string{refSchannel, refMSA3042, refSSLLabs},
		minVer: registry.VersionTLS10, maxVer: registry.VersionTLS12,
		suites: schannelWin7, groups: []uint16{secp256r1, secp384r1}, sigalgs: schannelSigalgs,
		statusRequest: true, renegInfo: true},
	{name: "ie", version: "11-win8.1", label: "IE 11 / Win 8.1",
		refs:   []string{refSchannel, refMSA3042, refSSLLabs},
		minVer: registry.VersionTLS10, maxVer: registry.VersionTLS12,
		suites: schannelWin81, groups: []uint16{secp256r1, secp384r1}, sigalgs: schannelSigalgs,
		alpn: []string{"h2", "http/1.1"}, sessionTicket: true, statusRequest: true, ems: true, renegInfo: true},
	// Android 4.4.2 (API 19, the platform browser): TLS 1.2, AES-GCM,
	// 3DES in the middle and RC4 last.
	{name: "android", version: "4.4.2", label: "Android 4.4.2",
		refs:   []string{refAndroid, refSSLLabs},
		minVer: registry.VersionTLS10, maxVer: registry.VersionTLS12,
		suites: []uint16{0xc030, 0xc02c, 0xc014, 0xc00a, 0x00a3, 0x009f, 0x006b, 0x006a, 0x0039, 0x0038,
			0x009d, 0x003d, 0x0035, 0xc012, 0xc008, 0x0016, 0x0013, 0x000a, 0xc02f, 0xc02b, 0xc027, 0xc023,
			0xc013, 0xc009, 0x00a2, 0x009e, 0x0067, 0x0040, 0x0033, 0x0032, 0x009c, 0x003c, 0x002f,
			0xc011, 0xc007, 0x0005, 0x0004, 0x00ff},
		groups:        []uint16{secp521r1, secp384r1, secp256r1},
		sigalgs:       []uint16{sha512RSA, 0x0602, sha512ECDSA, sha384RSA, 0x0502, sha384ECDSA, sha256RSA, sha256DSA, sha256ECDSA, sha224RSA, 0x0302, sha224ECDSA, sha1RSA, sha1DSA, sha1ECDSA, md5RSA},
		sessionTicket: true},
	// Android 7.0 (API 24): ChaCha20-Poly1305 added; RC4, DHE and 3DES gone.
	{name: "android", version: "7.0", label: "Android 7.0 (API 24)",
		refs:   []string{refAndroid, refSSLLabs},
		minVer: registry.VersionTLS10, maxVer: registry.VersionTLS12,
		suites: []uint16{0xc02b, 0xc02c, 0xcca9, 0xc02f, 0xc030, 0xcca8, 0xc013, 0xc014,
			0x009c, 0x009d, 0x002f, 0x0035},
		groups:  []uint16{secp256r1},
		sigalgs: []uint16{sha256ECDSA, sha256RSA, sha384ECDSA, sha384RSA, sha512ECDSA, sha512RSA, sha1ECDSA, sha1RSA},
		alpn:    []string{"http/1.1"}, sessionTicket: true, statusRequest: true, ems: true, renegInfo: true},
	// Java 8u161: SunJSSE default order (CBC before GCM in JDK 8), 3DES
	// last (disabled only from 8u171), no RC4 (disabled since 8u60).
	{name: "java", version: "8u161", label: "Java 8u161",
		refs:   []string{refJava8, refSSLLabs},
		minVer: registry.VersionTLS10, maxVer: registry.VersionTLS12, recordVersion: registry.VersionTLS12,
		suites: []uint16{0xc024, 0xc028, 0x003d, 0xc026, 0xc02a, 0x006b, 0x006a, 0xc00a, 0xc014, 0x0035,
			0xc005, 0xc00f, 0x0039, 0x0038, 0xc023, 0xc027, 0x003c, 0xc025, 0xc029, 0x0067, 0x0040,
			0xc009, 0xc013, 0x002f, 0xc004, 0xc00e, 0x0033, 0x0032, 0xc02c, 0xc02b, 0xc030, 0x009d,
			0xc02e, 0xc032, 0x009f, 0x00a3, 0xc02f, 0x009c, 0xc02d, 0xc031, 0x009e, 0x00a2,
			0xc008, 0xc012, 0x000a, 0xc003, 0xc00d, 0x0016, 0x0013, 0x00ff},
		groups: []uint16{secp256r1, secp384r1, secp521r1, 22, 21, 20, 19, 18},
		sigalgs: []uint16{sha512ECDSA, sha512RSA, sha384ECDSA, sha384RSA, sha256ECDSA, sha256RSA, sha256DSA,
			sha224ECDSA, sha224RSA, 0x0302, sha1ECDSA, sha1RSA, sha1DSA, md5RSA},
		ems: true},
	// OpenSSL 1.0.2e DEFAULT (ALL:!aNULL:!eNULL:!SSLv2 then), strongest
	// first: RC4 after the other 128-bit suites, then 3DES, then DES; the
	// renegotiation SCSV.
	{name: "openssl", version: "1.0.2e", label: "OpenSSL 1.0.2e",
		refs:   []string{refOpenSSL, refSSLLabs},
		minVer: registry.VersionTLS10, maxVer: registry.VersionTLS12,
		suites: []uint16{0xc030, 0xc02c, 0xc028, 0xc024, 0xc014, 0xc00a, 0x00a5, 0x00a3, 0x00a1, 0x009f,
			0x006b, 0x006a, 0x0069, 0x0068, 0x0039, 0x0038, 0x0037, 0x0036, 0x0088, 0x0087, 0x0086, 0x0085,
			0xc032, 0xc02e, 0xc02a, 0xc026, 0xc00f, 0xc005, 0x009d, 0x003d, 0x0035, 0x0084,
			0xc02f, 0xc02b, 0xc027, 0xc023, 0xc013, 0xc009, 0x00a4, 0x00a2, 0x00a0, 0x009e,
			0x0067, 0x0040, 0x003f, 0x003e, 0x0033, 0x0032, 0x0031, 0x0030, 0x009a, 0x0099, 0x0098, 0x0097,
			0x0045, 0x0044, 0x0043, 0x0042, 0xc031, 0xc02d, 0xc029, 0xc025, 0xc00e, 0xc004,
			0x009c, 0x003c, 0x002f, 0x0096, 0x0041, 0x0007,
			0xc011, 0xc007, 0xc00c, 0xc002, 0x0005, 0x0004,
			0xc012, 0xc008, 0x0016, 0x0013, 0x0010, 0x000d, 0xc00d, 0xc003, 0x000a,
			0x0015, 0x0012, 0x000f, 0x000c, 0x0009, 0x00ff},
		groups: []uint16{secp256r1, secp521r1, 28, 27, secp384r1, 26, 22, 14, 13, 11, 12, 9, 10},
		sigalgs: []uint16{sha512RSA, 0x0602, sha512ECDSA, sha384RSA, 0x0502, sha384ECDSA, sha256RSA, sha256DSA, sha256ECDSA,
			sha224RSA, 0x0302, sha224ECDSA, sha1RSA, sha1DSA, sha1ECDSA},
		sessionTicket: true},
	// Safari 10 (OS X 10.12; TLS 1.3 came with 12.1): 3DES after each
	// ECDHE family and last.
	{name: "safari", version: "10", label: "Safari 10 (OS X 10.12)",
		refs:   []string{refSafari, refSSLLabs},
		minVer: registry.VersionTLS10, maxVer: registry.VersionTLS12,
		suites: []uint16{0xc02c, 0xc02b, 0xc024, 0xc023, 0xc00a, 0xc009, 0xc008, 0xc030, 0xc02f, 0xc028,
			0xc027, 0xc014, 0xc013, 0xc012, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a},
		groups:  []uint16{secp256r1, secp384r1, secp521r1},
		sigalgs: []uint16{sha256ECDSA, sha256RSA, sha384ECDSA, sha384RSA, sha512ECDSA, sha512RSA, sha1ECDSA, sha1RSA},
		alpn:    []string{"h2", "h2-16", "h2-15", "h2-14", "spdy/3.1", "spdy/3", "http/1.1"}, statusRequest: true, ems: true, renegInfo: true},
	// Firefox 47 (NSS 3.23): AES-GCM, ChaCha20, ECDHE/DHE CBC, 3DES last.
	{name: "firefox", version: "47", label: "Firefox 47 (Win 7)",
		refs:   []string{refNSS, refSSLLabs},
		minVer: registry.VersionTLS10, maxVer: registry.VersionTLS12,
		suites: []uint16{0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc00a, 0xc009, 0xc013, 0xc014, 0x0033, 0x0039,
			0x002f, 0x0035, 0x000a},
		groups:  []uint16{secp256r1, secp384r1, secp521r1},
		sigalgs: []uint16{sha256RSA, sha384RSA, sha512RSA, sha1RSA, sha256ECDSA, sha384ECDSA, sha512ECDSA, sha1ECDSA, sha256DSA, sha1DSA},
		alpn:    []string{"h2", "spdy/3.1", "http/1.1"}, sessionTicket: true, statusRequest: true, renegInfo: true},
	// Chrome 49 (Windows 7): the draft ChaCha20 code points, 3DES last.
	{name: "chrome", version: "49-win7", label: "Chrome 49 (Win 7)",
		refs:   []string{refChromium, refSSLLabs},
		minVer: registry.VersionTLS10, maxVer: registry.VersionTLS12,
		suites: []uint16{0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xcc14, 0xcc13, 0xc00a, 0xc014, 0xc009, 0xc013,
			0x009c, 0x0035, 0x002f, 0x000a},
		groups:  []uint16{x25519, secp256r1, secp384r1},
		sigalgs: []uint16{0x0601, 0x0603, 0x0501, 0x0503, 0x0401, 0x0403, 0x0301, 0x0303, 0x0201, 0x0203, 0x0402, 0x0202},
		alpn:    []string{"h2", "spdy/3.1", "http/1.1"}, sessionTicket: true, statusRequest: true, ems: true, renegInfo: true},
}

// Legacy returns the synthesised legacy reference clients, in table
// order. Their hellos carry server_name "tlsaudit.test" (Prepare replaces
// it with the target's name).
func Legacy() ([]Profile, error) {
	out := make([]Profile, 0, len(legacySpecs))
	for _, s := range legacySpecs {
		p, err := s.profile()
		if err != nil {
			return nil, fmt.Errorf("clientsim: legacy client %s: %w", s.label, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func (s legacySpec) profile() (Profile, error) {
	ch := &wire.ClientHello{
		RecordVersion:        s.recordVersion,
		Version:              s.maxVer,
		SessionID:            []byte{},
		CipherSuites:         s.suites,
		ServerName:           "tlsaudit.test",
		SupportedGroups:      s.groups,
		SignatureAlgorithms:  s.sigalgs,
		ALPN:                 s.alpn,
		SecureRenegotiation:  s.renegInfo,
		SessionTicket:        s.sessionTicket,
		StatusRequest:        s.statusRequest,
		ExtendedMasterSecret: s.ems,
		Random:               make([]byte, 32),
	}
	if s.groups != nil {
		ch.ECPointFormats = []uint8{0}
	}
	msg, err := ch.Marshal()
	if err != nil {
		return Profile{}, err
	}
	rv := s.recordVersion
	if rv == 0 {
		rv = registry.VersionTLS10
	}
	h, err := NewHello(msg, rv)
	if err != nil {
		return Profile{}, err
	}
	id := FileBase(s.name, s.version)
	return Profile{ID: id, Source: "builtin", Hello: h, Meta: Meta{
		Name: s.name, Version: s.version, Label: s.label, Reference: true,
		Origin: OriginSynthesised, Refs: s.refs,
	}}, nil
}
