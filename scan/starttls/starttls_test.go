package starttls

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func withTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestUpgradeFakes upgrades a connection to every fake and completes a
// verified TLS handshake on it.
func TestUpgradeFakes(t *testing.T) {
	for _, proto := range tlstest.StartTLSProtocols {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			srv := tlstest.NewStartTLSServerT(t, proto, nil)
			c := dial(t, srv.Addr)
			if err := Upgrade(withTimeout(t, 5*time.Second), c, proto, srv.Name); err != nil {
				t.Fatalf("Upgrade: %v", err)
			}
			tc := tls.Client(c, &tls.Config{ServerName: srv.Name, RootCAs: srv.PKI.RootPool()})
			if err := tc.Handshake(); err != nil {
				t.Fatalf("TLS handshake after the upgrade: %v", err)
			}
			if DefaultPort(proto) == 0 {
				t.Errorf("no default port for %s", proto)
			}
		})
	}
}

func TestUpgradeRefused(t *testing.T) {
	for _, proto := range tlstest.StartTLSProtocols {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			srv := tlstest.NewStartTLSServerT(t, proto, nil, tlstest.StartTLSRefuse())
			err := Upgrade(withTimeout(t, 5*time.Second), dial(t, srv.Addr), proto, srv.Name)
			if !errors.Is(err, ErrNotOffered) && !errors.Is(err, ErrRefused) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if !strings.HasPrefix(err.Error(), proto+": ") {
				t.Errorf("error %q does not start with the protocol", err)
			}
		})
	}
}

// TestXMPPNamespace: the XMPP fakes check the stream namespace, so using
// the client exchange on a server-to-server port fails with the server's
// stream error.
func TestXMPPNamespace(t *testing.T) {
	srv := tlstest.NewStartTLSServerT(t, "xmpp-server", nil)
	err := Upgrade(withTimeout(t, 5*time.Second), dial(t, srv.Addr), "xmpp", srv.Name)
	if err == nil || !strings.Contains(err.Error(), "invalid-namespace") {
		t.Errorf("err = %v, want the server's invalid-namespace stream error", err)
	}
	err = Upgrade(withTimeout(t, 5*time.Second), dial(t, srv.Addr), "xmpp-server", "other.example")
	if err == nil || !strings.Contains(err.Error(), "host-unknown") {
		t.Errorf("err = %v, want host-unknown for the wrong domain", err)
	}
}

func TestUnknownProtocol(t *testing.T) {
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	if err := Upgrade(context.Background(), c1, "gopher", "x"); err == nil || !strings.Contains(err.Error(), "unknown protocol") {
		t.Errorf("err = %v", err)
	}
	if DefaultPort("gopher") != 0 || DefaultPort("SMTP") != 25 || DefaultPort("sieve") != 4190 {
		t.Error("DefaultPort")
	}
}

// hostile serves one scripted answer per connection.
func hostile(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			serve(c)
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// TestHostile: broken or stalling servers end in a clear error, in time.
func TestHostile(t *testing.T) {
	endless := func(chunk string) func(net.Conn) {
		return func(c net.Conn) {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			b := []byte(strings.Repeat(chunk, 1024))
			for {
				if _, err := c.Write(b); err != nil {
					return
				}
			}
		}
	}
	silent := func(c net.Conn) {
		buf := make([]byte, 1024)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}
	cases := []struct {
		name, proto string
		serve       func(net.Conn)
		want        string
	}{
		{"long line", "smtp", endless("x"), "line longer than"},
		{"endless reply", "smtp", endless("220-x\r\n"), "has more than 256 lines"},
		{"endless untagged", "imap", func(c net.Conn) { c.Write([]byte("* OK hi\r\n")); endless("* x\r\n")(c) }, "untagged lines"},
		{"endless xml", "xmpp", func(c net.Conn) {
			c.Write([]byte("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><stream:features>"))
			endless("<a>")(c)
		}, "more than 65536 bytes"},
		{"silent", "pop3", silent, "timeout"},
		{"garbage ldap", "ldap", func(c net.Conn) { c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")) }, "not an LDAPMessage"},
		{"huge mysql", "mysql", func(c net.Conn) { c.Write([]byte{0xff, 0xff, 0xff, 0}) }, "packet of 16777215 bytes"},
		{"mysql error", "mysql", func(c net.Conn) {
			c.Write([]byte{20, 0, 0, 0, 0xff, 0x69, 0x04, '#', 'H', 'Y', '0', '0', '0', 'n', 'o', 't', ' ', 'a', 'l', 'l', 'o', 'w', 'e', 'd'})
		}, `server error 1129: "not allowed"`},
		{"closed", "nntp", func(c net.Conn) {}, "closed the connection"},
		{"postgres garbage", "postgres", func(c net.Conn) { c.Write([]byte("X")) }, "unexpected answer 0x58"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := hostile(t, tc.serve)
			start := time.Now()
			err := Upgrade(withTimeout(t, 1*time.Second), dial(t, addr), tc.proto, "example.com")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), tc.proto+": ") {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// TestCancel: cancelling the context aborts a stalled exchange.
func TestCancel(t *testing.T) {
	addr := hostile(t, func(c net.Conn) { time.Sleep(2 * time.Second) })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	err := Upgrade(ctx, dial(t, addr), "smtp", "example.com")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
