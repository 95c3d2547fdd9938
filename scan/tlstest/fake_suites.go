package tlstest

import (
	"math/big"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// SSLv2 cipher kinds (draft-hickman-netscape-ssl-00, appendix "Cipher kinds").
const (
	SSL2RC4128MD5            uint32 = 0x010080 // SSL_CK_RC4_128_WITH_MD5
	SSL2RC4128Export40MD5    uint32 = 0x020080 // SSL_CK_RC4_128_EXPORT40_WITH_MD5
	SSL2RC2128CBCMD5         uint32 = 0x030080 // SSL_CK_RC2_128_CBC_WITH_MD5
	SSL2RC2128CBCExport40MD5 uint32 = 0x040080 // SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5
	SSL2IDEA128CBCMD5        uint32 = 0x050080 // SSL_CK_IDEA_128_CBC_WITH_MD5
	SSL2DES64CBCMD5          uint32 = 0x060040 // SSL_CK_DES_64_CBC_WITH_MD5
	SSL2DES192EDE3CBCMD5     uint32 = 0x0700c0 // SSL_CK_DES_192_EDE3_CBC_WITH_MD5
)

// Named groups the fake servers can produce real key shares for.
const (
	GroupP256   uint16 = 23
	GroupP384   uint16 = 24
	GroupP521   uint16 = 25
	GroupX25519 uint16 = 29
)

type kexKind int

const (
	kexRSA kexKind = iota
	kexRSAExport
	kexDHE
	kexDHEExport
	kexDHAnon
	kexECDHE
	kexUnsupported // PSK, SRP, static DH, ...: the fake servers cannot serve these
)

// suiteKex classifies a suite by its key exchange (from scan/registry).
// Suites unknown to the registry are treated as plain RSA.
func suiteKex(id uint16) kexKind {
	s, ok := registry.SuiteByID(id)
	if !ok {
		return kexRSA
	}
	switch {
	case s.Kx == "ECDHE" && (s.Auth == "RSA" || s.Auth == "ECDSA"):
		return kexECDHE
	case s.Kx == "DHE" && s.Auth == "RSA" && s.Export:
		return kexDHEExport
	case s.Kx == "DHE" && s.Auth == "RSA":
		return kexDHE
	case s.Kx == "DH" && s.Auth == "anon":
		return kexDHAnon
	case s.Kx == "RSA" && s.Export:
		return kexRSAExport
	case s.Kx == "RSA":
		return kexRSA
	}
	return kexUnsupported
}

// suiteAuth is the suite's authentication ("RSA", "ECDSA", "anon", ...).
func suiteAuth(id uint16) string {
	if s, ok := registry.SuiteByID(id); ok {
		return s.Auth
	}
	return "RSA"
}

const (
	// dhPrime512Hex is a 512-bit safe prime (openssl dhparam 512), generator 2.
	dhPrime512Hex = "d1b001ef827f855f4ce4fa9e85b5db3994b7d82c6534dc114360730aa60bbe94" +
		"b54dda2ff931220e062e95cb5f3a7d4289b15bbcc161410f3e714e4f4bc2f137"
	// dhPrime1024Hex is the RFC 2409 Second Oakley Group (1024-bit MODP), generator 2.
	dhPrime1024Hex = "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74" +
		"020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437" +
		"4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed" +
		"ee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff"
)

func hexInt(h string) *big.Int {
	n, ok := new(big.Int).SetString(h, 16)
	if !ok {
		panic("tlstest: bad hex constant")
	}
	return n
}

// DHPrime512 returns a 512-bit safe prime (generator 2), as export-era and
// Logjam-vulnerable servers used.
func DHPrime512() *big.Int { return hexInt(dhPrime512Hex) }

// DHPrime1024 returns the RFC 2409 Second Oakley Group prime (1024 bits,
// generator 2), a widely shared "common prime".
func DHPrime1024() *big.Int { return hexInt(dhPrime1024Hex) }
