// Package suitegen turns scan/registry/suites.txt (code point, name, OpenSSL
// name, origin) into the Go table of scan/registry/suites_table.go.
//
// Every attribute of a suite (key exchange, authentication, cipher, key
// strength, block size, MAC, protocol versions, flags) is derived from its
// IANA-style name by the rules below, so the data file stays a plain list
// of names and the generated table shows the result for review.
package suitegen

import (
	"bufio"
	"bytes"
	"fmt"
	"go/format"
	"sort"
	"strconv"
	"strings"
)

// Wire versions.
const (
	vSSL2  = 0x0002
	vSSL3  = 0x0300
	vTLS10 = 0x0301
	vTLS12 = 0x0303
	vTLS13 = 0x0304
)

// Row is one derived suite; its fields mirror registry.Suite.
type Row struct {
	ID                     uint16
	ID24                   uint32
	Name, OpenSSLName      string
	Kx, Auth, Cipher, MAC  string
	Bits, BlockBits        int
	AEAD, FS, Export, Anon bool
	Signalling, IANA       bool
	MinVersion, MaxVersion uint16
}

// cipherInfo describes a bulk cipher token as it appears in suite names.
type cipherInfo struct {
	name      string // normalised name
	bits      int
	blockBits int
	aead      bool
}

var ciphers = map[string]cipherInfo{
	"NULL":              {"NULL", 0, 0, false},
	"RC4_40":            {"RC4_40", 40, 0, false},
	"RC4_56":            {"RC4_56", 56, 0, false},
	"RC4_128":           {"RC4_128", 128, 0, false},
	"RC2_CBC_40":        {"RC2_CBC_40", 40, 64, false},
	"RC2_CBC_56":        {"RC2_CBC_56", 56, 64, false},
	"DES40_CBC":         {"DES40_CBC", 40, 64, false},
	"DES_CBC_40":        {"DES40_CBC", 40, 64, false}, // the KRB5 export spelling
	"DES_CBC":           {"DES_CBC", 56, 64, false},
	"3DES_EDE_CBC":      {"3DES_EDE_CBC", 112, 64, false},
	"IDEA_CBC":          {"IDEA_CBC", 128, 64, false},
	"SEED_CBC":          {"SEED_CBC", 128, 128, false},
	"AES_128_CBC":       {"AES_128_CBC", 128, 128, false},
	"AES_256_CBC":       {"AES_256_CBC", 256, 128, false},
	"AES_128_GCM":       {"AES_128_GCM", 128, 128, true},
	"AES_256_GCM":       {"AES_256_GCM", 256, 128, true},
	"AES_128_CCM":       {"AES_128_CCM", 128, 128, true},
	"AES_256_CCM":       {"AES_256_CCM", 256, 128, true},
	"AES_128_CCM_8":     {"AES_128_CCM_8", 128, 128, true},
	"AES_256_CCM_8":     {"AES_256_CCM_8", 256, 128, true},
	"CAMELLIA_128_CBC":  {"CAMELLIA_128_CBC", 128, 128, false},
	"CAMELLIA_256_CBC":  {"CAMELLIA_256_CBC", 256, 128, false},
	"CAMELLIA_128_GCM":  {"CAMELLIA_128_GCM", 128, 128, true},
	"CAMELLIA_256_GCM":  {"CAMELLIA_256_GCM", 256, 128, true},
	"ARIA_128_CBC":      {"ARIA_128_CBC", 128, 128, false},
	"ARIA_256_CBC":      {"ARIA_256_CBC", 256, 128, false},
	"ARIA_128_GCM":      {"ARIA_128_GCM", 128, 128, true},
	"ARIA_256_GCM":      {"ARIA_256_GCM", 256, 128, true},
	"CHACHA20_POLY1305": {"CHACHA20_POLY1305", 256, 0, true},
	"AEGIS_256":         {"AEGIS_256", 256, 128, true},
	"AEGIS_128L":        {"AEGIS_128L", 128, 128, true},
	"SM4_GCM":           {"SM4_GCM", 128, 128, true},
	"SM4_CCM":           {"SM4_CCM", 128, 128, true},
	// GOST 28147-89 and Magma have 64-bit blocks, Kuznyechik 128-bit ones.
	"28147_CNT":        {"GOST28147_CNT", 256, 64, false},
	"KUZNYECHIK_CTR":   {"KUZNYECHIK_CTR", 256, 128, false},
	"MAGMA_CTR":        {"MAGMA_CTR", 256, 64, false},
	"KUZNYECHIK_MGM_L": {"KUZNYECHIK_MGM_L", 256, 128, true},
	"KUZNYECHIK_MGM_S": {"KUZNYECHIK_MGM_S", 256, 128, true},
	"MAGMA_MGM_L":      {"MAGMA_MGM_L", 256, 64, true},
	"MAGMA_MGM_S":      {"MAGMA_MGM_S", 256, 64, true},
}

