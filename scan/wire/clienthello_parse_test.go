package wire

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// rawHelloSeeds are ClientHello messages: a GREASEd, padded hello built
// here, the recorded ones of testdata/handshakes and the real clients'
// captures of testdata/clients (hex .hello files are decoded by scan/clientsim,
// so only the binary recordings are read here).
func rawHelloSeeds(t testing.TB) [][]byte {
	ch := modernHello()
	ch.GREASE = true
	ch.PaddingTo = 512
	ch.KeyShares = []KeyShare{{Group: GroupX25519, Data: make([]byte, 32)}}
	msg, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	out := [][]byte{msg}
	paths, _ := filepath.Glob(filepath.Join("testdata", "handshakes", "*-ClientHello.bin"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestParseClientHelloRoundTrip(t *testing.T) {
	for i, msg := range rawHelloSeeds(t) {
		raw, err := ParseClientHello(msg)
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		out, err := raw.Marshal()
		if err != nil || !bytes.Equal(out, msg) {
			t.Fatalf("seed %d: Marshal differs from the parsed bytes (err %v)", i, err)
		}
		// Sent through a ClientHello, the bytes stay the same too.
		again, err := raw.ClientHello(0).Marshal()
		if err != nil || !bytes.Equal(again, msg) {
			t.Fatalf("seed %d: ClientHello().Marshal differs (err %v)", i, err)
		}
	}
}

func TestParseClientHelloFields(t *testing.T) {
	msg := rawHelloSeeds(t)[0]
	raw, err := ParseClientHello(msg)
	if err != nil {
		t.Fatal(err)
	}
	if raw.ServerName != "wire.test" {
		t.Errorf("ServerName %q", raw.ServerName)
	}
	if !IsGREASE(raw.CipherSuites[0]) || raw.CipherSuites[1] != 0x1301 {
		t.Errorf("suites %04x: want GREASE then 0x1301", raw.CipherSuites[:2])
	}
	if len(raw.SupportedGroups) != 4 || !IsGREASE(raw.SupportedGroups[0]) || raw.SupportedGroups[1] != GroupX25519 {
		t.Errorf("groups %04x", raw.SupportedGroups)
	}
	if len(raw.KeyShares) != 2 || raw.KeyShares[1].Group != GroupX25519 || len(raw.KeyShares[1].Data) != 32 {
		t.Errorf("key shares %+v", raw.KeyShares)
	}
	if len(raw.SupportedVersions) != 3 || raw.SupportedVersions[1] != registry.VersionTLS13 {
		t.Errorf("versions %04x", raw.SupportedVersions)
	}
	if len(raw.ALPN) != 2 || raw.ALPN[0] != "h2" {
		t.Errorf("ALPN %q", raw.ALPN)
	}
	if _, ok := raw.Extension(ExtPadding); !ok || len(msg) != 512 {
		t.Errorf("padding: present %v, message length %d (want 512)", ok, len(msg))
	}
	if !IsGREASE(raw.Extensions[0].Type) || !IsGREASE(raw.Extensions[len(raw.Extensions)-2].Type) {
		t.Errorf("GREASE extensions not kept in place: first %04x", raw.Extensions[0].Type)
	}
}

func TestParseClientHelloErrors(t *testing.T) {
	msg := rawHelloSeeds(t)[0]
	cases := map[string][]byte{
		"empty":          nil,
		"server hello":   append([]byte{TypeServerHello}, msg[1:]...),
		"truncated":      msg[:len(msg)-1],
		"trailing bytes": append(bytes.Clone(msg), 0),
		"short body":     {TypeClientHello, 0, 0, 2, 3, 3},
	}
	for name, b := range cases {
		if _, err := ParseClientHello(b); err == nil {
			t.Errorf("%s: no error", name)
		} else if de := (*DecodeError)(nil); !errors.As(err, &de) {
			t.Errorf("%s: error %v is not a DecodeError", name, err)
		}
	}
}

func FuzzParseClientHello(f *testing.F) {
	for _, b := range rawHelloSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		raw, err := ParseClientHello(b)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a DecodeError", err)
			}
			return
		}
		out, err := raw.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if raw.ExtensionBlock && len(raw.Extensions) == 0 {
			return // an empty extensions block is not re-encoded
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip differs:\n in %x\nout %x", b, out)
		}
	})
}
