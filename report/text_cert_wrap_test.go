package report

import "testing"

func TestWrapDN(t *testing.T) {
	for _, tc := range []struct {
		dn    string
		width int
		want  string
	}{
		{"CN=a.test, O=Org", 40, "CN=a.test, O=Org"},
		{"issuer: CN=tlsaudit test intermediate, O=tlsaudit", 44, "issuer: CN=tlsaudit test intermediate,\nO=tlsaudit"},
		// an RDN longer than the width keeps a line of its own, whole
		{"CN=a very long common name indeed, O=x, C=US", 10, "CN=a very long common name indeed,\nO=x, C=US"},
		{"CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US", 50, "CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1,\nO=DigiCert Inc, C=US"},
		{"", 10, ""},
	} {
		if got := wrapDN(tc.dn, tc.width); got != tc.want {
			t.Errorf("wrapDN(%q, %d) = %q, want %q", tc.dn, tc.width, got, tc.want)
		}
	}
}
