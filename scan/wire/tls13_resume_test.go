package wire_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// hello13 is a TLS 1.3 ClientHello with x25519 and P-256 shares.
func hello13(t *testing.T) (*wire.ClientHello, []*wire.KeySharePrivate) {
	t.Helper()
	var shares []wire.KeyShare
	var privs []*wire.KeySharePrivate
	for _, g := range []uint16{wire.GroupX25519, wire.GroupSecp256r1} {
		ks, priv, err := wire.GenerateKeyShare(nil, g)
		if err != nil {
			t.Fatal(err)
		}
		shares, privs = append(shares, ks), append(privs, priv)
	}
	return &wire.ClientHello{Version: registry.VersionTLS12, SessionID: make([]byte, 32), ServerName: tlstest.DefaultName,
		CipherSuites:        []uint16{wire.TLS_AES_128_GCM_SHA256, wire.TLS_AES_256_GCM_SHA384, wire.TLS_CHACHA20_POLY1305_SHA256},
		SupportedGroups:     []uint16{wire.GroupX25519, wire.GroupSecp256r1},
		SignatureAlgorithms: []uint16{0x0804, 0x0403, 0x0805, 0x0401}, SupportedVersions: []uint16{registry.VersionTLS13},
		KeyShares: shares, PSKModes: []uint8{1}, ALPN: []string{"http/1.1"}}, privs
}

// firstTicket completes a TLS 1.3 handshake with addr and returns a
// resumption from its first ticket.
func firstTicket(t *testing.T, addr string) *wire.TLS13Resumption {
	t.Helper()
	conn := dial12(t, addr)
	defer conn.Close()
	ch, privs := hello13(t)
	f, err := wire.Exchange(conn, ch, privs, wire.StopAfterFinished)
	if err != nil || !f.Finished {
		t.Fatalf("handshake: %v %+v", err, f)
	}
	sess, err := wire.FinishTLS13(conn, f, privs)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := sess.ReadTicket()
	if err != nil {
		t.Fatalf("ticket: %v", err)
	}
	r, err := sess.Resumption(tk, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTLS13ResumeGo: crypto/tls resumes with the PSK (binder, keys and
// Finished right: it then sends a ticket under the new application keys),
// and refuses early data it never allowed.
func TestTLS13ResumeGo(t *testing.T) {
	srv := tlstest.ModernGoServerT(t)
	r := firstTicket(t, srv.Addr)
	if r.Ticket.EarlyData {
		t.Fatalf("Go ticket allows early data: %+v", r.Ticket)
	}
	conn := dial12(t, srv.Addr)
	ch, privs := hello13(t)
	o, err := wire.ResumeWithEarlyData(conn, ch, r, privs, nil)
	if err != nil || !o.PSKAccepted || o.EarlyDataAccepted || o.Session == nil {
		t.Fatalf("resume: %v %+v", err, o)
	}
	if _, err := o.Session.ReadTicket(); err != nil {
		t.Errorf("ticket after resumption: %v", err)
	}

	conn = dial12(t, srv.Addr)
	ch, privs = hello13(t)
	_, err = wire.ResumeWithEarlyData(conn, ch, r, privs, []byte("GET / HTTP/1.1\r\n\r\n"))
	var a *wire.AlertError
	if !errors.As(err, &a) {
		t.Errorf("early data to crypto/tls: %v, want an alert", err)
	}
}

// TestTLS13EarlyDataNginx: nginx with ssl_early_data takes an HTTP request
// as 0-RTT data and answers it after the handshake.
func TestTLS13EarlyDataNginx(t *testing.T) {
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1.3", Extra: "ssl_early_data on;"})
	r := firstTicket(t, srv.Addr)
	if !r.Ticket.EarlyData || r.Ticket.MaxEarlyDataSize == 0 {
		t.Fatalf("nginx ticket: %+v", r.Ticket)
	}
	conn := dial12(t, srv.Addr)
	ch, privs := hello13(t)
	req := []byte("GET / HTTP/1.1\r\nHost: " + tlstest.DefaultName + "\r\nConnection: close\r\n\r\n")
	o, err := wire.ResumeWithEarlyData(conn, ch, r, privs, req)
	if err != nil || !o.PSKAccepted || !o.EarlyDataAccepted {
		t.Fatalf("0-RTT: %v %+v", err, o)
	}
	data, err := o.Session.ReadApplication()
	if err != nil || !bytes.HasPrefix(data, []byte("HTTP/1.1 ")) {
		t.Errorf("answer %q %v", data, err)
	}
	// A ticket from another server's session does not resume.
	other := firstTicket(t, tlstest.ModernGoServerT(t).Addr)
	conn = dial12(t, srv.Addr)
	ch, privs = hello13(t)
	o, err = wire.ResumeWithEarlyData(conn, ch, other, privs, nil)
	if err != nil || o.PSKAccepted || o.Session != nil {
		t.Errorf("foreign ticket: %v %+v", err, o)
	}
}
