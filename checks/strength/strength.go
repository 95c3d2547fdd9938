// Package strength rates an accepted cipher suite as secure, weak or
// insecure, from its attributes in scan/registry (or its name when the
// registry does not know the code point) and the key exchange size
// observed. The reports print the rating beside each suite; the rule is
// here so that no format decides it.
package strength

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// Level is the rating of one suite.
type Level string

const (
	// Secure: forward secrecy and an AEAD cipher.
	Secure Level = "secure"
	// Weak: usable but below current practice (no forward secrecy, CBC,
	// 3DES, small ephemeral key).
	Weak Level = "weak"
	// Insecure: broken (NULL, anonymous, export, RC4, DES, RC2, SSLv2).
	Insecure Level = "insecure"
)

// suiteAttrs are the attributes of a suite that decide its strength.
type suiteAttrs struct {
	broken  bool // NULL/anon/export/RC4/DES/RC2/MD5-only or SSLv2
	block64 bool // 3DES, IDEA: 64-bit block ciphers (Sweet32)
	fs      bool // ephemeral key exchange
	aead    bool
}

// attrsOf takes a suite's attributes from scan/registry, or from its name
// when the registry does not know the code point.
func attrsOf(proto string, s obs.Suite) suiteAttrs {
	var rs registry.Suite
	var ok bool
	if proto == "SSLv2" {
		rs, ok = registry.SSLv2SuiteByID(s.ID24)
	} else {
		rs, ok = registry.SuiteByID(s.ID)
	}
	if !ok {
		return attrsFromName(s.Name)
	}
	return suiteAttrs{
		broken: rs.SSLv2() || rs.Export || rs.Anonymous || rs.Bits < 112 ||
			strings.HasPrefix(rs.Cipher, "RC4") || strings.HasPrefix(rs.Cipher, "RC2") || rs.MAC == "MD5",
		block64: rs.BlockBits == 64,
		fs:      rs.FS,
		aead:    rs.AEAD,
	}
}

// attrsFromName derives suite attributes from its IANA name (or the
// conventional SSLv2 name). TLS 1.3 suites (no "_WITH_") are FS and AEAD.
func attrsFromName(name string) suiteAttrs {
	n := strings.ToUpper(name)
	if strings.HasPrefix(n, "SSL_CK_") || strings.HasPrefix(n, "SSL2_") {
		return suiteAttrs{broken: true}
	}
	kx, cipher, ok := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(n, "TLS_"), "SSL_"), "_WITH_")
	if !ok { // TLS 1.3: TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256, ...
		kx, cipher = "ECDHE", n
	}
	var a suiteAttrs
	a.fs = strings.HasPrefix(kx, "ECDHE") || strings.HasPrefix(kx, "DHE") || strings.HasPrefix(kx, "ECCPWD")
	a.aead = strings.Contains(cipher, "GCM") || strings.Contains(cipher, "CCM") ||
		strings.Contains(cipher, "POLY1305") || strings.Contains(cipher, "MGM")
	a.block64 = strings.Contains(cipher, "3DES") || strings.HasPrefix(cipher, "IDEA")
	for _, bad := range []string{"NULL", "RC4", "DES40", "DES_CBC", "RC2", "EXPORT"} {
		if strings.Contains(cipher, bad) || strings.Contains(kx, bad) {
			a.broken = true
		}
	}
	if strings.Contains(kx, "ANON") || strings.Contains(kx, "EXPORT") || strings.HasSuffix(cipher, "_MD5") {
		a.broken = true
	}
	return a
}

// Suite rates one accepted suite of protocol proto, taking the observed key
// exchange size into account (DHE under 2048 bits or ECDHE under 224 bits
// is weak; DHE under 1024 bits is insecure).
func Suite(proto string, s obs.Suite) Level {
	if proto == "SSLv2" || proto == "SSLv3" {
		return Insecure
	}
	a := attrsOf(proto, s)
	if a.broken {
		return Insecure
	}
	if kx := s.KeyExchange; kx != nil && kx.Bits > 0 {
		switch kx.Kind {
		case "DHE":
			if kx.Bits < 1024 {
				return Insecure
			}
			if kx.Bits < 2048 {
				return Weak
			}
		case "ECDHE":
			if kx.Bits < 224 {
				return Weak
			}
		}
	}
	if a.fs && a.aead && !a.block64 {
		return Secure
	}
	return Weak
}

// Rating is the strength of one accepted suite under one protocol (a
// report's "suite_strengths").
type Rating struct {
	Protocol string `json:"protocol"`
	ID       uint16 `json:"id"` // 0 for an SSLv2 cipher kind
	Name     string `json:"name"`
	Strength Level  `json:"strength"` // "secure", "weak" or "insecure"
}

// Ratings rates every accepted suite of o, per protocol in the order the
// observation lists them.
func Ratings(o *obs.Observation) []Rating {
	if o == nil {
		return nil
	}
	var out []Rating
	for _, p := range o.Protocols {
		for _, s := range p.Suites {
			id := s.ID
			if p.Name == registry.Version(registry.VersionSSL2).String() {
				id = 0
			}
			out = append(out, Rating{Protocol: p.Name, ID: id, Name: s.Name, Strength: Suite(p.Name, s)})
		}
	}
	return out
}
