package wire

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/ocsp"
)

// startOpenSSL runs `openssl s_server` on a free loopback port with the RSA
// test certificate, a stapled OCSP response and extra args; it returns the
// address and the OCSP response served.
func startOpenSSL(t *testing.T, args ...string) (string, []byte) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl binary needed for this test: %v", err)
	}
	rsaC, _ := certs(t)
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(rsaC.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rsaC.Certificate[0]})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	leaf, err := x509.ParseCertificate(rsaC.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	staple, err := ocsp.CreateResponse(leaf, leaf, ocsp.Response{
		Status: ocsp.Good, SerialNumber: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(time.Hour),
	}, rsaC.PrivateKey.(crypto.Signer))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"cert.pem": certPEM, "key.pem": keyPEM, "ocsp.der": staple} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmdArgs := append([]string{"s_server", "-accept", "127.0.0.1:" + port, "-cert", filepath.Join(dir, "cert.pem"),
		"-key", filepath.Join(dir, "key.pem"), "-status_file", filepath.Join(dir, "ocsp.der"), "-quiet"}, args...)
	cmd := exec.Command(bin, cmdArgs...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting openssl s_server: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if i == 100 {
			t.Fatalf("openssl s_server %v did not listen on %s: %s", cmdArgs, addr, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return addr, staple
}

func TestExchangeOpenSSLDHE(t *testing.T) {
	addr, staple := startOpenSSL(t, "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256")
	ch := modernHello()
	ch.SupportedVersions = nil
	ch.CipherSuites = []uint16{0x009e, 0x0033}
	f, err := Exchange(dial(t, addr), ch, nil, StopAfterServerHelloDone)
	if err != nil {
		t.Fatalf("Exchange: %v (messages %v)", err, f.Messages)
	}
	if f.Alert != nil || f.ServerHello.CipherSuite != 0x009e {
		t.Fatalf("alert %v suite %04x", f.Alert, f.ServerHello.CipherSuite)
	}
	if !bytes.Equal(f.CertificateStatus, staple) {
		t.Errorf("OCSP staple of %d bytes, want the %d served", len(f.CertificateStatus), len(staple))
	}
	ske, err := ParseServerKeyExchange(f.ServerKeyExchange, "DHE_RSA", registry.VersionTLS12)
	if err != nil {
		t.Fatal(err)
	}
	// OpenSSL 3 picks the ffdhe2048 prime for a 2048-bit RSA key.
	if len(ske.P) != 256 || !bytes.Equal(ske.G, []byte{2}) || len(ske.Ys) == 0 || len(ske.Ys) > 256 {
		t.Errorf("DH p %d bytes g %x Ys %d bytes", len(ske.P), ske.G, len(ske.Ys))
	}
	if ske.SigAlg == 0 || len(ske.Signature) != 256 {
		t.Errorf("sigalg %04x signature %d bytes", ske.SigAlg, len(ske.Signature))
	}
	if want := []string{"ServerHello", "Certificate", "CertificateStatus", "ServerKeyExchange", "ServerHelloDone"}; len(f.Messages) != 5 || f.Messages[2] != want[2] {
		t.Errorf("messages %v, want %v", f.Messages, want)
	}
	saveHandshake(t, "openssl-tls12-dhe", f.Transcript)
}

// exchange13 runs a TLS 1.3 handshake with addr through the server
// Finished with modernHello and a key share for group (offered alone when
// modernHello does not list it).
func exchange13(t *testing.T, addr string, group uint16) *Flight {
	t.Helper()
	ch := modernHello()
	if !slices.Contains(ch.SupportedGroups, group) {
		ch.SupportedGroups = []uint16{group}
	}
	share, priv, err := GenerateKeyShare(nil, group)
	if err != nil {
		t.Fatal(err)
	}
	ch.KeyShares = []KeyShare{share}
	f, err := Exchange(dial(t, addr), ch, []*KeySharePrivate{priv}, StopAfterFinished)
	if err != nil {
		t.Fatalf("Exchange: %v (messages %v)", err, f.Messages)
	}
	return f
}

func TestExchangeOpenSSLTLS13(t *testing.T) {
	for _, suite := range []uint16{TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256} {
		name := map[uint16]string{TLS_AES_256_GCM_SHA384: "TLS_AES_256_GCM_SHA384", TLS_CHACHA20_POLY1305_SHA256: "TLS_CHACHA20_POLY1305_SHA256"}[suite]
		t.Run(name, func(t *testing.T) {
			addr, staple := startOpenSSL(t, "-tls1_3", "-ciphersuites", name)
			f := exchange13(t, addr, GroupX25519)
			rsaC, _ := certs(t)
			if f.ServerHello.CipherSuite != suite || !f.Finished || !bytes.Equal(f.Certificate.Certificates[0], rsaC.Certificate[0]) {
				t.Fatalf("suite %04x finished %v messages %v", f.ServerHello.CipherSuite, f.Finished, f.Messages)
			}
			if !bytes.Equal(f.CertificateStatus, staple) {
				t.Errorf("TLS 1.3 OCSP staple of %d bytes, want %d", len(f.CertificateStatus), len(staple))
			}
			if f.CertificateVerify.SigAlg != 0x0804 {
				t.Errorf("CertificateVerify sigalg %04x", f.CertificateVerify.SigAlg)
			}
			saveHandshake(t, "openssl-tls13-"+name, f.Transcript)
		})
	}
}

// An OpenSSL server whose only group is x448: the x448 key share completes
// the handshake (Finished verified), at TLS 1.3 and as TLS 1.2 ECDHE.
func TestExchangeOpenSSLX448(t *testing.T) {
	rsaC, _ := certs(t)
	t.Run("TLS13", func(t *testing.T) {
		addr, _ := startOpenSSL(t, "-tls1_3", "-groups", "X448")
		f := exchange13(t, addr, GroupX448)
		if f.Alert != nil || f.HelloRetryRequest != nil || f.ServerHello.KeyShare == nil || f.ServerHello.KeyShare.Group != GroupX448 || len(f.ServerHello.KeyShare.Data) != 56 {
			t.Fatalf("alert %v HRR %v server share %+v", f.Alert, f.HelloRetryRequest, f.ServerHello.KeyShare)
		}
		if !f.Finished || f.Certificate == nil || !bytes.Equal(f.Certificate.Certificates[0], rsaC.Certificate[0]) {
			t.Fatalf("finished %v messages %v", f.Finished, f.Messages)
		}
		if f.CertificateVerify == nil || f.CertificateVerify.SigAlg != 0x0804 {
			t.Errorf("CertificateVerify %+v", f.CertificateVerify)
		}
	})
	t.Run("TLS12", func(t *testing.T) {
		addr, _ := startOpenSSL(t, "-tls1_2", "-groups", "X448", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")
		ch := &ClientHello{Version: registry.VersionTLS12, CipherSuites: []uint16{0xc02f}, SupportedGroups: []uint16{GroupX448},
			ECPointFormats: []uint8{0}, SignatureAlgorithms: []uint16{0x0804, 0x0401}, SecureRenegotiation: true}
		// Handshake checks the server Finished, so the x448 premaster
		// secret is the server's.
		c := NewClient12(dial(t, addr), nil)
		if err := c.Handshake(ch, nil); err != nil {
			t.Fatalf("TLS 1.2 ECDHE handshake over x448: %v", err)
		}
		if ske := c.ServerKeyExchange; ske == nil || ske.NamedCurve != GroupX448 || len(ske.Point) != 56 {
			t.Fatalf("ServerKeyExchange %+v, want an x448 point", ske)
		}
		if c.Handshakes != 1 || c.Suite == nil || c.Suite.ID != 0xc02f {
			t.Errorf("handshakes %d suite %+v", c.Handshakes, c.Suite)
		}
	})
}

// saveHandshake writes the plaintext transcript of a real handshake to
// testdata/handshakes (seeds for the fuzz targets) when WIRE_SAVE_HANDSHAKES=1.
func saveHandshake(t *testing.T, name string, transcript [][]byte) {
	if os.Getenv("WIRE_SAVE_HANDSHAKES") != "1" {
		return
	}
	dir := filepath.Join("testdata", "handshakes")
	os.MkdirAll(dir, 0o755)
	for i, m := range transcript {
		p := filepath.Join(dir, name+"-"+strconv.Itoa(i)+"-"+HandshakeName(m[0])+".bin")
		if err := os.WriteFile(p, m, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
