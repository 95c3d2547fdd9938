package registry

import "fmt"

// Group is a TLS named group (IANA TLS Supported Groups registry).
type Group struct {
	ID   uint16
	Name string // IANA name: "secp256r1", "x25519", "ffdhe2048", "X25519MLKEM768", ...
	// Kind: "ec" (Weierstrass/binary curves), "ecx" (x25519, x448),
	// "ffdhe", "kem" (pure ML-KEM) or "hybrid" (ECDH + ML-KEM/Kyber).
	Kind string
	// Bits is the size that matters: curve size (x25519 253 as
	// OpenSSL and SSL Labs report it), prime size, ML-KEM parameter set;
	// for hybrids the classical part's.
	Bits int
	// RSAEquivalent is the RSA modulus size of comparable strength (NIST
	// SP 800-57 categories; for post-quantum groups their NIST level).
	RSAEquivalent int
	// KeyShareLen is the length in bytes of a client's TLS 1.3 key_share
	// (uncompressed point, X coordinate, prime size or encapsulation key;
	// hybrids concatenate both parts). 0 when not defined.
	KeyShareLen int
	PostQuantum bool // ML-KEM or Kyber inside
	TLS12       bool // usable up to TLS 1.2 (RFC 8422, RFC 7919)
	TLS13       bool // usable in TLS 1.3
}

var groupTable = [...]Group{
	{1, "sect163k1", "ec", 163, 1024, 43, false, true, false},
	{2, "sect163r1", "ec", 163, 1024, 43, false, true, false},
	{3, "sect163r2", "ec", 163, 1024, 43, false, true, false},
	{4, "sect193r1", "ec", 193, 1024, 51, false, true, false},
	{5, "sect193r2", "ec", 193, 1024, 51, false, true, false},
	{6, "sect233k1", "ec", 233, 2048, 61, false, true, false},
	{7, "sect233r1", "ec", 233, 2048, 61, false, true, false},
	{8, "sect239k1", "ec", 239, 2048, 61, false, true, false},
	{9, "sect283k1", "ec", 283, 3072, 73, false, true, false},
	{10, "sect283r1", "ec", 283, 3072, 73, false, true, false},
	{11, "sect409k1", "ec", 409, 7680, 105, false, true, false},
	{12, "sect409r1", "ec", 409, 7680, 105, false, true, false},
	{13, "sect571k1", "ec", 571, 15360, 145, false, true, false},
	{14, "sect571r1", "ec", 571, 15360, 145, false, true, false},
	{15, "secp160k1", "ec", 160, 1024, 41, false, true, false},
	{16, "secp160r1", "ec", 160, 1024, 41, false, true, false},
	{17, "secp160r2", "ec", 160, 1024, 41, false, true, false},
	{18, "secp192k1", "ec", 192, 1024, 49, false, true, false},
	{19, "secp192r1", "ec", 192, 1024, 49, false, true, false},
	{20, "secp224k1", "ec", 224, 2048, 57, false, true, false},
	{21, "secp224r1", "ec", 224, 2048, 57, false, true, false},
	{22, "secp256k1", "ec", 256, 3072, 65, false, true, false},
	{23, "secp256r1", "ec", 256, 3072, 65, false, true, true},
	{24, "secp384r1", "ec", 384, 7680, 97, false, true, true},
	{25, "secp521r1", "ec", 521, 15360, 133, false, true, true},
	{26, "brainpoolP256r1", "ec", 256, 3072, 65, false, true, false},
	{27, "brainpoolP384r1", "ec", 384, 7680, 97, false, true, false},
	{28, "brainpoolP512r1", "ec", 512, 15360, 129, false, true, false},
	{29, "x25519", "ecx", 253, 3072, 32, false, true, true},
	{30, "x448", "ecx", 448, 7680, 56, false, true, true},
	{31, "brainpoolP256r1tls13", "ec", 256, 3072, 65, false, false, true},
	{32, "brainpoolP384r1tls13", "ec", 384, 7680, 97, false, false, true},
	{33, "brainpoolP512r1tls13", "ec", 512, 15360, 129, false, false, true},
	// GOST R 34.10-2012 curves (RFC 9367): key_share is X||Y little-endian.
	{34, "GC256A", "ec", 256, 3072, 64, false, false, true},
	{35, "GC256B", "ec", 256, 3072, 64, false, false, true},
	{36, "GC256C", "ec", 256, 3072, 64, false, false, true},
	{37, "GC256D", "ec", 256, 3072, 64, false, false, true},
	{38, "GC512A", "ec", 512, 15360, 128, false, false, true},
	{39, "GC512B", "ec", 512, 15360, 128, false, false, true},
	{40, "GC512C", "ec", 512, 15360, 128, false, false, true},
	{41, "curveSM2", "ec", 256, 3072, 65, false, false, true},
	{256, "ffdhe2048", "ffdhe", 2048, 2048, 256, false, true, true},
	{257, "ffdhe3072", "ffdhe", 3072, 3072, 384, false, true, true},
	{258, "ffdhe4096", "ffdhe", 4096, 4096, 512, false, true, true},
	{259, "ffdhe6144", "ffdhe", 6144, 6144, 768, false, true, true},
	{260, "ffdhe8192", "ffdhe", 8192, 8192, 1024, false, true, true},
	{0x0200, "MLKEM512", "kem", 512, 3072, 800, true, false, true},
	{0x0201, "MLKEM768", "kem", 768, 7680, 1184, true, false, true},
	{0x0202, "MLKEM1024", "kem", 1024, 15360, 1568, true, false, true},
	{0x11EB, "SecP256r1MLKEM768", "hybrid", 256, 7680, 65 + 1184, true, false, true},
	{0x11EC, "X25519MLKEM768", "hybrid", 253, 7680, 1184 + 32, true, false, true},
	{0x11ED, "SecP384r1MLKEM1024", "hybrid", 384, 15360, 97 + 1568, true, false, true},
	{0x6399, "X25519Kyber768Draft00", "hybrid", 253, 7680, 32 + 1184, true, false, true},
	{0x639A, "SecP256r1Kyber768Draft00", "hybrid", 256, 7680, 65 + 1184, true, false, true},
	{0xFF01, "arbitrary_explicit_prime_curves", "ec", 0, 0, 0, false, true, false},
	{0xFF02, "arbitrary_explicit_char2_curves", "ec", 0, 0, 0, false, true, false},
}

var groupByID = map[uint16]int{}

func init() {
	for i, g := range groupTable {
		groupByID[g.ID] = i
	}
}

// GroupByID returns the named group with code point id.
func GroupByID(id uint16) (Group, bool) { return lookup(groupByID, groupTable[:], id) }

// Groups returns all known named groups by ID.
func Groups() []Group { return append([]Group(nil), groupTable[:]...) }

// GroupName returns the IANA name of group id, or "0x%04X" when unknown.
func GroupName(id uint16) string {
	if g, ok := GroupByID(id); ok {
		return g.Name
	}
	return fmt.Sprintf("0x%04X", id)
}
