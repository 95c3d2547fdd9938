package scan

import "testing"

// TestSuiteRecordCarriesOpenSSLNameAndKeyBits: an accepted suite's record
// has the OpenSSL name and key bits of its code point (NULL's 0 bits are
// recorded, not dropped); a code point the registry lacks gets neither.
func TestSuiteRecordCarriesOpenSSLNameAndKeyBits(t *testing.T) {
	for _, tc := range []struct {
		id   uint16
		name string
		bits int
	}{
		{0xc02f, "ECDHE-RSA-AES128-GCM-SHA256", 128},
		{0x000a, "DES-CBC3-SHA", 112},
		{0x1301, "TLS_AES_128_GCM_SHA256", 128},
		{0x0002, "NULL-SHA", 0},
	} {
		s := suiteRecord(tc.id)
		if s.OpenSSLName != tc.name || s.KeyBits == nil || *s.KeyBits != tc.bits {
			t.Errorf("0x%04x: openssl name %q, key bits %v; want %q, %d", tc.id, s.OpenSSLName, s.KeyBits, tc.name, tc.bits)
		}
	}
	if s := suiteRecord(0x7a7a); s.OpenSSLName != "" || s.KeyBits != nil {
		t.Errorf("unregistered 0x7a7a: openssl name %q, key bits %v", s.OpenSSLName, s.KeyBits)
	}
	if s := sslv2SuiteRecord(0x010080); s.OpenSSLName != "RC4-MD5" || s.KeyBits == nil || *s.KeyBits != 128 {
		t.Errorf("SSLv2 0x010080: openssl name %q, key bits %v", s.OpenSSLName, s.KeyBits)
	}
}
