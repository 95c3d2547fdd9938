package report

import (
	"strings"
	"testing"
)

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

// TestCertTableKeepsEveryRDNWhole: at 80 and 120 columns, every RDN of
// every subject and issuer in a certificate table sits whole on one line;
// the expiry and key cells break to make room instead.
func TestCertTableKeepsEveryRDNWhole(t *testing.T) {
	checked := 0
	for _, name := range cases {
		r := loadReport(t, name)
		for _, cols := range []int{80, 120} {
			out := string(render(t, "text", Style{Width: cols}, r))
			if r.Certificates == nil {
				continue // the plain chain table, no analysis to check
			}
			checked++
			for _, a := range r.Certificates.Chains {
				for _, c := range a.Certificates {
					for _, dn := range []string{certSummaryName(c.Subject, c), certSummaryName(c.Issuer, c)} {
						for _, rdn := range strings.Split(dn, ", ") {
							if !strings.Contains(out, rdn) {
								t.Errorf("%s at %d columns: RDN %q is not whole on one line", name, cols, rdn)
							}
						}
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no case carries a certificate analysis")
	}
}
