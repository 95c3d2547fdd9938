package strength

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

func TestSuiteStrengthByNameAndByRegistryAgree(t *testing.T) {
	tests := []struct {
		proto, name string
		kx          *obs.KeyExchange
		want        Level
	}{
		{"TLSv1.3", "TLS_AES_128_GCM_SHA256", nil, Secure},
		{"TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256", nil, Secure},
		{"TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", &obs.KeyExchange{Kind: "ECDHE", Group: "x25519", Bits: 253}, Secure},
		{"TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", nil, Secure},
		{"TLSv1.2", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", &obs.KeyExchange{Kind: "DHE", Bits: 2048}, Secure},
		{"TLSv1.2", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", &obs.KeyExchange{Kind: "DHE", Bits: 1024}, Weak},
		{"TLSv1.2", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", &obs.KeyExchange{Kind: "DHE", Bits: 768}, Insecure},
		{"TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", &obs.KeyExchange{Kind: "ECDHE", Group: "secp160r1", Bits: 160}, Weak},
		{"TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", nil, Weak},
		{"TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256", nil, Weak},
		{"TLSv1.2", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", nil, Weak},
		{"TLSv1.0", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", nil, Weak},
		{"TLSv1.2", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", nil, Insecure},
		{"TLSv1.2", "TLS_RSA_WITH_NULL_SHA256", nil, Insecure},
		{"TLSv1.2", "TLS_NULL_WITH_NULL_NULL", nil, Insecure},
		{"TLSv1.2", "TLS_DH_anon_WITH_AES_128_GCM_SHA256", nil, Insecure},
		{"TLSv1.2", "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", nil, Insecure},
		{"TLSv1.0", "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", nil, Insecure},
		{"TLSv1.0", "TLS_RSA_WITH_DES_CBC_SHA", nil, Insecure},
		{"TLSv1.0", "TLS_RSA_WITH_IDEA_CBC_SHA", nil, Weak},
		{"SSLv3", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", nil, Insecure},
		{"SSLv2", "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", nil, Insecure},
	}
	const unknownID = 0x5a5a
	if _, known := registry.SuiteByID(unknownID); known {
		t.Fatalf("pick another unknown suite ID: 0x%04x is in the registry", unknownID)
	}
	for _, tc := range tests {
		// By name only (a code point the registry does not know) ...
		if got := Suite(tc.proto, obs.Suite{ID: unknownID, Name: tc.name, KeyExchange: tc.kx}); got != tc.want {
			t.Errorf("by name: Suite(%s, %s, %+v) = %s, want %s", tc.proto, tc.name, tc.kx, got, tc.want)
		}
		// ... and from the registry's attributes: both must agree.
		rs, ok := registry.SuiteByName(tc.name)
		if !ok {
			t.Errorf("registry does not know %s", tc.name)
			continue
		}
		s := obs.Suite{ID: rs.ID, ID24: rs.ID24, Name: "renamed", KeyExchange: tc.kx}
		if got := Suite(tc.proto, s); got != tc.want {
			t.Errorf("by registry: Suite(%s, %s, %+v) = %s, want %s", tc.proto, tc.name, tc.kx, got, tc.want)
		}
	}
}
