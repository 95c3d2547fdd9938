package registry

import (
	"bytes"
	"crypto/tls"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	ztls "github.com/zmap/zcrypto/tls"

	"github.com/tlsaudit/tlsaudit/scan/registry/internal/suitegen"
)

// TestSuiteTableUpToDate: suites_table.go is what the generator makes of suites.txt.
func TestSuiteTableUpToDate(t *testing.T) {
	data, err := os.ReadFile("suites.txt")
	if err != nil {
		t.Fatal(err)
	}
	want, err := suitegen.Generate(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("suites_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("suites_table.go is stale: run go generate ./scan/registry/")
	}
}

func TestSuiteCounts(t *testing.T) {
	iana := 0
	for _, s := range suiteTable {
		if s.IANA && !s.Signalling {
			iana++
		}
	}
	if iana < 330 {
		t.Errorf("%d IANA suites, want >= 330", iana)
	}
	if n := len(SSLv2Suites()); n != 13 {
		t.Errorf("%d SSLv2 kinds, want 13", n)
	}
	if n := len(Suites()); n < iana {
		t.Errorf("Suites() has %d, fewer than the %d IANA ones", n, iana)
	}
}

func TestSuiteNoDuplicates(t *testing.T) {
	ids := map[uint16]string{}
	id24s := map[uint32]string{}
	names := map[string]bool{}
	openssl := map[string]string{}
	for _, s := range suiteTable {
		if names[s.Name] {
			t.Errorf("duplicate name %s", s.Name)
		}
		names[s.Name] = true
		if s.SSLv2() {
			if s.ID != 0 {
				t.Errorf("%s: SSLv2 kind with TLS ID 0x%04X", s.Name, s.ID)
			}
			if prev, ok := id24s[s.ID24]; ok {
				t.Errorf("ID24 0x%06X for %s and %s", s.ID24, prev, s.Name)
			}
			id24s[s.ID24] = s.Name
			continue
		}
		if s.ID24 != 0 {
			t.Errorf("%s: TLS suite with ID24", s.Name)
		}
		if prev, ok := ids[s.ID]; ok {
			t.Errorf("ID 0x%04X for %s and %s", s.ID, prev, s.Name)
		}
		ids[s.ID] = s.Name
		if s.OpenSSLName != "" {
			if prev, ok := openssl[s.OpenSSLName]; ok {
				t.Errorf("OpenSSL name %s for %s and %s", s.OpenSSLName, prev, s.Name)
			}
			openssl[s.OpenSSLName] = s.Name
		}
	}
}

func TestSuiteInvariants(t *testing.T) {
	for _, s := range suiteTable {
		if s.Signalling {
			if s.Kx != "" || s.Cipher != "" || !s.IANA {
				t.Errorf("%s: SCSV with attributes", s.Name)
			}
			continue
		}
		if s.MinVersion > s.MaxVersion || s.MinVersion == 0 {
			t.Errorf("%s: versions 0x%04X..0x%04X", s.Name, s.MinVersion, s.MaxVersion)
		}
		if s.AEAD != (s.MAC == "AEAD") {
			t.Errorf("%s: AEAD %v but MAC %s", s.Name, s.AEAD, s.MAC)
		}
		if s.AEAD && s.MinVersion < VersionTLS12 {
			t.Errorf("%s: AEAD before TLS 1.2", s.Name)
		}
		if s.Export && (s.Bits > 56 || s.MaxVersion > VersionTLS10) {
			t.Errorf("%s: export with %d bits up to 0x%04X", s.Name, s.Bits, s.MaxVersion)
		}
		if s.Cipher == "NULL" && (s.Bits != 0 || s.BlockBits != 0) {
			t.Errorf("%s: NULL cipher with bits", s.Name)
		}
		if s.Bits <= 0 && s.Cipher != "NULL" {
			t.Errorf("%s: %d bits", s.Name, s.Bits)
		}
		for _, c := range []string{"3DES", "DES", "IDEA", "RC2"} {
			if strings.HasPrefix(s.Cipher, c+"_") || strings.HasPrefix(s.Cipher, c+"40_") {
				if s.BlockBits != 64 {
					t.Errorf("%s: %s with %d-bit blocks", s.Name, s.Cipher, s.BlockBits)
				}
			}
		}
		if strings.HasPrefix(s.Cipher, "3DES") && s.Bits != 112 {
			t.Errorf("%s: 3DES with %d bits", s.Name, s.Bits)
		}
		if (strings.HasPrefix(s.Cipher, "RC4") || strings.HasPrefix(s.Cipher, "CHACHA20")) && s.BlockBits != 0 {
			t.Errorf("%s: stream cipher with blocks", s.Name)
		}
		if s.MinVersion == VersionTLS13 {
			if s.Kx != "TLS13" || s.Auth != "TLS13" || !s.FS || s.MaxVersion != VersionTLS13 {
				t.Errorf("TLS 1.3 suite %s: %+v", s.Name, s)
			}
			// RFC 9150's integrity-only suites are the only non-AEAD ones.
			if !s.AEAD && s.Cipher != "NULL" {
				t.Errorf("TLS 1.3 suite %s is not AEAD", s.Name)
			}
		} else if s.Kx == "TLS13" {
			t.Errorf("%s: Kx TLS13 below TLS 1.3", s.Name)
		}
		if s.Anonymous != (s.Auth == "anon" || s.Auth == "NULL") {
			t.Errorf("%s: Anonymous %v with Auth %s", s.Name, s.Anonymous, s.Auth)
		}
		wantFS := map[string]bool{"DHE": true, "ECDHE": true, "DHE_PSK": true, "ECDHE_PSK": true, "TLS13": true, "ECCPWD": true, "CECPQ1": true}[s.Kx]
		if s.FS != wantFS {
			t.Errorf("%s: FS %v with Kx %s", s.Name, s.FS, s.Kx)
		}
		if s.SSLv2() != strings.HasPrefix(s.Name, "SSL_CK_") {
			t.Errorf("%s: SSLv2 %v", s.Name, s.SSLv2())
		}
	}
}

func TestSuiteSpotChecks(t *testing.T) {
	want := []Suite{
		{ID: 0x000A, Name: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", OpenSSLName: "DES-CBC3-SHA", Kx: "RSA", Auth: "RSA", Cipher: "3DES_EDE_CBC", Bits: 112, BlockBits: 64, MAC: "SHA", IANA: true, MinVersion: VersionSSL3, MaxVersion: VersionTLS12},
		{ID: 0x0014, Name: "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", OpenSSLName: "EXP-EDH-RSA-DES-CBC-SHA", Kx: "DHE", Auth: "RSA", Cipher: "DES40_CBC", Bits: 40, BlockBits: 64, MAC: "SHA", FS: true, Export: true, IANA: true, MinVersion: VersionSSL3, MaxVersion: VersionTLS10},
		{ID: 0x0018, Name: "TLS_DH_anon_WITH_RC4_128_MD5", OpenSSLName: "ADH-RC4-MD5", Kx: "DH", Auth: "anon", Cipher: "RC4_128", Bits: 128, MAC: "MD5", Anonymous: true, IANA: true, MinVersion: VersionSSL3, MaxVersion: VersionTLS12},
		{ID: 0x0062, Name: "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", OpenSSLName: "EXP1024-DES-CBC-SHA", Kx: "RSA", Auth: "RSA", Cipher: "DES_CBC", Bits: 56, BlockBits: 64, MAC: "SHA", Export: true, MinVersion: VersionSSL3, MaxVersion: VersionTLS10},
		{ID: 0x1301, Name: "TLS_AES_128_GCM_SHA256", OpenSSLName: "TLS_AES_128_GCM_SHA256", Kx: "TLS13", Auth: "TLS13", Cipher: "AES_128_GCM", Bits: 128, BlockBits: 128, MAC: "AEAD", AEAD: true, FS: true, IANA: true, MinVersion: VersionTLS13, MaxVersion: VersionTLS13},
		{ID: 0xC02F, Name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", OpenSSLName: "ECDHE-RSA-AES128-GCM-SHA256", Kx: "ECDHE", Auth: "RSA", Cipher: "AES_128_GCM", Bits: 128, BlockBits: 128, MAC: "AEAD", AEAD: true, FS: true, IANA: true, MinVersion: VersionTLS12, MaxVersion: VersionTLS12},
		{ID: 0xC013, Name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", OpenSSLName: "ECDHE-RSA-AES128-SHA", Kx: "ECDHE", Auth: "RSA", Cipher: "AES_128_CBC", Bits: 128, BlockBits: 128, MAC: "SHA", FS: true, IANA: true, MinVersion: VersionTLS10, MaxVersion: VersionTLS12},
		{ID: 0xCCA9, Name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", OpenSSLName: "ECDHE-ECDSA-CHACHA20-POLY1305", Kx: "ECDHE", Auth: "ECDSA", Cipher: "CHACHA20_POLY1305", Bits: 256, MAC: "AEAD", AEAD: true, FS: true, IANA: true, MinVersion: VersionTLS12, MaxVersion: VersionTLS12},
		{ID: 0xCC13, Name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", OpenSSLName: "ECDHE-RSA-CHACHA20-POLY1305-OLD", Kx: "ECDHE", Auth: "RSA", Cipher: "CHACHA20_POLY1305", Bits: 256, MAC: "AEAD", AEAD: true, FS: true, MinVersion: VersionTLS12, MaxVersion: VersionTLS12},
		{ID: 0x00B0, Name: "TLS_PSK_WITH_NULL_SHA256", OpenSSLName: "PSK-NULL-SHA256", Kx: "PSK", Auth: "PSK", Cipher: "NULL", MAC: "SHA256", IANA: true, MinVersion: VersionTLS10, MaxVersion: VersionTLS12},
		{ID: 0x0081, Name: "TLS_GOSTR341001_WITH_28147_CNT_IMIT", OpenSSLName: "GOST2001-GOST89-GOST89", Kx: "GOST", Auth: "GOST", Cipher: "GOST28147_CNT", Bits: 256, BlockBits: 64, MAC: "GOST89", MinVersion: VersionTLS10, MaxVersion: VersionTLS12},
		{ID: 0xC0B0, Name: "TLS_ECCPWD_WITH_AES_128_GCM_SHA256", Kx: "ECCPWD", Auth: "ECCPWD", Cipher: "AES_128_GCM", Bits: 128, BlockBits: 128, MAC: "AEAD", AEAD: true, FS: true, IANA: true, MinVersion: VersionTLS12, MaxVersion: VersionTLS12},
		{ID: 0x5600, Name: "TLS_FALLBACK_SCSV", Signalling: true, IANA: true, MinVersion: VersionSSL3, MaxVersion: VersionTLS13},
	}
	for _, w := range want {
		got, ok := SuiteByID(w.ID)
		if !ok || got != w {
			t.Errorf("SuiteByID(0x%04X) =\n %+v, %v\nwant\n %+v", w.ID, got, ok, w)
		}
	}
	v2 := Suite{ID24: 0x020080, Name: "SSL_CK_RC4_128_EXPORT40_WITH_MD5", OpenSSLName: "EXP-RC4-MD5", Kx: "RSA", Auth: "RSA", Cipher: "RC4_40", Bits: 40, MAC: "MD5", Export: true, MinVersion: VersionSSL2, MaxVersion: VersionSSL2}
	if got, ok := SSLv2SuiteByID(0x020080); !ok || got != v2 {
		t.Errorf("SSLv2SuiteByID(0x020080) = %+v, %v", got, ok)
	}
	for id24, name := range map[uint32]string{0x010080: "SSL_CK_RC4_128_WITH_MD5", 0x030080: "SSL_CK_RC2_128_CBC_WITH_MD5",
		0x040080: "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", 0x050080: "SSL_CK_IDEA_128_CBC_WITH_MD5", 0x060040: "SSL_CK_DES_64_CBC_WITH_MD5",
		0x0700C0: "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", 0x080080: "SSL_CK_RC4_64_WITH_MD5"} {
		if got := SSLv2SuiteName(id24); got != name {
			t.Errorf("SSLv2SuiteName(0x%06X) = %s, want %s", id24, got, name)
		}
	}
	if got := SuiteName(0x1234); got != "0x1234" {
		t.Errorf("SuiteName(0x1234) = %s", got)
	}
	if got := SSLv2SuiteName(0x123456); got != "0x123456" {
		t.Errorf("SSLv2SuiteName(0x123456) = %s", got)
	}
	if _, ok := SuiteByID(0xD004); ok {
		t.Error("0xD004 is unassigned (RFC 8442 skipped it) but found")
	}
	if s, ok := SuiteByName("TLS_RSA_WITH_AES_128_CBC_SHA"); !ok || s.ID != 0x002F {
		t.Errorf("SuiteByName: %+v %v", s, ok)
	}
}

func TestSuitesFor(t *testing.T) {
	ids := func(ss []Suite) map[uint16]bool {
		m := map[uint16]bool{}
		for _, s := range ss {
			m[s.ID] = true
		}
		return m
	}
	tls13 := SuitesFor(VersionTLS13)
	want13 := []uint16{0x00C6, 0x00C7, 0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0x1306, 0x1307, 0xC0B4, 0xC0B5, 0xC103, 0xC104, 0xC105, 0xC106}
	if len(tls13) != len(want13) {
		t.Errorf("SuitesFor(TLS 1.3) has %d suites, want %d", len(tls13), len(want13))
	}
	for i, s := range tls13 {
		if i < len(want13) && s.ID != want13[i] {
			t.Errorf("SuitesFor(TLS 1.3)[%d] = 0x%04X, want 0x%04X", i, s.ID, want13[i])
		}
	}
	t12 := ids(SuitesFor(VersionTLS12))
	t10 := ids(SuitesFor(VersionTLS10))
	s3 := ids(SuitesFor(VersionSSL3))
	for id, want := range map[uint16][3]bool{ // TLS 1.2, TLS 1.0, SSLv3
		0xC02F: {true, false, false},
		0xC013: {true, true, false},
		0x002F: {true, true, true},
		0x0003: {false, true, true},
		0x00AE: {true, true, false}, // PSK-AES128-CBC-SHA256: TLS 1.0+
		0x1301: {false, false, false},
		0x00FF: {false, false, false},
		0x5600: {false, false, false},
	} {
		if got := [3]bool{t12[id], t10[id], s3[id]}; got != want {
			t.Errorf("0x%04X in TLS 1.2/1.0/SSLv3 = %v, want %v", id, got, want)
		}
	}
	if len(SuitesFor(VersionSSL2)) != 13 {
		t.Errorf("SuitesFor(SSLv2) = %d kinds", len(SuitesFor(VersionSSL2)))
	}
	prev := -1
	for _, s := range Suites() {
		if int(s.ID) <= prev || s.Signalling || s.SSLv2() {
			t.Fatalf("Suites() not sorted or holds SCSV/SSLv2 at %s", s.Name)
		}
		prev = int(s.ID)
	}
	// Returned slices are copies.
	a := Suites()
	a[0].Name = "changed"
	if Suites()[0].Name == "changed" {
		t.Error("Suites() exposes the table")
	}
}

// opensslLine matches one line of "openssl ciphers -V".
var opensslLine = regexp.MustCompile(`^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+(\S+)\s+Kx=(\S+)\s+Au=(\S+)\s+Enc=(\S+)\s+Mac=(\S+)`)

func opensslCiphers(t *testing.T) []string {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl binary needed for the cross-check: %v", err)
	}
	var lines []string
	for _, args := range [][]string{
		{"ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"},
		{"ciphers", "-V", "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256", "ALL"},
	} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("openssl %v: %v", args, err)
		}
		lines = append(lines, strings.Split(strings.TrimSpace(string(out)), "\n")...)
	}
	return lines
}

// TestSuitesAgainstOpenSSL: every suite OpenSSL lists is in the registry
// with the same ID, OpenSSL name, minimum version and attributes.
func TestSuitesAgainstOpenSSL(t *testing.T) {
	kx := map[string][]string{"RSA": {"RSA"}, "DH": {"DHE", "DH"}, "ECDH": {"ECDHE", "ECDH"}, "PSK": {"PSK"},
		"DHEPSK": {"DHE_PSK"}, "ECDHEPSK": {"ECDHE_PSK"}, "RSAPSK": {"RSA_PSK"}, "SRP": {"SRP"}, "any": {"TLS13"}}
	au := map[string]string{"RSA": "RSA", "DSS": "DSS", "ECDSA": "ECDSA", "None": "anon", "PSK": "PSK", "SRP": "SRP", "any": "TLS13"}
	mac := map[string]string{"SHA1": "SHA", "SHA256": "SHA256", "SHA384": "SHA384", "MD5": "MD5", "AEAD": "AEAD"}
	ver := map[string]Version{"SSLv3": VersionSSL3, "TLSv1": VersionTLS10, "TLSv1.2": VersionTLS12, "TLSv1.3": VersionTLS13}
	encBits := regexp.MustCompile(`\((\d+)\)$`)
	seen := 0
	for _, line := range opensslCiphers(t) {
		m := opensslLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("unparsed openssl line %q", line)
			continue
		}
		id64, _ := strconv.ParseUint(m[1]+m[2], 16, 16)
		s, ok := SuiteByID(uint16(id64))
		if !ok {
			t.Errorf("openssl suite 0x%04X %s missing", id64, m[3])
			continue
		}
		seen++
		if s.OpenSSLName != m[3] {
			t.Errorf("0x%04X: OpenSSL name %q, openssl says %q", id64, s.OpenSSLName, m[3])
		}
		if s.MinVersion != ver[m[4]] {
			t.Errorf("%s: MinVersion 0x%04X, openssl says %s", s.Name, s.MinVersion, m[4])
		}
		if !contains(kx[m[5]], s.Kx) {
			t.Errorf("%s: Kx %s, openssl says %s", s.Name, s.Kx, m[5])
		}
		if au[m[6]] != s.Auth {
			t.Errorf("%s: Auth %s, openssl says %s", s.Name, s.Auth, m[6])
		}
		if mac[m[8]] != s.MAC {
			t.Errorf("%s: MAC %s, openssl says %s", s.Name, s.MAC, m[8])
		}
		bits := 0
		if b := encBits.FindStringSubmatch(m[7]); b != nil {
			bits, _ = strconv.Atoi(b[1])
		}
		if bits == 168 { // 3DES: OpenSSL prints the key length, not the strength
			bits = 112
		}
		if bits != s.Bits {
			t.Errorf("%s: %d bits, openssl says %s", s.Name, s.Bits, m[7])
		}
	}
	if seen < 150 {
		t.Errorf("only %d suites from openssl", seen)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestSuitesAgainstGo: crypto/tls uses the IANA names.
func TestSuitesAgainstGo(t *testing.T) {
	all := append(tls.CipherSuites(), tls.InsecureCipherSuites()...)
	for _, cs := range all {
		s, ok := SuiteByID(cs.ID)
		if !ok {
			t.Errorf("Go suite 0x%04X %s missing", cs.ID, cs.Name)
			continue
		}
		if s.Name != cs.Name {
			t.Errorf("0x%04X: %s, Go says %s", cs.ID, s.Name, cs.Name)
		}
		for _, v := range cs.SupportedVersions {
			if !s.ValidIn(Version(v)) {
				t.Errorf("%s: Go supports it at 0x%04X, we say 0x%04X..0x%04X", s.Name, v, s.MinVersion, s.MaxVersion)
			}
		}
	}
	if len(all) < 20 {
		t.Errorf("only %d Go suites", len(all))
	}
}

// zcryptoDiffers lists the code points where zcrypto's name is not the one
// we use, and why we are right.
var zcryptoDiffers = map[uint16]string{
	0x00FF: "TLS_RENEGO_PROTECTION_REQUEST",      // IANA: TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746)
	0xFF85: "OP_PCL_TLS10_AES_128_CBC_SHA512",    // private use; deployed by GOST engines (testssl.sh)
	0xFFE0: "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA", // NSS names the pre-0xFEFF code point OLDFIPS
	0xFFE1: "SSL_RSA_FIPS_WITH_DES_CBC_SHA",      // NSS names the pre-0xFEFE code point OLDFIPS
}

// TestSuitesAgainstZcrypto compares names with zcrypto's table. Case is
// ignored (zcrypto spells "anon" as "ANON").
func TestSuitesAgainstZcrypto(t *testing.T) {
	agree := 0
	for _, s := range Suites() {
		z := ztls.CipherSuiteID(s.ID).String()
		if !strings.HasPrefix(z, "TLS_") && !strings.HasPrefix(z, "SSL_") && !strings.HasPrefix(z, "OP_") {
			continue // zcrypto does not know it
		}
		if strings.EqualFold(z, s.Name) {
			agree++
			continue
		}
		if zcryptoDiffers[s.ID] != z {
			t.Errorf("0x%04X: we say %s, zcrypto says %s", s.ID, s.Name, z)
		}
	}
	for _, id := range []uint16{0x00FF} {
		s, _ := SuiteByID(id)
		if z := ztls.CipherSuiteID(id).String(); z != zcryptoDiffers[id] {
			t.Errorf("0x%04X: zcrypto now says %s (we say %s): update zcryptoDiffers", id, z, s.Name)
		}
	}
	if agree < 300 {
		t.Errorf("only %d names agree with zcrypto", agree)
	}
}
