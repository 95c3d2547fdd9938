package wire_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// hello12 is a ClientHello for Client12 offering suites at version v.
func hello12(v uint16, suites ...uint16) *wire.ClientHello {
	ch := &wire.ClientHello{Version: v, CipherSuites: suites, ServerName: tlstest.DefaultName,
		SupportedGroups: []uint16{wire.GroupX25519, wire.GroupSecp256r1, wire.GroupSecp384r1}, ECPointFormats: []uint8{0},
		SecureRenegotiation: true, SessionTicket: true}
	if v >= registry.VersionTLS12 {
		ch.SignatureAlgorithms = []uint16{0x0804, 0x0401, 0x0403, 0x0501, 0x0201}
	}
	return ch
}

func dial12(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// httpRoundTrip runs a handshake, sends an HTTP request and reads the answer
// until it contains want.
func httpRoundTrip(t *testing.T, addr string, ch *wire.ClientHello, want string) *wire.Client12 {
	t.Helper()
	conn := dial12(t, addr)
	defer conn.Close() // openssl s_server serves one connection at a time
	c := wire.NewClient12(conn, nil)
	if err := c.Handshake(ch, nil); err != nil {
		t.Fatalf("handshake %s 0x%04x: %v", registry.Version(ch.Version).String(), ch.CipherSuites[0], err)
	}
	if err := c.Write([]byte("GET / HTTP/1.0\r\nHost: " + tlstest.DefaultName + "\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for !bytes.Contains(got, []byte(want)) {
		p, err := c.Read()
		if err != nil {
			t.Fatalf("%s 0x%04x: reading the response after %q: %v", registry.Version(ch.Version).String(), ch.CipherSuites[0], got, err)
		}
		got = append(got, p...)
	}
	return c
}

var versions12 = []uint16{registry.VersionTLS10, registry.VersionTLS11, registry.VersionTLS12}

func TestClient12GoServer(t *testing.T) {
	suites := []uint16{0x002f, 0x0035, 0xc013, 0xc014, 0x003c, 0x009c, 0x009d, 0xc027, 0xc02f, 0xc030}
	srv := tlstest.NewGoServerT(t, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, CipherSuites: suites})
	for _, v := range versions12 {
		for _, s := range wire.Suites12(v, func(s *wire.Suite12) bool { return s.Auth == "RSA" && s.ID != 0xc028 && s.ID != 0x003d }) {
			c := httpRoundTrip(t, srv.Addr, hello12(v, s), "200 OK")
			if c.Version != v || c.Suite.ID != s {
				t.Errorf("negotiated %s 0x%04x, want %s 0x%04x", registry.Version(c.Version).String(), c.Suite.ID, registry.Version(v).String(), s)
			}
		}
	}
}

func TestClient12OpenSSL(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1", MaxProtocol: "TLSv1.2",
		Ciphers: "AES128-SHA:AES256-SHA:AES128-SHA256:AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"})
	for _, v := range versions12 {
		for _, s := range wire.Suites12(v, func(s *wire.Suite12) bool { return s.Auth == "RSA" }) {
			httpRoundTrip(t, srv.Addr, hello12(v, s), "200 ok")
		}
	}
	// Extended master secret (OpenSSL echoes it).
	ch := hello12(registry.VersionTLS12, 0xc02f)
	ch.ExtendedMasterSecret = true
	if c := httpRoundTrip(t, srv.Addr, ch, "200 ok"); !c.ServerHello.ExtendedMasterSecret {
		t.Error("OpenSSL did not echo extended_master_secret")
	}
}

func TestClient12ResumeOpenSSL(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MaxProtocol: "TLSv1.2"})
	for _, byTicket := range []bool{false, true} {
		ch := hello12(registry.VersionTLS12, 0xc02f, 0x009c)
		ch.SessionTicket = byTicket
		conn := dial12(t, srv.Addr)
		c := wire.NewClient12(conn, nil)
		if err := c.Handshake(ch, nil); err != nil {
			t.Fatal(err)
		}
		// OpenSSL drops a session from its cache when the connection ends
		// without close_notify.
		c.SendAlert(wire.AlertLevelWarning, wire.AlertCloseNotify)
		conn.Close()
		sess := c.Session()
		if byTicket && len(sess.Ticket) == 0 {
			t.Fatal("no ticket issued")
		}
		c2 := wire.NewClient12(dial12(t, srv.Addr), nil)
		if err := c2.Handshake(ch, sess); err != nil {
			t.Fatalf("resumption (ticket %v): %v", byTicket, err)
		}
		if !c2.Resumed {
			t.Errorf("ticket=%v: not resumed", byTicket)
		}
		if err := c2.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		if p, err := c2.Read(); err != nil || len(p) == 0 {
			t.Errorf("after resumption: %q %v", p, err)
		}
		c2.SendAlert(wire.AlertLevelWarning, wire.AlertCloseNotify)
	}
}

