package tlstest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// dialTLS connects to srv with cfg (ServerName and, unless set, verification
// against srv.PKI filled in).
func dialTLS(t *testing.T, srv *Server, cfg *tls.Config) (*tls.Conn, error) {
	t.Helper()
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = DefaultName
	}
	if cfg.RootCAs == nil && !cfg.InsecureSkipVerify {
		if srv.PKI == nil {
			t.Fatal("server has no PKI; set InsecureSkipVerify")
		}
		cfg.RootCAs = srv.PKI.RootPool()
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", srv.Addr, cfg)
	if err == nil {
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	}
	return c, err
}

// mustHandshake connects and returns the connection state.
func mustHandshake(t *testing.T, srv *Server, cfg *tls.Config) tls.ConnectionState {
	t.Helper()
	c, err := dialTLS(t, srv, cfg)
	if err != nil {
		t.Fatalf("handshake with %s: %v (server output: %s)", srv.Addr, err, srv.Output())
	}
	defer c.Close()
	return c.ConnectionState()
}

// httpGet sends a GET over TLS and returns the response.
func httpGet(t *testing.T, srv *Server) *http.Response {
	t.Helper()
	c, err := dialTLS(t, srv, &tls.Config{InsecureSkipVerify: true, ServerName: srv.Name})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: "+srv.Name+"\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

type versionSuite struct{ version, suite uint16 }

// assertNegotiates offers each version alone with each suite alone and
// checks that both are negotiated (and, if certs > 0, the chain length).
func assertNegotiates(t *testing.T, srv *Server, certs int, cases []versionSuite) {
	t.Helper()
	for _, tc := range cases {
		st := mustHandshake(t, srv, &tls.Config{MinVersion: tc.version, MaxVersion: tc.version, CipherSuites: []uint16{tc.suite}})
		if st.Version != tc.version || st.CipherSuite != tc.suite || (certs > 0 && len(st.PeerCertificates) != certs) {
			t.Errorf("got %s %s (%d certs), want %s %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite),
				len(st.PeerCertificates), tls.VersionName(tc.version), tls.CipherSuiteName(tc.suite))
		}
	}
}

// assertPortClosed checks that nothing accepts on addr any more.
func assertPortClosed(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Close", addr)
	}
}

func TestModernGoServer(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, err := ModernGoServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.Name != DefaultName || len(srv.Chains) != 2 || !bytes.Equal(srv.CertDER, srv.Chains[0][0]) || srv.PKI == nil {
		t.Fatalf("server metadata: name %q, %d chains", srv.Name, len(srv.Chains))
	}

	st := mustHandshake(t, srv, &tls.Config{})
	if st.Version != tls.VersionTLS13 || st.CurveID != tls.X25519MLKEM768 {
		t.Errorf("got %s with group %v, want TLS 1.3 with X25519MLKEM768", tls.VersionName(st.Version), st.CurveID)
	}
	st = mustHandshake(t, srv, &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP384}})
	if st.CurveID != tls.CurveP384 {
		t.Errorf("TLS 1.3 with P-384 only: got group %v", st.CurveID)
	}
	st = mustHandshake(t, srv, &tls.Config{MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}})
	if st.CipherSuite != tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 {
		t.Errorf("TLS 1.2: got %s / %v", tls.CipherSuiteName(st.CipherSuite), st.CurveID)
	}
	if _, ok := st.PeerCertificates[0].PublicKey.(*ecdsa.PublicKey); !ok || !bytes.Equal(st.PeerCertificates[0].Raw, srv.Chains[1][0]) {
		t.Error("ECDSA suite did not get the ECDSA chain")
	}
	st = mustHandshake(t, srv, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}})
	if _, ok := st.PeerCertificates[0].PublicKey.(*rsa.PublicKey); !ok || len(st.PeerCertificates) != 2 {
		t.Error("RSA suite did not get the RSA chain of 2 certificates")
	}
	for _, bad := range []*tls.Config{
		{MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11},
		{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}},
	} {
		if c, err := dialTLS(t, srv, bad); err == nil {
			c.Close()
			t.Errorf("modern server accepted %s / %v", tls.VersionName(bad.MaxVersion), bad.CipherSuites)
		}
	}
	resp := httpGet(t, srv)
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") != HSTSValue {
		t.Errorf("HTTP %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}

	// An idle client must not hold up Close.
	idle, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// The server may not have accepted the idle connection yet.
	before := srv.ConnCount()
	for deadline := time.Now().Add(5 * time.Second); before < 8 && time.Now().Before(deadline); before = srv.ConnCount() {
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v with an idle connection open", d)
	}
	if before != 8 {
		t.Errorf("ConnCount %d before Close, want 8", before)
	}
	assertPortClosed(t, srv.Addr)
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestLegacyGoServer(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, err := LegacyGoServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	assertNegotiates(t, srv, 0, []versionSuite{
		{tls.VersionTLS10, tls.TLS_RSA_WITH_RC4_128_SHA},
		{tls.VersionTLS10, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA},
		{tls.VersionTLS11, tls.TLS_RSA_WITH_AES_128_CBC_SHA},
		{tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
		{tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA},
	})
	if c, err := dialTLS(t, srv, &tls.Config{MinVersion: tls.VersionTLS13}); err == nil {
		c.Close()
		t.Error("legacy server accepted TLS 1.3")
	}
	if h := httpGet(t, srv).Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("legacy server sent HSTS %q", h)
	}
	// Server order: the client's preference (3DES first) is not followed.
	st := mustHandshake(t, srv, &tls.Config{MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}})
	if st.CipherSuite != tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA {
		t.Errorf("server followed the client's order: %s", tls.CipherSuiteName(st.CipherSuite))
	}
}

func TestNewGoServerOwnConfig(t *testing.T) {
	p := testPKI(t)
	l, err := p.IssueLeaf(LeafOptions{DNSNames: []string{"custom.test"}, KeyType: KeyEd25519})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewGoServerT(t, &tls.Config{Certificates: []tls.Certificate{l.TLSCertificate()}}, GoServerName("custom.test"), GoHeader("X-Test", "1"))
	if srv.PKI != nil || !bytes.Equal(srv.CertDER, l.DER) || len(srv.Chains) != 1 {
		t.Error("metadata of a server with its own certificate")
	}
	st := mustHandshake(t, srv, &tls.Config{ServerName: "custom.test", RootCAs: p.RootPool()})
	if !bytes.Equal(st.PeerCertificates[0].Raw, l.DER) {
		t.Error("own certificate not served")
	}
	if resp := httpGet(t, srv); resp.Header.Get("X-Test") != "1" || !strings.Contains(readBody(resp), "tlsaudit") {
		t.Error("custom header or body missing")
	}
	// A non-TLS client gets nothing and does not break the server.
	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.ReadAll(c)
	c.Close()
	mustHandshake(t, srv, &tls.Config{ServerName: "custom.test", RootCAs: p.RootPool()})
}

func readBody(r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}
