//go:build linux

package clientsim_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/clientsim"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// The tests below run each real client against loopback servers, learn
// from the server side what it negotiated (nginx's access log of
// $ssl_protocol/$ssl_cipher/$ssl_curve; crypto/tls's VerifyConnection), and
// compare with the simulation of the same client's captured hello.

// negotiated is what a handshake settled on; ok false when it failed.
type negotiated struct {
	ok                     bool
	protocol, suite, group string
}

func (n negotiated) String() string {
	if !n.ok {
		return "failed"
	}
	return fmt.Sprintf("%s %s %s", n.protocol, n.suite, n.group)
}

// server is a test server that reports the last handshake it completed.
type server struct {
	addr, name string
	port       int
	last       func() (negotiated, int) // the last handshake and the count so far
}

// need finds a client binary or fails the test with the package to install.
func need(t *testing.T, bin, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(bin)
	if err != nil {
		t.Fatalf("%s not installed: apt-get install %s", bin, pkg)
	}
	return p
}

// runner runs one real client against srv with a 30 s bound.
type runner func(t *testing.T, srv server, dir string) *exec.Cmd

func request(name string) string {
	return "GET / HTTP/1.0\r\nHost: " + name + "\r\n\r\n"
}

func stdin(cmd *exec.Cmd, s string) *exec.Cmd { cmd.Stdin = strings.NewReader(s); return cmd }

var runners = map[string]runner{
	"chromium": func(t *testing.T, s server, dir string) *exec.Cmd {
		return exec.Command(need(t, "chromium", "chromium"), "--headless", "--no-sandbox", "--disable-gpu",
			"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir="+filepath.Join(dir, "chromium"), "--ignore-certificate-errors", "--dump-dom",
			"--host-resolver-rules=MAP "+s.name+" 127.0.0.1, MAP * ~NOTFOUND",
			fmt.Sprintf("https://%s:%d/", s.name, s.port))
	},
	"curl": func(t *testing.T, s server, dir string) *exec.Cmd {
		return exec.Command(need(t, "curl", "curl"), "-sk", "--max-time", "10",
			"--resolve", fmt.Sprintf("%s:%d:127.0.0.1", s.name, s.port), fmt.Sprintf("https://%s:%d/", s.name, s.port))
	},
	"wget": func(t *testing.T, s server, dir string) *exec.Cmd {
		// wget has no --resolve: it connects to the address (no SNI).
		return exec.Command(need(t, "wget", "wget"), "-q", "-O", "/dev/null", "--tries=1", "--timeout=10",
			"--no-check-certificate", "https://"+s.addr+"/")
	},
	"openssl": func(t *testing.T, s server, dir string) *exec.Cmd {
		return stdin(exec.Command(need(t, "openssl", "openssl"), "s_client", "-connect", s.addr, "-servername", s.name), request(s.name))
	},
	"openssl-tls1": func(t *testing.T, s server, dir string) *exec.Cmd {
		return stdin(exec.Command(need(t, "openssl", "openssl"), "s_client", "-tls1", "-cipher", "DEFAULT@SECLEVEL=0",
			"-connect", s.addr, "-servername", s.name), request(s.name))
	},
	"gnutls-cli": func(t *testing.T, s server, dir string) *exec.Cmd {
		return stdin(exec.Command(need(t, "gnutls-cli", "gnutls-bin"), "--insecure", "--sni-hostname", s.name,
			"-p", strconv.Itoa(s.port), "127.0.0.1"), request(s.name))
	},
	"java17": func(t *testing.T, s server, dir string) *exec.Cmd {
		return javaCmd(t, "/usr/lib/jvm/java-17-openjdk-amd64", s, dir, false)
	},
	"java17-legacy": func(t *testing.T, s server, dir string) *exec.Cmd {
		return javaCmd(t, "/usr/lib/jvm/java-17-openjdk-amd64", s, dir, true)
	},
	"java25": func(t *testing.T, s server, dir string) *exec.Cmd {
		return javaCmd(t, "/usr/lib/jvm/temurin-25-jdk-amd64", s, dir, false)
	},
	"python": func(t *testing.T, s server, dir string) *exec.Cmd {
		const script = `import socket, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(["http/1.1"])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10), server_hostname=sys.argv[2])
s.sendall(("GET / HTTP/1.0\r\nHost: %s\r\n\r\n" % sys.argv[2]).encode()); s.recv(4096)`
		return exec.Command(need(t, "/usr/bin/python3", "python3"), "-c", script, strconv.Itoa(s.port), s.name)
	},
	"node": func(t *testing.T, s server, dir string) *exec.Cmd {
		const script = `require("https").get({host: "127.0.0.1", port: +process.argv[1], servername: process.argv[2],
  headers: {Host: process.argv[2]}, rejectUnauthorized: false, path: "/"}, r => r.resume()).on("error", e => { console.error(e.message); process.exit(1) })`
		return exec.Command(need(t, "node", "nodejs"), "-e", script, strconv.Itoa(s.port), s.name)
	},
}

