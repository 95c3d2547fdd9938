//go:build linux

package tlstest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestNginxModern(t *testing.T) {
	p, rsaLeaf, ecLeaf := rsaAndECDSALeaves(t)
	srv, err := StartNginx(NginxOptions{
		Leaves:            []*Leaf{rsaLeaf, ecLeaf},
		Protocols:         "TLSv1.2 TLSv1.3",
		Ciphers:           "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
		ECDHCurve:         "X25519:secp384r1",
		TLS13Ciphersuites: "TLS_AES_256_GCM_SHA384",
		HSTS:              HSTSValue,
		Gzip:              true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.PKI = p
	if len(srv.Chains) != 2 {
		t.Fatalf("%d chains recorded", len(srv.Chains))
	}
	st := mustHandshake(t, srv, &tls.Config{})
	if st.Version != tls.VersionTLS13 || st.CipherSuite != tls.TLS_AES_256_GCM_SHA384 || st.CurveID != tls.X25519 {
		t.Errorf("got %s %s %v, want TLS 1.3, AES-256-GCM, X25519", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.CurveID)
	}
	st = mustHandshake(t, srv, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	if _, ok := st.PeerCertificates[0].PublicKey.(*ecdsa.PublicKey); !ok || len(st.PeerCertificates) != 2 {
		t.Error("ECDSA suite did not get the ECDSA chain of two certificates")
	}
	st = mustHandshake(t, srv, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}})
	if _, ok := st.PeerCertificates[0].PublicKey.(*rsa.PublicKey); !ok {
		t.Error("RSA suite did not get the RSA chain")
	}
	if c, err := dialTLS(t, srv, &tls.Config{MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11}); err == nil {
		c.Close()
		t.Error("TLS 1.1 accepted")
	}

	// HTTP: HSTS header and gzip.
	c, err := dialTLS(t, srv, &tls.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: "+srv.Name+"\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") != HSTSValue || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("HTTP %d, HSTS %q, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"), resp.Header.Get("Content-Encoding"))
	}
	if !strings.HasPrefix(resp.Header.Get("Server"), "nginx/") {
		t.Errorf("Server header %q", resp.Header.Get("Server"))
	}

	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	assertStopped(t, srv)
}

func TestNginxLegacy(t *testing.T) {
	srv := StartNginxT(t, NginxOptions{
		Protocols:           "TLSv1 TLSv1.1 TLSv1.2",
		Ciphers:             "AES256-SHA:DHE-RSA-AES128-SHA:ECDHE-RSA-AES128-SHA",
		PreferServerCiphers: true,
		DHParamBits:         1024,
		Extra:               "    add_header X-Extra yes;",
	})
	st := mustHandshake(t, srv, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA}})
	if st.Version != tls.VersionTLS10 || st.CipherSuite != tls.TLS_RSA_WITH_AES_256_CBC_SHA {
		t.Errorf("got %s %s, want TLS 1.0 AES256-SHA by server preference", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	}
	if c, err := dialTLS(t, srv, &tls.Config{MinVersion: tls.VersionTLS13}); err == nil {
		c.Close()
		t.Error("TLS 1.3 accepted")
	}
	out := sClient(t, srv, "-tls1_1", "-cipher", "DHE-RSA-AES128-SHA:@SECLEVEL=0")
	if got := sClientField(out, "Server Temp Key"); got != "DH, 1024 bits" {
		t.Errorf("Server Temp Key %q, want DH 1024:\n%s", got, out)
	}
	if got := sClientField(out, "Protocol"); got != "TLSv1.1" {
		t.Errorf("protocol %q", got)
	}
	if resp := httpGet(t, srv); resp.Header.Get("X-Extra") != "yes" || resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("Extra header %q, HSTS %q", resp.Header.Get("X-Extra"), resp.Header.Get("Strict-Transport-Security"))
	}
}