// macs maps the trailing MAC token of a name to the MAC field.
var macs = map[string]string{
	"SHA": "SHA", "SHA256": "SHA256", "SHA384": "SHA384", "SHA512": "SHA512",
	"MD5": "MD5", "SM3": "SM3", "IMIT": "GOST89", "GOSTR3411": "GOSTR3411",
	"OMAC": "OMAC", "GOST94": "GOST94", "NULL": "NULL",
}

// kxInfo is what the part before _WITH_ says.
type kxInfo struct{ kx, auth string }

var kxAuth = map[string]kxInfo{
	"NULL":            {"NULL", "NULL"},
	"RSA":             {"RSA", "RSA"},
	"RSA_FIPS":        {"RSA", "RSA"},
	"RSA_OLDFIPS":     {"RSA", "RSA"},
	"DH_DSS":          {"DH", "DSS"},
	"DH_RSA":          {"DH", "RSA"},
	"DHE_DSS":         {"DHE", "DSS"},
	"DHE_RSA":         {"DHE", "RSA"},
	"DH_anon":         {"DH", "anon"},
	"KRB5":            {"KRB5", "KRB5"},
	"PSK":             {"PSK", "PSK"},
	"DHE_PSK":         {"DHE_PSK", "PSK"},
	"PSK_DHE":         {"DHE_PSK", "PSK"}, // IANA's spelling for 0xC0AA/0xC0AB
	"RSA_PSK":         {"RSA_PSK", "RSA"},
	"ECDHE_PSK":       {"ECDHE_PSK", "PSK"},
	"ECDH_ECDSA":      {"ECDH", "ECDSA"},
	"ECDH_RSA":        {"ECDH", "RSA"},
	"ECDHE_ECDSA":     {"ECDHE", "ECDSA"},
	"ECDHE_RSA":       {"ECDHE", "RSA"},
	"ECDH_anon":       {"ECDH", "anon"},
	"SRP_SHA":         {"SRP", "SRP"},
	"SRP_SHA_RSA":     {"SRP", "RSA"},
	"SRP_SHA_DSS":     {"SRP", "DSS"},
	"ECCPWD":          {"ECCPWD", "ECCPWD"},
	"GOSTR341094":     {"GOST", "GOST"},
	"GOSTR341001":     {"GOST", "GOST"},
	"GOSTR341112_256": {"GOST", "GOST"},
	"GOSTR341094_RSA": {"RSA", "RSA"}, // 0xFF00: RSA key transport, GOST cipher
	"CECPQ1_RSA":      {"CECPQ1", "RSA"},
	"CECPQ1_ECDSA":    {"CECPQ1", "ECDSA"},
}

// fsKx are the ephemeral key exchanges (testssl.sh's "PFS" convention).
var fsKx = map[string]bool{"DHE": true, "ECDHE": true, "DHE_PSK": true, "ECDHE_PSK": true,
	"TLS13": true, "ECCPWD": true, "CECPQ1": true}

var pskKx = map[string]bool{"PSK": true, "DHE_PSK": true, "RSA_PSK": true, "ECDHE_PSK": true}

