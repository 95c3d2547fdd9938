package registry

import "fmt"

// SigAlg is a TLS SignatureScheme (RFC 8446) or TLS 1.2
// SignatureAndHashAlgorithm pair (RFC 5246), which share one code space.
type SigAlg struct {
	ID   uint16
	Name string // IANA name, e.g. "rsa_pss_rsae_sha256"; legacy pairs "rsa_md5", "dsa_sha256", ...
	Hash string // "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sm3", "streebog256", "streebog512", "intrinsic"
	// Sig: "rsa_pkcs1", "rsa_pss_rsae", "rsa_pss_pss", "dsa", "ecdsa",
	// "ed25519", "ed448", "sm2", "gost256", "gost512", "mldsa44",
	// "mldsa65", "mldsa87", "eccsi", "iso_ibs".
	Sig   string
	TLS12 bool // usable in TLS 1.2 signature_algorithms
	TLS13 bool // usable in TLS 1.3 CertificateVerify
}

// The legacy DSA schemes are "dsa_sha*_RESERVED" in the IANA registry;
// the suffix only marks them reserved, so it is left out here.
var sigAlgTable = [...]SigAlg{
	{0x0101, "rsa_md5", "md5", "rsa_pkcs1", true, false},
	{0x0102, "dsa_md5", "md5", "dsa", true, false},
	{0x0103, "ecdsa_md5", "md5", "ecdsa", true, false},
	{0x0201, "rsa_pkcs1_sha1", "sha1", "rsa_pkcs1", true, false},
	{0x0202, "dsa_sha1", "sha1", "dsa", true, false},
	{0x0203, "ecdsa_sha1", "sha1", "ecdsa", true, false},
	{0x0301, "rsa_sha224", "sha224", "rsa_pkcs1", true, false},
	{0x0302, "dsa_sha224", "sha224", "dsa", true, false},
	{0x0303, "ecdsa_sha224", "sha224", "ecdsa", true, false},
	{0x0401, "rsa_pkcs1_sha256", "sha256", "rsa_pkcs1", true, false},
	{0x0402, "dsa_sha256", "sha256", "dsa", true, false},
	{0x0403, "ecdsa_secp256r1_sha256", "sha256", "ecdsa", true, true},
	{0x0420, "rsa_pkcs1_sha256_legacy", "sha256", "rsa_pkcs1", false, true},
	{0x0501, "rsa_pkcs1_sha384", "sha384", "rsa_pkcs1", true, false},
	{0x0502, "dsa_sha384", "sha384", "dsa", true, false},
	{0x0503, "ecdsa_secp384r1_sha384", "sha384", "ecdsa", true, true},
	{0x0520, "rsa_pkcs1_sha384_legacy", "sha384", "rsa_pkcs1", false, true},
	{0x0601, "rsa_pkcs1_sha512", "sha512", "rsa_pkcs1", true, false},
	{0x0602, "dsa_sha512", "sha512", "dsa", true, false},
	{0x0603, "ecdsa_secp521r1_sha512", "sha512", "ecdsa", true, true},
	{0x0620, "rsa_pkcs1_sha512_legacy", "sha512", "rsa_pkcs1", false, true},
	{0x0704, "eccsi_sha256", "sha256", "eccsi", false, true},
	{0x0705, "iso_ibs1", "intrinsic", "iso_ibs", false, true},
	{0x0706, "iso_ibs2", "intrinsic", "iso_ibs", false, true},
	{0x0707, "iso_chinese_ibs", "sm3", "iso_ibs", false, true},
	{0x0708, "sm2sig_sm3", "sm3", "sm2", false, true},
	{0x0709, "gostr34102012_256a", "streebog256", "gost256", false, true},
	{0x070A, "gostr34102012_256b", "streebog256", "gost256", false, true},
	{0x070B, "gostr34102012_256c", "streebog256", "gost256", false, true},
	{0x070C, "gostr34102012_256d", "streebog256", "gost256", false, true},
	{0x070D, "gostr34102012_512a", "streebog512", "gost512", false, true},
	{0x070E, "gostr34102012_512b", "streebog512", "gost512", false, true},
	{0x070F, "gostr34102012_512c", "streebog512", "gost512", false, true},
	{0x0804, "rsa_pss_rsae_sha256", "sha256", "rsa_pss_rsae", true, true},
	{0x0805, "rsa_pss_rsae_sha384", "sha384", "rsa_pss_rsae", true, true},
	{0x0806, "rsa_pss_rsae_sha512", "sha512", "rsa_pss_rsae", true, true},
	{0x0807, "ed25519", "intrinsic", "ed25519", true, true},
	{0x0808, "ed448", "intrinsic", "ed448", true, true},
	{0x0809, "rsa_pss_pss_sha256", "sha256", "rsa_pss_pss", true, true},
	{0x080A, "rsa_pss_pss_sha384", "sha384", "rsa_pss_pss", true, true},
	{0x080B, "rsa_pss_pss_sha512", "sha512", "rsa_pss_pss", true, true},
	{0x081A, "ecdsa_brainpoolP256r1tls13_sha256", "sha256", "ecdsa", false, true},
	{0x081B, "ecdsa_brainpoolP384r1tls13_sha384", "sha384", "ecdsa", false, true},
	{0x081C, "ecdsa_brainpoolP512r1tls13_sha512", "sha512", "ecdsa", false, true},
	{0x0904, "mldsa44", "intrinsic", "mldsa44", false, true},
	{0x0905, "mldsa65", "intrinsic", "mldsa65", false, true},
	{0x0906, "mldsa87", "intrinsic", "mldsa87", false, true},
}

var sigAlgByID = map[uint16]int{}

func init() {
	for i, s := range sigAlgTable {
		sigAlgByID[s.ID] = i
	}
}

// SigAlgByID returns the signature scheme with code point id.
func SigAlgByID(id uint16) (SigAlg, bool) { return lookup(sigAlgByID, sigAlgTable[:], id) }

// SigAlgs returns all known signature schemes by ID.
func SigAlgs() []SigAlg { return append([]SigAlg(nil), sigAlgTable[:]...) }

// SigAlgName returns the name of scheme id, or "0x%04X" when unknown.
func SigAlgName(id uint16) string {
	if s, ok := SigAlgByID(id); ok {
		return s.Name
	}
	return fmt.Sprintf("0x%04X", id)
}
