package opensslorder

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	out := `          0x13,0x02 - TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(256)            Mac=AEAD
          0xC0,0x2C - ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(256)            Mac=AEAD
          0x00,0x2F - AES128-SHA                     SSLv3   Kx=RSA      Au=RSA   Enc=AES(128)               Mac=SHA1
`
	got, err := Parse([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []Suite{{0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384"}, {0x002F, "AES128-SHA"}}
	if !slices.Equal(got, want) {
		t.Errorf("Parse = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "Error: no cipher match\n", "0xC0,0x2C ECDHE\n"} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q): no error", bad)
		}
	}
}
