//go:build linux

package tlstest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

// netnsInterfaces lists the network interfaces visible to process pid.
func netnsInterfaces(t *testing.T, pid int) []string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		if name, _, ok := strings.Cut(line, ":"); ok && !strings.Contains(name, "|") {
			names = append(names, strings.TrimSpace(name))
		}
	}
	return names
}

func TestGnuTLSLegacy(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, err := StartGnuTLS(GnuTLSOptions{Priority: "NORMAL:-VERS-TLS1.3:+VERS-TLS1.0:+3DES-CBC:+ARCFOUR-128:+RSA"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if ifs := netnsInterfaces(t, srv.pid); len(ifs) != 1 || ifs[0] != "lo" {
		t.Errorf("gnutls-serv sees interfaces %v, want only lo", ifs)
	}
	assertNegotiates(t, srv, 2, []versionSuite{
		{tls.VersionTLS10, tls.TLS_RSA_WITH_RC4_128_SHA},
		{tls.VersionTLS10, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA},
		{tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
	})
	if c, err := dialTLS(t, srv, &tls.Config{MinVersion: tls.VersionTLS13}); err == nil {
		c.Close()
		t.Error("TLS 1.3 accepted although disabled")
	}
	if resp := httpGet(t, srv); resp.StatusCode != 200 {
		t.Errorf("--http answered %d", resp.StatusCode)
	}
	if n := srv.ConnCount(); n != 5 {
		t.Errorf("ConnCount %d, want 5", n)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	assertStopped(t, srv)
}

func TestGnuTLSTwoCertsAndEcho(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p, rsaLeaf, ecLeaf := rsaAndECDSALeaves(t)
	srv, err := StartGnuTLS(GnuTLSOptions{Leaves: []*Leaf{rsaLeaf, ecLeaf}, Echo: true, DHParamBits: 2048})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.PKI = p
	st := mustHandshake(t, srv, &tls.Config{})
	if st.Version != tls.VersionTLS13 {
		t.Errorf("NORMAL: got %s, want TLS 1.3", tls.VersionName(st.Version))
	}
	st = mustHandshake(t, srv, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	if _, ok := st.PeerCertificates[0].PublicKey.(*ecdsa.PublicKey); !ok {
		t.Error("ECDSA suite did not get the ECDSA certificate")
	}
	out := sClient(t, srv, "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256")
	if got := sClientField(out, "Server Temp Key"); got != "DH, 2048 bits" {
		t.Errorf("Server Temp Key %q, want DH 2048:\n%s", got, out)
	}

	c, err := dialTLS(t, srv, &tls.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "ping\n" {
		t.Errorf("echo: %q, %v", line, err)
	}
	// Close with a client connection still open.
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	assertStopped(t, srv)
}

// Servers started at the same time each get a namespace of their own and
// are reachable at once. A netnsDialer may lock the main thread and move it
// into a server's namespace; the start-up once compared against that
// thread's namespace (/proc/self/ns/net), mistook the not yet unshared
// child for a started one and joined our own namespace, so the server was
// never reached (connection refused for 20 s).
func TestGnuTLSConcurrentStarts(t *testing.T) {
	const workers, rounds = 6, 3
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				srv, err := StartGnuTLS(GnuTLSOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				var st syscall.Stat_t
				if err := syscall.Stat(fmt.Sprintf("/proc/%d/ns/net", srv.pid), &st); err != nil {
					t.Error(err)
				}
				c, err := tls.Dial("tcp", srv.Addr, &tls.Config{InsecureSkipVerify: true, ServerName: DefaultName})
				if err != nil {
					t.Errorf("handshake with gnutls-serv: %v", err)
				} else {
					c.Close()
				}
				srv.Close()
				if st.Ino == hostNetns {
					t.Errorf("gnutls-serv %d runs in the test's own network namespace", srv.pid)
				}
			}
		}()
	}
	wg.Wait()
}
