package clientsim

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

func TestLegacyClientsAreSynthesisedTLS12Hellos(t *testing.T) {
	ps, err := Legacy()
	if err != nil || len(ps) < 8 {
		t.Fatalf("Legacy: %d profiles, %v", len(ps), err)
	}
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.ID] {
			t.Errorf("duplicate ID %s", p.ID)
		}
		seen[p.ID] = true
		if p.Meta.Origin != OriginSynthesised || len(p.Meta.Refs) == 0 || !p.Meta.Reference {
			t.Errorf("%s: origin %q, refs %v, reference %v", p.ID, p.Meta.Origin, p.Meta.Refs, p.Meta.Reference)
		}
		raw := p.Hello.Raw
		if raw.Version != registry.VersionTLS12 || len(raw.SupportedVersions) != 0 {
			t.Errorf("%s: legacy_version %04x, supported_versions %v: want a TLS 1.2-only hello", p.ID, raw.Version, raw.SupportedVersions)
		}
		if _, ok := raw.Extension(wire.ExtServerName); !ok {
			t.Errorf("%s: no server_name to replace", p.ID)
		}
		if _, err := Prepare(p.Hello, "www.example.test", nil); err != nil {
			t.Errorf("%s: Prepare: %v", p.ID, err)
		}
	}
	builtin, _ := Builtin()
	for _, p := range builtin {
		if p.Meta.Origin != OriginCaptured {
			t.Errorf("captured %s: origin %q", p.ID, p.Meta.Origin)
		}
		if seen[p.ID] {
			t.Errorf("legacy ID %s collides with a captured client", p.ID)
		}
	}
}

// sslLabsNames maps the synthesised clients to the short names of the same
// clients in testssl.sh's copy of SSL Labs' client list.
var sslLabsNames = map[string]string{
	"ie-11_win7": "ie_11_win7", "ie-11_win8.1": "ie_11_win81", "android-4.4.2": "android_442",
	"android-7.0": "android_70", "java-8u161": "java_8u161", "openssl-1.0.2e": "openssl_102e",
	"safari-10": "safari_10_osx1012", "firefox-47": "firefox_47_win7", "chrome-49_win7": "chrome_49_win7",
}

// TestLegacyClientsMatchSSLLabsClientData cross-checks each synthesised
// client's suites, in order, against SSL Labs' client data as the testssl.sh
// package installs it (read here only, never copied into the repository).
// The renegotiation SCSV is not in that data and is left out.
func TestLegacyClientsMatchSSLLabsClientData(t *testing.T) {
	const simFile, mapFile = "/etc/testssl/client-simulation.txt", "/etc/testssl/cipher-mapping.txt"
	sim, err := os.ReadFile(simFile)
	if err != nil {
		t.Fatalf("%v: install testssl.sh (apt-get install testssl.sh) for this cross-check", err)
	}
	codes := map[string]uint16{} // OpenSSL name → code point
	mf, err := os.Open(mapFile)
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	sc := bufio.NewScanner(mf)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || !strings.HasPrefix(f[0], "0x") {
			continue
		}
		hex := strings.ReplaceAll(strings.ReplaceAll(f[0], ",0x", ""), "0x", "")
		if len(hex) != 4 {
			continue
		}
		n, err := strconv.ParseUint(hex, 16, 16)
		if err == nil {
			codes[f[2]] = uint16(n)
		}
	}
	shortRe := regexp.MustCompile(`short\+=\("([^"]*)"\)`)
	ciphersRe := regexp.MustCompile(`ciphers\+=\("([^"]*)"\)`)
	published := map[string][]uint16{}
	for _, block := range strings.Split(string(sim), "names+=(")[1:] {
		s, c := shortRe.FindStringSubmatch(block), ciphersRe.FindStringSubmatch(block)
		if s == nil || c == nil {
			continue
		}
		var ids []uint16
		for _, name := range strings.Split(c[1], ":") {
			if id, ok := codes[name]; ok {
				ids = append(ids, id)
			}
		}
		published[s[1]] = ids
	}
	ps, err := Legacy()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		short, ok := sslLabsNames[p.ID]
		if !ok {
			t.Errorf("%s: no SSL Labs counterpart to check against", p.ID)
			continue
		}
		want, ok := published[short]
		if !ok {
			t.Errorf("%s: %s not in %s", p.ID, short, simFile)
			continue
		}
		got := slices.DeleteFunc(slices.Clone(p.Hello.Raw.CipherSuites), func(id uint16) bool { return id == 0x00ff })
		if !slices.Equal(got, want) {
			t.Errorf("%s: suites differ from SSL Labs' %s:\n got  %04x\n want %04x", p.ID, short, got, want)
		}
	}
}