// javaCmd compiles capture/Fetch.java once per test and runs it with jdk.
func javaCmd(t *testing.T, jdk string, s server, dir string, legacy bool) *exec.Cmd {
	java := filepath.Join(jdk, "bin", "java")
	if _, err := os.Stat(java); err != nil {
		t.Fatalf("%s not installed (Java 17: apt-get install openjdk-17-jdk-headless; Java 25: the Temurin 25 JDK of the machine image) (%v)", java, err)
	}
	classes := filepath.Join(dir, "java")
	if _, err := os.Stat(filepath.Join(classes, "Fetch.class")); err != nil {
		out, err := exec.Command(need(t, "javac", "openjdk-17-jdk-headless"), "--release", "17", "-d", classes, "capture/Fetch.java").CombinedOutput()
		if err != nil {
			t.Fatalf("javac: %v\n%s", err, out)
		}
	}
	hosts := filepath.Join(dir, "hosts")
	os.WriteFile(hosts, []byte("127.0.0.1 "+s.name+"\n"), 0o644)
	args := []string{"-Djdk.net.hosts.file=" + hosts}
	if legacy {
		sec := filepath.Join(dir, "legacy.security")
		os.WriteFile(sec, []byte("jdk.tls.disabledAlgorithms=\njdk.certpath.disabledAlgorithms=\n"), 0o644)
		args = append(args, "-Djava.security.properties="+sec)
	}
	args = append(args, "-cp", classes, "Fetch", fmt.Sprintf("https://%s:%d/", s.name, s.port))
	return exec.Command(java, args...)
}

// runnerFor maps a built-in profile to its real client.
func runnerFor(p clientsim.Profile) string {
	switch {
	case p.Meta.Name == "openssl" && strings.Contains(p.ID, "tls1"):
		return "openssl-tls1"
	case p.Meta.Name == "java" && strings.HasPrefix(p.Meta.Version, "17") && strings.Contains(p.ID, "legacy"):
		return "java17-legacy"
	case p.Meta.Name == "java" && strings.HasPrefix(p.Meta.Version, "17"):
		return "java17"
	case p.Meta.Name == "java" && strings.HasPrefix(p.Meta.Version, "25"):
		return "java25"
	}
	return p.Meta.Name // chromium, curl, wget, openssl, gnutls-cli, python, node, go
}

// realGo is Go's crypto/tls client with its defaults (the "go" profile was
// captured with this toolchain's crypto/tls).
func realGo(s server) {
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", s.addr,
		&tls.Config{ServerName: s.name, InsecureSkipVerify: true})
	if err != nil {
		return
	}
	c.Write([]byte(request(s.name)))
	c.Read(make([]byte, 512))
	c.Close()
}

// opensslGroups maps OpenSSL curve names ($ssl_curve) to IANA names.
var opensslGroups = map[string]string{"X25519": "x25519", "prime256v1": "secp256r1", "secp384r1": "secp384r1",
	"secp521r1": "secp521r1", "X448": "x448"}

func ianaSuite(name string) string {
	if strings.HasPrefix(name, "TLS_") {
		return name
	}
	for _, s := range registry.Suites() {
		if s.OpenSSLName == name {
			return s.Name
		}
	}
	return name
}

// startNginx runs nginx with opts, logging every request's TLS parameters.
func startNginx(t *testing.T, opts tlstest.NginxOptions) server {
	logFile := filepath.Join(t.TempDir(), "access.log")
	opts.HTTPExtra += "\n  log_format sim '$ssl_protocol $ssl_cipher $ssl_curve';"
	opts.Extra += "\n    access_log " + logFile + " sim;"
	srv := tlstest.StartNginxT(t, opts)
	return server{addr: srv.Addr, name: srv.Name, port: srv.Port, last: func() (negotiated, int) {
		f, err := os.Open(logFile)
		if err != nil {
			return negotiated{}, 0
		}
		defer f.Close()
		var lines []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		if len(lines) == 0 {
			return negotiated{}, 0
		}
		fl := strings.Fields(lines[len(lines)-1])
		n := negotiated{ok: len(fl) >= 2}
		if n.ok {
			n.protocol, n.suite = strings.Replace(fl[0], "TLSv1", "TLSv1.0", 1), ianaSuite(fl[1])
			if fl[0] != "TLSv1" {
				n.protocol = fl[0]
			}
		}
		if len(fl) >= 3 {
			n.group = opensslGroups[fl[2]]
		}
		return n, len(lines)
	}}
}

