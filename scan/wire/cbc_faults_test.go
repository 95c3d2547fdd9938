package wire_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// TestClient12BadRecordHook: the server's BadRecord hook sees what is wrong
// with each malformed record (padding and MAC judged apart), its answer is
// what the client gets, and good records are still served.
func TestClient12BadRecordHook(t *testing.T) {
	cfg := server12Config(t)
	var mu sync.Mutex
	var seen []wire.CBCFault
	cfg.BadRecord = func(f wire.CBCFault) wire.BadRecordAnswer {
		mu.Lock()
		seen = append(seen, f)
		mu.Unlock()
		switch {
		case f.PaddingOnly():
			return wire.BadRecordAnswer{Alert: wire.AlertRecordOverflow}
		case f.MACOK:
			return wire.BadRecordAnswer{Ignore: true}
		case !f.PaddingOK:
			return wire.BadRecordAnswer{Close: true}
		}
		return wire.BadRecordAnswer{}
	}
	addr := serve12(t, cfg)
	// content 12 + MAC 20 = 32: a valid padding is one block of 15s.
	content := []byte("GET / HTTP/1")
	badPad := bytes.Repeat([]byte{0x42}, 16)
	badPad[15] = 15
	cases := []struct {
		name  string
		tw    wire.CBCRecord
		data  []byte
		fault wire.CBCFault
		want  string
	}{
		{"bad mac", wire.CBCRecord{FlipMAC: true}, content, wire.CBCFault{Length: 48, PadLen: 15, PaddingOK: true, MACFits: true, ContentLen: 12}, "alert:bad_record_mac"},
		{"bad pad", wire.CBCRecord{Padding: badPad}, content, wire.CBCFault{Length: 48, PadLen: 15, MACFits: true, MACOK: true, ContentLen: 12}, "timeout"},
		{"both", wire.CBCRecord{FlipMAC: true, Padding: badPad}, content, wire.CBCFault{Length: 48, PadLen: 15, MACFits: true, ContentLen: 12}, "closed"},
		{"padding only", wire.CBCRecord{NoMAC: true, Padding: bytes.Repeat([]byte{31}, 32)}, nil, wire.CBCFault{Length: 32, PadLen: 31, PaddingOK: true}, "alert:record_overflow"},
		{"good", wire.CBCRecord{}, content, wire.CBCFault{}, "data"},
	}
	for _, v := range versions12 {
		for _, c := range cases {
			seen = nil
			conn := dial12(t, addr)
			cl := wire.NewClient12(conn, nil)
			if err := cl.Handshake(hello12(v, 0x002f), nil); err != nil {
				t.Fatal(err)
			}
			// A good record first: the hook must leave it (and the TLS 1.0
			// IV chain) alone.
			if err := cl.Write([]byte("ping")); err != nil {
				t.Fatal(err)
			}
			if p, err := cl.Read(); err != nil || string(p) != "ping" {
				t.Fatalf("%s %s: echo %q %v", registry.Version(v).String(), c.name, p, err)
			}
			if err := cl.WriteCBC(wire.RecordApplicationData, c.data, c.tw); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			p, err := cl.Read()
			got := "data"
			var a *wire.AlertError
			switch {
			case errors.As(err, &a):
				got = "alert:" + a.Name()
			case errors.Is(err, os.ErrDeadlineExceeded):
				got = "timeout"
			case errors.Is(err, io.EOF):
				got = "closed"
			case err != nil:
				got = err.Error()
			case !bytes.Equal(p, c.data):
				got = "wrong data"
			}
			if got != c.want {
				t.Errorf("%s %s: got %s, want %s", registry.Version(v).String(), c.name, got, c.want)
			}
			mu.Lock()
			switch {
			case c.want == "data" && len(seen) != 0:
				t.Errorf("%s %s: hook called for a good record: %+v", registry.Version(v).String(), c.name, seen)
			case c.want != "data" && (len(seen) != 1 || seen[0] != c.fault):
				t.Errorf("%s %s: faults %+v, want %+v", registry.Version(v).String(), c.name, seen, c.fault)
			}
			mu.Unlock()
			conn.Close()
		}
	}
}

// FuzzBadRecordHook feeds arbitrary protected-record payloads to a server
// with a BadRecord hook: it must answer or close, never panic or hang.
func FuzzBadRecordHook(f *testing.F) {
	f.Add([]byte{}, uint8(0x17))
	f.Add(bytes.Repeat([]byte{0xff}, 48), uint8(0x17))
	f.Add(bytes.Repeat([]byte{0x00}, 16), uint8(0x15))
	srv, err := tlstest.StartVuln12(tlstest.Vuln12Options{LuckyMinus20: true, CBCOracle: "zombie"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	addr := srv.Addr
	f.Fuzz(func(t *testing.T, payload []byte, typ uint8) {
		if len(payload) > 4096 {
			return
		}
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		cl := wire.NewClient12(conn, nil)
		if err := cl.Handshake(hello12(registry.VersionTLS12, 0x002f), nil); err != nil {
			t.Fatal(err)
		}
		n := len(payload)
		conn.Write(append([]byte{typ, 3, 3, byte(n >> 8), byte(n)}, payload...))
		conn.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := cl.Read(); errors.Is(err, os.ErrDeadlineExceeded) && typ == wire.RecordApplicationData && n%16 == 0 && n >= 32 {
			t.Errorf("no answer to a %d-byte record", n)
		}
	})
}