// sslv2 lists the SSLv2 cipher kinds: cipher token, bits, block bits, MAC, export.
var sslv2 = map[string]struct {
	cipher          string
	bits, blockBits int
	mac             string
	export          bool
}{
	"SSL_CK_NULL_WITH_MD5":                 {"NULL", 0, 0, "MD5", false},
	"SSL_CK_RC4_128_WITH_MD5":              {"RC4_128", 128, 0, "MD5", false},
	"SSL_CK_RC4_128_EXPORT40_WITH_MD5":     {"RC4_40", 40, 0, "MD5", true},
	"SSL_CK_RC2_128_CBC_WITH_MD5":          {"RC2_CBC_128", 128, 64, "MD5", false},
	"SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5": {"RC2_CBC_40", 40, 64, "MD5", true},
	"SSL_CK_IDEA_128_CBC_WITH_MD5":         {"IDEA_CBC", 128, 64, "MD5", false},
	"SSL_CK_DES_64_CBC_WITH_MD5":           {"DES_CBC", 56, 64, "MD5", false},
	"SSL_CK_DES_64_CBC_WITH_SHA":           {"DES_CBC", 56, 64, "SHA", false},
	"SSL_CK_DES_192_EDE3_CBC_WITH_MD5":     {"3DES_EDE_CBC", 112, 64, "MD5", false},
	"SSL_CK_DES_192_EDE3_CBC_WITH_SHA":     {"3DES_EDE_CBC", 112, 64, "SHA", false},
	"SSL_CK_RC4_64_WITH_MD5":               {"RC4_64", 64, 0, "MD5", false},
	"SSL_CK_DES_64_CFB64_WITH_MD5_1":       {"DES_CFB", 56, 64, "MD5", false},
	"SSL_CK_NULL":                          {"NULL", 0, 0, "NULL", false},
}