// startGo13 runs a TLS 1.3-only crypto/tls server that records the
// parameters of every completed handshake.
func startGo13(t *testing.T) server {
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{DNSNames: []string{tlstest.DefaultName}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []negotiated
	cfg := &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{leaf.TLSCertificate()},
		VerifyConnection: func(cs tls.ConnectionState) error {
			mu.Lock()
			defer mu.Unlock()
			g := registry.GroupName(uint16(cs.CurveID))
			seen = append(seen, negotiated{ok: true, protocol: "TLSv1.3", suite: tls.CipherSuiteName(cs.CipherSuite), group: g})
			return nil
		}}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
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
				c.SetDeadline(time.Now().Add(15 * time.Second))
				if c.(*tls.Conn).Handshake() != nil {
					return
				}
				c.Read(make([]byte, 4096))
				c.Write([]byte("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
			}()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	return server{addr: ln.Addr().String(), name: tlstest.DefaultName, port: port, last: func() (negotiated, int) {
		mu.Lock()
		defer mu.Unlock()
		if len(seen) == 0 {
			return negotiated{}, 0
		}
		return seen[len(seen)-1], len(seen)
	}}
}

// simulate replays p against srv.
func simulate(t *testing.T, srv server, p clientsim.Profile) obs.ClientSimulation {
	c, err := net.DialTimeout("tcp", srv.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return clientsim.Simulate(c, p, srv.name)
}

func compareAll(t *testing.T, srv server) {
	profiles, err := clientsim.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, p := range profiles {
		t.Run(p.ID, func(t *testing.T) {
			sim := simulate(t, srv, p)
			_, before := srv.last()
			name := runnerFor(p)
			if name == "go" {
				realGo(srv)
			} else {
				run, ok := runners[name]
				if !ok {
					t.Fatalf("no real-client runner for profile %s (client %q)", p.ID, name)
				}
				cmd := run(t, srv, dir)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				cmd = exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
				cmd.Stdin = strings.NewReader(request(srv.name))
				start := time.Now()
				out, _ := cmd.CombinedOutput()
				if ctx.Err() != nil {
					t.Fatalf("%s did not finish in 30s:\n%s", name, out)
				}
				t.Logf("%s ran in %s", name, time.Since(start).Round(time.Millisecond))
			}
			// The server may log just after the client exits.
			var real negotiated
			for i := 0; i < 20; i++ {
				n, count := srv.last()
				if count > before {
					real = n
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			got := negotiated{ok: sim.OK, protocol: sim.Protocol, suite: sim.Suite, group: sim.Group}
			switch {
			case real.ok != got.ok:
				t.Errorf("real client: %v; simulation: %v (error %q)", real, got, sim.Error)
			case !real.ok:
			case real.protocol != got.protocol || real.suite != got.suite:
				t.Errorf("real client: %v; simulation: %v", real, got)
			case real.group != "" && real.group != got.group:
				t.Errorf("group: real client %s, simulation %s", real.group, got.group)
			default:
				t.Logf("both: %v", real)
			}
		})
	}
}

func TestRealClientsModernNginx(t *testing.T) {
	compareAll(t, startNginx(t, tlstest.NginxOptions{
		Protocols: "TLSv1.2 TLSv1.3",
		Ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" +
			"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
		ECDHCurve: "X25519:prime256v1:secp384r1",
	}))
}

func TestRealClientsLegacyNginx(t *testing.T) {
	compareAll(t, startNginx(t, tlstest.NginxOptions{
		Protocols:           "TLSv1 TLSv1.1 TLSv1.2",
		Ciphers:             "AES128-SHA:AES256-SHA:DES-CBC3-SHA:ECDHE-RSA-AES128-SHA:AES128-GCM-SHA256",
		PreferServerCiphers: true,
		SecLevel0:           true,
	}))
}

func TestRealClientsTLS13OnlyGo(t *testing.T) {
	compareAll(t, startGo13(t))
}

// A server that wants a group the client sent no share for answers with a
// HelloRetryRequest; the simulation follows it like the client.
func TestSimulateHelloRetryRequest(t *testing.T) {
	srv := tlstest.NewGoServerT(t, &tls.Config{MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.CurveP384}})
	profiles, err := clientsim.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range profiles {
		if p.Meta.Name != "curl" {
			continue
		}
		got := simulate(t, server{addr: srv.Addr, name: srv.Name}, p)
		if !got.OK || !got.HelloRetry || got.Group != "secp384r1" || got.Protocol != "TLSv1.3" || got.LeafSHA256 == "" {
			t.Errorf("%s: %+v, want TLS 1.3 over secp384r1 after a HelloRetryRequest", p.ID, got)
		}
		return
	}
	t.Fatal("no curl profile")
}
