package registry

import (
	"crypto/tls"
	"testing"
)

func TestSigAlgsTable(t *testing.T) {
	names := map[string]bool{}
	prev := -1
	for _, s := range SigAlgs() {
		if int(s.ID) <= prev {
			t.Errorf("%s: not sorted by ID", s.Name)
		}
		prev = int(s.ID)
		if names[s.Name] {
			t.Errorf("duplicate name %s", s.Name)
		}
		names[s.Name] = true
		if !s.TLS12 && !s.TLS13 {
			t.Errorf("%s: usable nowhere", s.Name)
		}
		if s.Hash == "" || s.Sig == "" {
			t.Errorf("%s: empty hash or sig", s.Name)
		}
		// TLS 1.2 pairs: high byte hash (1 md5 .. 6 sha512), low byte signature (1 rsa, 2 dsa, 3 ecdsa).
		if hi, lo := s.ID>>8, s.ID&0xFF; hi <= 6 && lo <= 3 {
			wantHash := [...]string{"", "md5", "sha1", "sha224", "sha256", "sha384", "sha512"}[hi]
			wantSig := [...]string{"", "rsa_pkcs1", "dsa", "ecdsa"}[lo]
			if s.Hash != wantHash || s.Sig != wantSig || !s.TLS12 {
				t.Errorf("%s (0x%04X): %s/%s, want %s/%s in TLS 1.2", s.Name, s.ID, s.Hash, s.Sig, wantHash, wantSig)
			}
		}
		if SigAlgName(s.ID) != s.Name {
			t.Errorf("SigAlgName(0x%04X) = %s", s.ID, SigAlgName(s.ID))
		}
	}
	for _, id := range []uint16{0x0101, 0x0102, 0x0103, 0x0201, 0x0202, 0x0203, 0x0301, 0x0302, 0x0303, 0x0402, 0x0502, 0x0602, 0x0708, 0x0709, 0x070F, 0x0904, 0x0906} {
		if _, ok := SigAlgByID(id); !ok {
			t.Errorf("0x%04X missing", id)
		}
	}
	if SigAlgName(0xFEFE) != "0xFEFE" {
		t.Errorf("SigAlgName(0xFEFE) = %s", SigAlgName(0xFEFE))
	}
}

// TestSigAlgsAgainstGo: crypto/tls's SignatureScheme constants.
func TestSigAlgsAgainstGo(t *testing.T) {
	for scheme, name := range map[tls.SignatureScheme]string{
		tls.PKCS1WithSHA256: "rsa_pkcs1_sha256", tls.PKCS1WithSHA384: "rsa_pkcs1_sha384", tls.PKCS1WithSHA512: "rsa_pkcs1_sha512",
		tls.PSSWithSHA256: "rsa_pss_rsae_sha256", tls.PSSWithSHA384: "rsa_pss_rsae_sha384", tls.PSSWithSHA512: "rsa_pss_rsae_sha512",
		tls.ECDSAWithP256AndSHA256: "ecdsa_secp256r1_sha256", tls.ECDSAWithP384AndSHA384: "ecdsa_secp384r1_sha384",
		tls.ECDSAWithP521AndSHA512: "ecdsa_secp521r1_sha512", tls.Ed25519: "ed25519",
		tls.PKCS1WithSHA1: "rsa_pkcs1_sha1", tls.ECDSAWithSHA1: "ecdsa_sha1",
	} {
		if got := SigAlgName(uint16(scheme)); got != name {
			t.Errorf("%v (0x%04X): %s, want %s", scheme, uint16(scheme), got, name)
		}
	}
}
