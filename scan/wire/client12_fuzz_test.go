package wire_test

import (
	"bytes"
	"crypto/rsa"
	"io"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// fuzzConn reads the fuzzer's bytes and discards writes.
type fuzzConn struct{ r io.Reader }

func (c fuzzConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c fuzzConn) Write(p []byte) (int, error) { return len(p), nil }

// FuzzClient12 feeds arbitrary server bytes to a Client12 handshake and
// renegotiation: errors are fine, panics and hangs are not.
func FuzzClient12(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, 2, 0, 0, 0})
	f.Add([]byte{22, 3, 3, 0, 42, 2, 0, 0, 38, 3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 0, 0, 0x2f, 0,
		22, 3, 3, 0, 4, 14, 0, 0, 0, 20, 3, 3, 0, 1, 1, 21, 3, 3, 0, 2, 2, 40})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := wire.NewClient12(fuzzConn{bytes.NewReader(data)}, bytes.NewReader(bytes.Repeat([]byte{7}, 4096)))
		ch := hello12(registry.VersionTLS12, 0x002f, 0x009c, 0xc013, 0xc02f)
		if err := c.Handshake(ch, nil); err == nil {
			c.Read()
			c.Renegotiate(ch)
		}
	})
}

// FuzzServeConn12 feeds arbitrary client bytes to the test server side.
func FuzzServeConn12(f *testing.F) {
	pki, err := tlstest.SharedPKI()
	if err != nil {
		f.Fatal(err)
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{})
	if err != nil {
		f.Fatal(err)
	}
	cfg := &wire.Server12Config{Certificates: leaf.ChainDER, Key: leaf.Key.(*rsa.PrivateKey), Suites: []uint16{0x002f, 0x009c}}
	ch, _ := hello12(registry.VersionTLS12, 0x002f).MarshalRecords()
	f.Add(ch)
	f.Add(append(ch, 22, 3, 3, 0, 6, 16, 0, 0, 2, 0, 0, 20, 3, 3, 0, 1, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		wire.ServeConn12(fuzzConn{bytes.NewReader(data)}, cfg)
	})
}

func FuzzParseClientHello12(f *testing.F) {
	msg, _ := hello12(registry.VersionTLS12, 0x002f).Marshal()
	f.Add(msg[4:])
	f.Fuzz(func(t *testing.T, body []byte) {
		if ch, err := wire.ParseClientHello12(body); err == nil && len(ch.Random) != 32 {
			t.Fatalf("random of %d bytes", len(ch.Random))
		}
	})
}

func FuzzParseTLS13Ticket(f *testing.F) {
	f.Add([]byte{0, 0, 0x1c, 0x20, 1, 2, 3, 4, 1, 0, 0, 2, 9, 9, 0, 8, 0, 0x2a, 0, 4, 0, 0, 0x40, 0})
	f.Add([]byte{0, 0, 0x1c, 0x20, 1, 2, 3, 4, 0, 0, 1, 9, 0, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		if tk, err := wire.ParseTLS13Ticket(body); err == nil && len(tk.Ticket) == 0 {
			t.Fatal("empty ticket accepted")
		}
	})
}

func TestParseTLS13Ticket(t *testing.T) {
	tk, err := wire.ParseTLS13Ticket([]byte{0, 0, 0x1c, 0x20, 1, 2, 3, 4, 1, 0, 0, 2, 9, 9, 0, 8, 0, 0x2a, 0, 4, 0, 0, 0x40, 0})
	if err != nil || !tk.EarlyData || tk.MaxEarlyDataSize != 0x4000 || tk.Lifetime != 0x1c20 {
		t.Errorf("%+v %v", tk, err)
	}
	if _, err := wire.ParseTLS13Ticket([]byte{0, 0, 0x1c, 0x20, 1, 2, 3, 4, 0, 0, 1, 9}); err == nil {
		t.Error("ticket without extensions block accepted")
	}
}
