//go:build linux

package tlstest

import (
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sClient runs `openssl s_client` against srv and returns its output.
func sClient(t *testing.T, srv *Server, args ...string) string {
	t.Helper()
	bin, err := findBinary("openssl", "openssl")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	full := append([]string{"s_client", "-connect", srv.Addr, "-servername", srv.Name}, args...)
	cmd := exec.CommandContext(ctx, bin, full...)
	cmd.Stdin = strings.NewReader("")
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// sClientField returns the value after "name:" in s_client output.
func sClientField(out, name string) string {
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, name); ok {
			if v, ok := strings.CutPrefix(strings.TrimSpace(v), ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return ""
}

// assertStopped checks that srv's port is closed and its process group gone.
func assertStopped(t *testing.T, srv *Server) {
	t.Helper()
	assertPortClosed(t, srv.Addr)
	if srv.pid == 0 {
		t.Fatal("server has no pid")
	}
	if err := syscall.Kill(srv.pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d still exists after Close (kill 0: %v)", srv.pid, err)
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 2 && fields[2] == strconv.Itoa(srv.pid) {
			t.Errorf("process %s of group %d left after Close: %s", filepath.Dir(f), srv.pid, s)
		}
	}
}

func TestOpenSSLDefault(t *testing.T) {
	srv, err := StartOpenSSL(OpenSSLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	st := mustHandshake(t, srv, &tls.Config{})
	if st.Version != tls.VersionTLS13 || len(st.PeerCertificates) != 2 {
		t.Errorf("got %s with %d certificates, want TLS 1.3 with leaf+intermediate", tls.VersionName(st.Version), len(st.PeerCertificates))
	}
	if c, err := dialTLS(t, srv, &tls.Config{MaxVersion: tls.VersionTLS11, MinVersion: tls.VersionTLS10}); err == nil {
		c.Close()
		t.Error("default s_server accepted TLS 1.1 (SECLEVEL should refuse it)")
	}
	if resp := httpGet(t, srv); resp.StatusCode != 200 {
		t.Errorf("-www answered %d", resp.StatusCode)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	assertStopped(t, srv)
	if !strings.Contains(srv.Output(), "ACCEPT") {
		t.Errorf("s_server output not captured: %q", srv.Output())
	}
}

func TestOpenSSLOptions(t *testing.T) {
	p, rsaLeaf, ec := rsaAndECDSALeaves(t)
	srv := StartOpenSSLT(t, OpenSSLOptions{
		Leaf: rsaLeaf, ExtraLeaf: ec,
		MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.3",
		Ciphers:      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
		Ciphersuites: "TLS_CHACHA20_POLY1305_SHA256",
		Groups:       "P-384:X25519",
		ServerPref:   true,
	})
	if len(srv.Chains) != 2 {
		t.Fatalf("%d chains recorded, want 2", len(srv.Chains))
	}
	srv.PKI = p // the leaves came from p
	st := mustHandshake(t, srv, &tls.Config{CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP384}})
	if st.CipherSuite != tls.TLS_CHACHA20_POLY1305_SHA256 {
		t.Errorf("TLS 1.3 suite %s, want CHACHA20 only", tls.CipherSuiteName(st.CipherSuite))
	}
	// Server preference: the client's order (AES128 first) loses.
	st = mustHandshake(t, srv, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}})
	if st.CipherSuite != tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 {
		t.Errorf("-serverpref: got %s", tls.CipherSuiteName(st.CipherSuite))
	}
	st = mustHandshake(t, srv, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	if _, ok := st.PeerCertificates[0].PublicKey.(*ecdsa.PublicKey); !ok {
		t.Error("ECDSA suite did not get the -dcert chain")
	}
	if c, err := dialTLS(t, srv, &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP256}}); err == nil {
		c.Close()
		t.Error("server accepted P-256 outside its -groups")
	}
}

func TestOpenSSLLegacyAndDH(t *testing.T) {
	srv := StartOpenSSLT(t, OpenSSLOptions{
		MinProtocol: "TLSv1.0", MaxProtocol: "TLSv1.2",
		Ciphers:     "DHE-RSA-AES128-SHA:AES128-SHA",
		DHParamBits: 1024,
	})
	st := mustHandshake(t, srv, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}})
	if st.Version != tls.VersionTLS10 || st.CipherSuite != tls.TLS_RSA_WITH_AES_128_CBC_SHA {
		t.Errorf("got %s %s, want TLS 1.0 AES128-SHA", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	}
	out := sClient(t, srv, "-tls1_2", "-cipher", "DHE-RSA-AES128-SHA:@SECLEVEL=0")
	if got := sClientField(out, "Server Temp Key"); got != "DH, 1024 bits" {
		t.Errorf("Server Temp Key %q, want DH 1024:\n%s", got, out)
	}
	if got := sClientField(out, "Cipher"); got != "DHE-RSA-AES128-SHA" {
		t.Errorf("cipher %q", got)
	}
}

func TestDHParamsFor(t *testing.T) {
	bin, err := findBinary("openssl", "openssl")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		group string
		bits  int
		want  int
	}{
		{"", 1024, 1024}, {"", 1536, 1536}, {"", 2048, 2048}, {"", 4096, 4096},
		{"dh_1024_160", 0, 1024}, {"modp_2048", 0, 2048}, {"", 0, 0},
	} {
		file, bits, err := DHParamsFor(bin, t.TempDir(), "", tc.group, tc.bits)
		if err != nil || bits != tc.want || (tc.want == 0) != (file == "") {
			t.Errorf("DHParamsFor(%q, %d) = %q, %d, %v; want %d bits", tc.group, tc.bits, file, bits, err, tc.want)
		}
	}
	if _, _, err := DHParamsFor(bin, t.TempDir(), "", "", 512); err == nil {
		t.Error("512 bits accepted")
	}
	if _, _, err := DHParamsFor(bin, t.TempDir(), "", "nosuchgroup", 0); err == nil {
		t.Error("unknown group accepted")
	}
}

func TestMissingBinary(t *testing.T) {
	_, err := findBinary("tlsaudit-no-such-server", "tlsaudit-pkg")
	if err == nil || !strings.Contains(err.Error(), "not installed: apt-get install tlsaudit-pkg") {
		t.Errorf("error %v does not explain the missing binary", err)
	}
}