// Parse reads the data file and derives every row. TLS rows come first
// (by ID), then the SSLv2 kinds (by ID24).
func Parse(data []byte) ([]Row, error) {
	var tls, v2 []Row
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) != 4 {
			return nil, fmt.Errorf("line %d: want 4 fields, got %d", line, len(f))
		}
		if !strings.HasPrefix(f[0], "0x") {
			return nil, fmt.Errorf("line %d: code point %q lacks 0x", line, f[0])
		}
		id, err := strconv.ParseUint(f[0][2:], 16, 32)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		openssl := f[2]
		if openssl == "-" {
			openssl = ""
		}
		var r Row
		switch len(f[0]) {
		case 6:
			r, err = deriveTLS(uint16(id), f[1], f[3])
			tls = append(tls, r)
		case 8:
			r, err = deriveSSLv2(uint32(id), f[1])
			v2 = append(v2, r)
		default:
			err = fmt.Errorf("code point %q is neither 2 nor 3 bytes", f[0])
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		if len(f[0]) == 6 {
			tls[len(tls)-1].OpenSSLName = openssl
		} else {
			v2[len(v2)-1].OpenSSLName = openssl
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(tls, func(i, j int) bool { return tls[i].ID < tls[j].ID })
	sort.SliceStable(v2, func(i, j int) bool { return v2[i].ID24 < v2[j].ID24 })
	return append(tls, v2...), nil
}

func deriveSSLv2(id24 uint32, name string) (Row, error) {
	k, ok := sslv2[name]
	if !ok {
		return Row{}, fmt.Errorf("unknown SSLv2 cipher kind %s", name)
	}
	r := Row{ID24: id24, Name: name, Kx: "RSA", Auth: "RSA", Cipher: k.cipher, Bits: k.bits,
		BlockBits: k.blockBits, MAC: k.mac, Export: k.export, MinVersion: vSSL2, MaxVersion: vSSL2}
	if name == "SSL_CK_NULL" {
		r.Kx, r.Auth, r.Anon = "NULL", "NULL", true
	}
	return r, nil
}

func deriveTLS(id uint16, name, origin string) (Row, error) {
	r := Row{ID: id, Name: name, IANA: origin == "iana"}
	switch origin {
	case "iana", "draft", "gost", "experiment", "private":
	default:
		return r, fmt.Errorf("%s: unknown origin %q", name, origin)
	}
	if strings.HasSuffix(name, "_SCSV") {
		r.Signalling = true
		r.MinVersion, r.MaxVersion = vSSL3, vTLS13
		return r, nil
	}
	body, ok := strings.CutPrefix(name, "TLS_")
	if !ok {
		if body, ok = strings.CutPrefix(name, "SSL_"); !ok {
			return r, fmt.Errorf("%s: want a TLS_ or SSL_ prefix", name)
		}
	}
	body = strings.TrimSuffix(body, "_OLD") // pre-RFC 7905 ChaCha20, old GOST engine code point
	kxPart, rest, hasWith := strings.Cut(body, "_WITH_")
	var kx kxInfo
	if hasWith {
		if kx, ok = kxAuth[strings.TrimSuffix(strings.TrimSuffix(kxPart, "_EXPORT1024"), "_EXPORT")]; !ok {
			return r, fmt.Errorf("%s: unknown key exchange %q", name, kxPart)
		}
		r.Export = strings.Contains(kxPart, "_EXPORT")
	} else {
		rest = body // TLS 1.3: TLS_<AEAD>_<HASH>
	}
	cipherTok, macTok := rest, ""
	if i := strings.LastIndexByte(rest, '_'); i >= 0 {
		if _, isMAC := macs[rest[i+1:]]; isMAC {
			cipherTok, macTok = rest[:i], rest[i+1:]
		}
	}
	if !hasWith && cipherTok == macTok { // RFC 9150 integrity-only TLS_SHA256_SHA256
		cipherTok = "NULL"
	}
	c, ok := ciphers[cipherTok]
	if !ok {
		return r, fmt.Errorf("%s: unknown cipher %q", name, cipherTok)
	}
	r.Cipher, r.Bits, r.BlockBits, r.AEAD = c.name, c.bits, c.blockBits, c.aead
	switch {
	case c.aead:
		r.MAC = "AEAD"
	case macTok != "":
		r.MAC = macs[macTok]
	default:
		return r, fmt.Errorf("%s: no MAC", name)
	}
	tls13 := !hasWith || strings.Contains(cipherTok, "_MGM_")
	if tls13 {
		r.Kx, r.Auth = "TLS13", "TLS13"
		r.MinVersion, r.MaxVersion = vTLS13, vTLS13
	} else {
		r.Kx, r.Auth = kx.kx, kx.auth
		r.MinVersion, r.MaxVersion = tls12Versions(r, kxPart, origin)
	}
	r.FS = fsKx[r.Kx]
	r.Anon = r.Auth == "anon" || r.Auth == "NULL"
	return r, nil
}

// tls12Versions gives the version range of a pre-TLS 1.3 suite. The
// minimum follows OpenSSL's "ciphers -V" protocol column: suites with
// SHA-256/384 HMACs or AEAD ciphers need TLS 1.2, except the PSK ones
// (RFC 5487, 5489, 6209, 6367 allow TLS 1.0); elliptic-curve suites need
// TLS 1.0 (RFC 4492). Export suites end at TLS 1.0 (RFC 4346 forbids them).
func tls12Versions(r Row, kxPart, origin string) (lo, hi uint16) {
	lo, hi = vSSL3, vTLS12
	sha2 := r.MAC == "SHA256" || r.MAC == "SHA384"
	switch {
	case pskKx[r.Kx] && sha2:
		lo = vTLS10
	case r.AEAD || sha2 || r.Kx == "CECPQ1":
		lo = vTLS12
	case kxPart == "GOSTR341112_256" && origin == "iana": // RFC 9189: TLS 1.2 only
		lo = vTLS12
	case strings.HasPrefix(r.Kx, "ECDH") || r.Kx == "GOST":
		lo = vTLS10
	}
	if r.Export {
		hi = vTLS10
	}
	return lo, hi
}

// Generate renders the rows derived from data as Go source for package registry.
func Generate(data []byte) ([]byte, error) {
	rows, err := Parse(data)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by scan/registry/internal/gen from suites.txt; DO NOT EDIT.\n\n")
	b.WriteString("package registry\n\n")
	b.WriteString("// suiteTable holds every TLS suite by ID, then the SSLv2 cipher kinds by ID24.\n")
	b.WriteString("var suiteTable = [...]Suite{\n")
	for _, r := range rows {
		if r.MinVersion == vSSL2 {
			fmt.Fprintf(&b, "\t{ID24: 0x%06X", r.ID24)
		} else {
			fmt.Fprintf(&b, "\t{ID: 0x%04X", r.ID)
		}
		fmt.Fprintf(&b, ", Name: %q, OpenSSLName: %q, Kx: %q, Auth: %q, Cipher: %q, Bits: %d, BlockBits: %d, MAC: %q",
			r.Name, r.OpenSSLName, r.Kx, r.Auth, r.Cipher, r.Bits, r.BlockBits, r.MAC)
		for _, fl := range []struct {
			name string
			on   bool
		}{{"AEAD", r.AEAD}, {"FS", r.FS}, {"Export", r.Export}, {"Anonymous", r.Anon}, {"Signalling", r.Signalling}, {"IANA", r.IANA}} {
			if fl.on {
				fmt.Fprintf(&b, ", %s: true", fl.name)
			}
		}
		fmt.Fprintf(&b, ", MinVersion: 0x%04X, MaxVersion: 0x%04X},\n", r.MinVersion, r.MaxVersion)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
