package clientsim

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// The embedded copy must be the captured set (capture.sh writes both).
func TestBuiltinIsTestdata(t *testing.T) {
	for _, ext := range []string{"*.hello", "*.json"} {
		want, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "clients", ext))
		got, _ := filepath.Glob(filepath.Join("builtin", ext))
		if len(want) < 10 || len(got) != len(want) {
			t.Fatalf("%s: %d in builtin/, %d in testdata/clients (want the same, at least 10)", ext, len(got), len(want))
		}
		for _, p := range want {
			a, _ := os.ReadFile(p)
			b, err := os.ReadFile(filepath.Join("builtin", filepath.Base(p)))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("builtin/%s differs from %s: rerun capture.sh", filepath.Base(p), p)
			}
		}
	}
	ps, err := Builtin()
	if err != nil || len(ps) < 10 {
		t.Fatalf("Builtin: %d profiles, %v", len(ps), err)
	}
}

func TestPrepare(t *testing.T) {
	ps, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		src := p.Hello.Raw
		for _, sni := range []string{"a-much-longer-server-name.example.test", ""} {
			rp, err := Prepare(p.Hello, sni, nil)
			if err != nil {
				t.Fatalf("%s: %v", p.ID, err)
			}
			msg, err := rp.ClientHello().Marshal()
			if err != nil {
				t.Fatal(err)
			}
			got, err := wire.ParseClientHello(msg)
			if err != nil {
				t.Fatalf("%s: replayed hello does not parse: %v", p.ID, err)
			}
			if bytes.Equal(got.Random, src.Random) || len(got.SessionID) != len(src.SessionID) ||
				(len(src.SessionID) > 0 && bytes.Equal(got.SessionID, src.SessionID)) {
				t.Errorf("%s: random or session ID not fresh", p.ID)
			}
			if !slicesEqual(got.CipherSuites, src.CipherSuites) || !slicesEqual(got.SupportedGroups, src.SupportedGroups) {
				t.Errorf("%s: suites or groups changed", p.ID)
			}
			if got.ServerName != sni {
				t.Errorf("%s: server name %q, want %q", p.ID, got.ServerName, sni)
			}
			if len(got.KeyShares) != len(src.KeyShares) {
				t.Fatalf("%s: %d key shares, want %d", p.ID, len(got.KeyShares), len(src.KeyShares))
			}
			for i, ks := range got.KeyShares {
				o := src.KeyShares[i]
				if ks.Group != o.Group || len(ks.Data) != len(o.Data) || bytes.Equal(ks.Data, o.Data) {
					t.Errorf("%s: key share %d: group %04x/%d bytes, want a fresh %04x/%d", p.ID, i, ks.Group, len(ks.Data), o.Group, len(o.Data))
				}
			}
			// Extension order (GREASE included) is kept, bar a removed SNI.
			var want []uint16
			for _, e := range src.Extensions {
				if !(e.Type == wire.ExtServerName && sni == "") && !(e.Type == wire.ExtPadding && sni == "" && len(msg) != len(p.Hello.Msg)) {
					want = append(want, e.Type)
				}
			}
			var have []uint16
			for _, e := range got.Extensions {
				have = append(have, e.Type)
			}
			if _, padded := src.Extension(wire.ExtPadding); !padded && !slicesEqual(have, want) {
				t.Errorf("%s: extension order %04x, want %04x", p.ID, have, want)
			}
			// The 512-byte padding rule: a padded 512-byte hello stays 512
			// when the new one is in range.
			if _, padded := src.Extension(wire.ExtPadding); padded && len(p.Hello.Msg) == 512 {
				if _, still := got.Extension(wire.ExtPadding); still && len(msg) != 512 {
					t.Errorf("%s: padded to %d bytes, want 512", p.ID, len(msg))
				}
			}
		}
	}
}

func slicesEqual(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseHelloFileFormats(t *testing.T) {
	ps, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	h := ps[0].Hello
	records := wire.EncodeRecords(wire.RecordHandshake, 0x0301, h.Msg, 100) // fragmented
	for name, b := range map[string][]byte{"records": records, "message": h.Msg, "text": FormatHello(h, ps[0].Meta)} {
		got, err := ParseHelloFile(b)
		if err != nil || !bytes.Equal(got.Msg, h.Msg) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, b := range map[string]string{"empty": "", "not hex": "zz", "bad record version": "# record_version: x\n01"} {
		if _, err := ParseHelloFile([]byte(b)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := LoadDir(t.TempDir()); err == nil {
		t.Error("LoadDir of an empty directory: no error")
	}
}

func FuzzParseHelloFile(f *testing.F) {
	ps, err := Builtin()
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range ps {
		f.Add(FormatHello(p.Hello, p.Meta))
		f.Add(wire.EncodeRecords(wire.RecordHandshake, 0x0301, p.Hello.Msg, 0))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHelloFile(b)
		if err != nil {
			return
		}
		if _, err := Prepare(h, "fuzz.test", nil); err != nil {
			t.Fatalf("Prepare of a parsed hello: %v", err)
		}
	})
}
