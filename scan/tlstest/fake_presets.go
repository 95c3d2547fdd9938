package tlstest

import "github.com/tlsaudit/tlsaudit/scan/registry"

// Ready-made FakeConfigs. Each call returns a fresh value the caller may
// modify before passing it to NewFakeServer.

// SSLv2Server is an SSLv2-only server offering the seven SSLv2 cipher kinds
// (as OpenSSL 0.9.8 did), DROWN-vulnerable.
func SSLv2Server() FakeConfig {
	return FakeConfig{
		Versions: []uint16{registry.VersionSSL2},
		SSLv2Kinds: []uint32{
			SSL2DES192EDE3CBCMD5, SSL2IDEA128CBCMD5, SSL2RC2128CBCMD5, SSL2RC4128MD5,
			SSL2DES64CBCMD5, SSL2RC2128CBCExport40MD5, SSL2RC4128Export40MD5,
		},
	}
}

// sslv3Suites is an OpenSSL 0.9.8-era DEFAULT list for SSLv3/TLS 1.0.
var sslv3Suites = []uint16{
	0x0035, // AES256-SHA
	0x002f, // AES128-SHA
	0x000a, // DES-CBC3-SHA
	0x0005, // RC4-SHA
	0x0004, // RC4-MD5
	0x0009, // DES-CBC-SHA
	0x0008, // EXP-DES-CBC-SHA
	0x0006, // EXP-RC2-CBC-MD5
	0x0003, // EXP-RC4-MD5
}

// SSLv3Server accepts SSLv3 and TLS 1.0 with AES, RC4, 3DES, DES and RSA
// export suites, in the client's order, POODLE/BEAST/FREAK-ready.
func SSLv3Server() FakeConfig {
	return FakeConfig{
		Versions: []uint16{registry.VersionSSL3, registry.VersionTLS10},
		Suites: map[uint16][]uint16{
			registry.VersionSSL3:  sslv3Suites,
			registry.VersionTLS10: sslv3Suites,
		},
	}
}

// ExportServer is a TLS 1.0 server accepting EXP-RC4-MD5 (0x0003),
// EXP-DES-CBC-SHA (0x0008), EXP-EDH-RSA-DES-CBC-SHA (0x0014, with a 512-bit
// DH prime) and AES128/256-SHA: FREAK and Logjam-ready.
func ExportServer() FakeConfig {
	return FakeConfig{
		Versions: []uint16{registry.VersionTLS10},
		Suites: map[uint16][]uint16{
			registry.VersionTLS10: {0x002f, 0x0035, 0x0003, 0x0008, 0x0014},
		},
	}
}

// ServerOrderServer accepts TLS 1.0-1.2 and picks suites and ECDHE groups by
// its own preference (P-384 before P-256 before x25519), with DHE on the
// 1024-bit RFC 2409 prime.
func ServerOrderServer() FakeConfig {
	old := []uint16{0xc014, 0xc013, 0x0039, 0x0033, 0x0035, 0x002f, 0x000a}
	return FakeConfig{
		Versions: []uint16{registry.VersionTLS10, registry.VersionTLS11, registry.VersionTLS12},
		Suites: map[uint16][]uint16{
			registry.VersionTLS10: old,
			registry.VersionTLS11: old,
			registry.VersionTLS12: append([]uint16{0xc030, 0xc02f, 0x009f, 0x009e, 0xc028, 0xc027, 0x009d, 0x009c}, old...),
		},
		ServerOrder:      true,
		Groups:           []uint16{GroupP384, GroupP256, GroupX25519},
		GroupServerOrder: true,
	}
}
