package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// TestOpenSSLNamesBesideIANANames: with Style.OpenSSLNames the suite
// tables of the legacy fixture (SSLv2 to TLS 1.2, export and 3DES suites)
// show each suite's OpenSSL name, whole on one line, and its cipher's key
// bits: beside the IANA name at 120 columns, under it at 80; both fit.
// Without the option neither appears.
func TestOpenSSLNamesBesideIANANames(t *testing.T) {
	r := loadReport(t, "legacy")
	for _, cols := range []int{80, 120} {
		out := render(t, "text", Style{Width: cols, OpenSSLNames: true}, r)
		assertFits(t, out, cols)
		text := string(out)
		n := 0
		for _, p := range r.Observation.Protocols {
			for _, s := range p.Suites {
				info, ok := registry.SuiteByID(s.ID)
				if p.Name == "SSLv2" {
					info, ok = registry.SSLv2SuiteByID(s.ID24)
				}
				if !ok || info.OpenSSLName == "" {
					continue
				}
				n++
				if !regexp.MustCompile(`(?m)(^|\s)` + regexp.QuoteMeta(info.OpenSSLName) + `(\s|$)`).MatchString(text) {
					t.Errorf("%d columns: %s (%s) has no whole OpenSSL name %s:\n%s", cols, s.Name, p.Name, info.OpenSSLName, text)
				}
			}
		}
		if n < 5 {
			t.Fatalf("the legacy fixture has only %d suites with an OpenSSL name", n)
		}
		var want *regexp.Regexp
		if cols == 120 {
			want = regexp.MustCompile(`(?m)^ \d+\s+TLS_RSA_WITH_3DES_EDE_CBC_SHA\s+DES-CBC3-SHA\s+112\s`)
		} else {
			want = regexp.MustCompile(`(?m)^ \d+\s+TLS_RSA_WITH_3DES_EDE_CBC_SHA\s+112\s.*\n\s+DES-CBC3-SHA\s*$`)
		}
		if !want.MatchString(text) {
			t.Errorf("%d columns: no 3DES row with its OpenSSL name and 112 bits:\n%s", cols, text)
		}
	}
	plain := string(render(t, "text", Style{Width: 120}, r))
	if strings.Contains(plain, "DES-CBC3-SHA") || strings.Contains(plain, "OpenSSL name") {
		t.Errorf("OpenSSL names without the option:\n%s", plain)
	}
}