// OpenSSL 3.0 refuses client-initiated renegotiation unless
// -client_renegotiation is given.
func TestClient12RenegotiateOpenSSL(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MaxProtocol: "TLSv1.2", ExtraArgs: []string{"-client_renegotiation"}})
	c := wire.NewClient12(dial12(t, srv.Addr), nil)
	ch := hello12(registry.VersionTLS12, 0xc02f)
	if err := c.Handshake(ch, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := c.Renegotiate(ch); err != nil {
			t.Fatalf("renegotiation %d: %v", i+1, err)
		}
	}
	if c.Handshakes != 4 {
		t.Errorf("handshakes = %d", c.Handshakes)
	}
}

// serve12 runs ServeConn12 on a loopback listener.
func serve12(t *testing.T, cfg *wire.Server12Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				wire.ServeConn12(c, cfg)
			}()
		}
	}()
	return ln.Addr().String()
}

func server12Config(t *testing.T) *wire.Server12Config {
	t.Helper()
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &wire.Server12Config{Certificates: leaf.ChainDER, Key: leaf.Key.(*rsa.PrivateKey),
		Suites: wire.Suites12(registry.VersionTLS12, func(s *wire.Suite12) bool { return s.Kx == "RSA" })}
}

func TestClient12Server12(t *testing.T) {
	cfg := server12Config(t)
	addr := serve12(t, cfg)
	for _, v := range versions12 {
		for _, s := range wire.Suites12(v, func(s *wire.Suite12) bool { return s.Kx == "RSA" }) {
			c := wire.NewClient12(dial12(t, addr), nil)
			if err := c.Handshake(hello12(v, s), nil); err != nil {
				t.Fatalf("%s 0x%04x: %v", registry.Version(v).String(), s, err)
			}
			msg := bytes.Repeat([]byte("ping"), 5000) // two records
			if err := c.Write(msg); err != nil {
				t.Fatal(err)
			}
			var got []byte
			for len(got) < len(msg) {
				p, err := c.Read()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, p...)
			}
			if !bytes.Equal(got, msg) {
				t.Errorf("%s 0x%04x: echo differs", registry.Version(v).String(), s)
			}
			// Renegotiation is refused with a warning.
			err := c.Renegotiate(hello12(v, s))
			var a *wire.AlertError
			if !errors.As(err, &a) || a.Description != wire.AlertNoRenegotiation {
				t.Errorf("renegotiation: %v, want no_renegotiation", err)
			}
		}
	}
}

// TestClient12BadPadding: a record with wrong padding bytes and a correct
// MAC is refused by a correct server and accepted by a lax one.
func TestClient12BadPadding(t *testing.T) {
	for _, lax := range []bool{false, true} {
		cfg := server12Config(t)
		cfg.LaxPadding = lax
		addr := serve12(t, cfg)
		for _, v := range versions12 {
			c := wire.NewClient12(dial12(t, addr), nil)
			if err := c.Handshake(hello12(v, 0x002f), nil); err != nil {
				t.Fatal(err)
			}
			// content 4 + MAC 20 = 24; 8 bytes of padding, the last says 7.
			pad := []byte{1, 2, 3, 4, 5, 6, 7, 7}
			if err := c.WriteCBC(wire.RecordApplicationData, []byte("ping"), wire.CBCRecord{Padding: pad}); err != nil {
				t.Fatal(err)
			}
			p, err := c.Read()
			var a *wire.AlertError
			switch {
			case lax && (err != nil || string(p) != "ping"):
				t.Errorf("%s lax: %q %v", registry.Version(v).String(), p, err)
			case !lax && (!errors.As(err, &a) || a.Description != wire.AlertBadRecordMAC):
				t.Errorf("%s strict: %q %v, want bad_record_mac", registry.Version(v).String(), p, err)
			}
		}
	}
}

func TestPRF12Vector(t *testing.T) {
	// RFC 5246 has no vectors; this one is the widely used TLS 1.2 SHA-256 PRF
	// test vector (mailarchive.ietf.org, "TLS 1.2 PRF test vectors").
	secret := []byte{0x9b, 0xbe, 0x43, 0x6b, 0xa9, 0x40, 0xf0, 0x17, 0xb1, 0x76, 0x52, 0x84, 0x9a, 0x71, 0xdb, 0x35}
	seed := []byte{0xa0, 0xba, 0x9f, 0x93, 0x6c, 0xda, 0x31, 0x18, 0x27, 0xa6, 0xf7, 0x96, 0xff, 0xd5, 0x19, 0x8c}
	out := wire.PRF12(registry.VersionTLS12, sha256New, secret, "test label", seed, 100)
	want := "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"
	if got := hexs(out); got != want {
		t.Errorf("PRF:\n got %s\nwant %s", got, want)
	}
}

func TestClient12Closed(t *testing.T) {
	// A server that closes after the ServerHello gives a clear error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			buf := make([]byte, 1024)
			c.Read(buf)
			c.Close()
		}
	}()
	c := wire.NewClient12(dial12(t, ln.Addr().String()), rand.Reader)
	err = c.Handshake(hello12(registry.VersionTLS12, 0x002f), nil)
	if err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Errorf("err = %v, want EOF", err)
	}
}

var sha256New = sha256.New

func hexs(b []byte) string { return hex.EncodeToString(b) }
