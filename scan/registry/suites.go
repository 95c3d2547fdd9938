// Package registry is tlsaudit's reference data: cipher suites, named
// groups, signature schemes and well-known finite-field DH primes, with
// lookup functions. It does no I/O and imports only the standard library,
// so scan/, checks/ and report/ can all use it.
//
// The IANA TLS registries are the authority for code points and names.
// Code points outside them that real software deployed (export1024 and
// GOST suites, pre-RFC ChaCha20, NSS FIPS suites, SSLv2 cipher kinds) are
// included and marked (Suite.IANA false).
//
// All functions return copies: callers may modify what they get.
package registry

import (
	"fmt"
	"slices"
)

//go:generate go run ./internal/gen

// Suite describes one cipher suite or SSLv2 cipher kind.
type Suite struct {
	ID          uint16 // TLS code point (0 for SSLv2 cipher kinds)
	ID24        uint32 // SSLv2 cipher kind; 0 for TLS suites (and for SSL_CK_NULL_WITH_MD5, whose kind is 0x000000)
	Name        string // IANA name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"; SSLv2: "SSL_CK_RC4_128_WITH_MD5"
	OpenSSLName string // e.g. "ECDHE-RSA-AES128-GCM-SHA256"; "" if OpenSSL (and testssl.sh) has none
	// Kx is the key exchange: "RSA", "DHE", "ECDHE", "DH", "ECDH" (static or
	// anonymous), "PSK", "DHE_PSK", "ECDHE_PSK", "RSA_PSK", "SRP", "KRB5",
	// "GOST", "ECCPWD", "CECPQ1", "NULL", or "TLS13" (negotiated separately).
	Kx string
	// Auth is the authentication: "RSA", "DSS", "ECDSA", "anon", "PSK",
	// "KRB5", "SRP", "GOST", "ECCPWD", "NULL", or "TLS13".
	Auth string
	// Cipher is the bulk cipher, e.g. "AES_128_GCM", "AES_256_CBC",
	// "CHACHA20_POLY1305", "3DES_EDE_CBC", "RC4_128", "RC4_40", "DES_CBC",
	// "DES40_CBC", "RC2_CBC_40", "IDEA_CBC", "CAMELLIA_128_CBC",
	// "ARIA_128_GCM", "SEED_CBC", "SM4_GCM", "GOST28147_CNT", "NULL".
	Cipher string
	// Bits is the effective symmetric key strength (3DES 112, export 40 or
	// 56, NULL 0).
	Bits int
	// BlockBits is the cipher's block size: 64 for 3DES, DES, IDEA, RC2,
	// GOST 28147-89 and Magma; 128 for AES, Camellia, ARIA, SEED, SM4;
	// 0 for RC4, ChaCha20 and NULL.
	BlockBits int
	// MAC is the record MAC: "SHA" (HMAC-SHA1), "SHA256", "SHA384", "MD5",
	// "GOST89", "GOSTR3411", "GOST94", "OMAC", "NULL", or "AEAD".
	MAC string
	// AEAD: the cipher is an AEAD (GCM, CCM, ChaCha20-Poly1305, MGM, ...).
	AEAD bool
	// FS: ephemeral key exchange (DHE, ECDHE, DHE_PSK, ECDHE_PSK, ECCPWD,
	// CECPQ1, every TLS 1.3 suite); anonymous DH is not counted.
	FS bool
	// Export: a 1990s export-grade suite (RSA_EXPORT, DHE_*_EXPORT,
	// EXPORT1024, KRB5_EXPORT, SSLv2 EXPORT40).
	Export bool
	// Anonymous: no server authentication at all (anon or NULL).
	Anonymous bool
	// Signalling: an SCSV, not a real suite (0x00FF, 0x5600).
	Signalling bool
	// IANA: the code point and name are in the IANA TLS Cipher Suites registry.
	IANA bool
	// MinVersion and MaxVersion bound the wire versions the suite is valid in:
	// SSLv3..TLS 1.2 for most, TLS 1.2 for SHA-2 HMAC and AEAD suites,
	// at most TLS 1.0 for export ones, TLS 1.3 for TLS 1.3 suites and
	// VersionSSL2 for SSLv2 cipher kinds.
	MinVersion, MaxVersion Version
}

// SSLv2 reports whether s is an SSLv2 cipher kind.
func (s Suite) SSLv2() bool { return s.MinVersion == VersionSSL2 }

// ValidIn reports whether s can be negotiated at the wire version v.
func (s Suite) ValidIn(v Version) bool {
	return !s.Signalling && s.MinVersion <= v && v <= s.MaxVersion
}

var (
	byID   = map[uint16]int{}
	byID24 = map[uint32]int{}
	byName = map[string]int{}
)

func init() {
	for i, s := range suiteTable {
		byName[s.Name] = i
		if s.SSLv2() {
			byID24[s.ID24] = i
		} else {
			byID[s.ID] = i
		}
	}
}

// SuiteByID returns the TLS suite (or SCSV) with code point id.
func SuiteByID(id uint16) (Suite, bool) { return lookup(byID, suiteTable[:], id) }

// lookup returns table[index[k]].
func lookup[K comparable, V any](index map[K]int, table []V, k K) (V, bool) {
	i, ok := index[k]
	if !ok {
		var zero V
		return zero, false
	}
	return table[i], true
}

// SSLv2SuiteByID returns the SSLv2 cipher kind id24.
func SSLv2SuiteByID(id24 uint32) (Suite, bool) { return lookup(byID24, suiteTable[:], id24) }

// SuiteByName returns the suite with the given IANA (or conventional) name.
func SuiteByName(name string) (Suite, bool) { return lookup(byName, suiteTable[:], name) }

// Suites returns all TLS suites, SCSVs and SSLv2 kinds excluded, by ID.
func Suites() []Suite {
	return filter(func(s Suite) bool { return !s.SSLv2() && !s.Signalling })
}

// SSLv2Suites returns the SSLv2 cipher kinds by ID24.
func SSLv2Suites() []Suite {
	return filter(Suite.SSLv2)
}

// SuitesFor returns the suites valid at wire version v (VersionSSL2 gives
// the SSLv2 kinds), SCSVs excluded, by ID.
func SuitesFor(version Version) []Suite {
	return filter(func(s Suite) bool { return s.ValidIn(version) })
}

func filter(keep func(Suite) bool) []Suite {
	var out []Suite
	for _, s := range suiteTable {
		if keep(s) {
			out = append(out, s)
		}
	}
	return slices.Clip(out)
}

// SuiteName returns the name of TLS code point id, or "0x%04X" when unknown.
func SuiteName(id uint16) string {
	if s, ok := SuiteByID(id); ok {
		return s.Name
	}
	return fmt.Sprintf("0x%04X", id)
}

// SSLv2SuiteName returns the name of SSLv2 cipher kind id24, or "0x%06X".
func SSLv2SuiteName(id24 uint32) string {
	if s, ok := SSLv2SuiteByID(id24); ok {
		return s.Name
	}
	return fmt.Sprintf("0x%06X", id24)
}
