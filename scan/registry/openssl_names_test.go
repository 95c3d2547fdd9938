package registry

import (
	"bufio"
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// opensslCipherLine is one line of `openssl ciphers -V`:
// "0xC0,0x2F - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 Kx=ECDH ...".
var opensslCipherLine = regexp.MustCompile(`^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2})\s+-\s+(\S+)\s+(\S+)\s`)

// TestOpenSSLNamesMatchInstalledOpenSSL: every suite the installed OpenSSL
// knows (ALL:COMPLEMENTOFALL at security level 0) is in the table under the
// code point OpenSSL gives it, with OpenSSL's name as its OpenSSLName, so
// the names the report shows beside the IANA ones are the ones sslscan and
// openssl s_client users see.
func TestOpenSSLNamesMatchInstalledOpenSSL(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl binary needed for the cross-check (apt-get install openssl): %v", err)
	}
	out, err := exec.Command(bin, "ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0").Output()
	if err != nil {
		t.Fatalf("openssl ciphers -V: %v", err)
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := opensslCipherLine.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Errorf("unparsed line of openssl ciphers -V: %q", sc.Text())
			continue
		}
		hi, _ := strconv.ParseUint(m[1], 16, 8)
		lo, _ := strconv.ParseUint(m[2], 16, 8)
		id := uint16(hi<<8 | lo)
		n++
		s, ok := SuiteByID(id)
		if !ok {
			t.Errorf("0x%04X %s (%s): not in the suite table", id, m[3], m[4])
			continue
		}
		if s.OpenSSLName != m[3] {
			t.Errorf("0x%04X %s: OpenSSL name %q, openssl ciphers -V says %q", id, s.Name, s.OpenSSLName, m[3])
		}
	}
	if n < 100 {
		t.Fatalf("openssl ciphers -V listed only %d suites:\n%s", n, out)
	}
	t.Logf("%d suites of %s cross-checked", n, bin)
}
