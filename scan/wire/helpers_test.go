package wire

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// testCert makes a self-signed certificate for "wire.test" with an RSA or
// ECDSA key.
func testCert(t testing.TB, keyType string) tls.Certificate {
	t.Helper()
	var priv any
	var pub any
	switch keyType {
	case "RSA":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		priv, pub = k, &k.PublicKey
	case "ECDSA":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		priv, pub = k, &k.PublicKey
	default:
		t.Fatalf("unknown key type %q", keyType)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "wire.test"},
		DNSNames:     []string{"wire.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}
}

var (
	certOnce sync.Once
	rsaCert  tls.Certificate
	ecCert   tls.Certificate
)

func certs(t testing.TB) (rsaC, ecC tls.Certificate) {
	certOnce.Do(func() {
		rsaCert = testCert(t, "RSA")
		ecCert = testCert(t, "ECDSA")
	})
	return rsaCert, ecCert
}

// startGoTLS runs a crypto/tls server on 127.0.0.1 with cfg; every
// connection does one handshake and is closed. It returns the address.
func startGoTLS(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				_ = tls.Server(c, cfg).Handshake()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

// dial connects to a loopback address with a 10 s deadline.
func dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// modernHello returns a ClientHello offering TLS 1.2 and 1.3 like a browser.
func modernHello() *ClientHello {
	return &ClientHello{
		Version:              registry.VersionTLS12,
		SessionID:            make([]byte, 32),
		CipherSuites:         []uint16{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8},
		ServerName:           "wire.test",
		SupportedGroups:      []uint16{GroupX25519, GroupSecp256r1, GroupSecp384r1},
		ECPointFormats:       []uint8{0},
		SignatureAlgorithms:  []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0807},
		SupportedVersions:    []uint16{registry.VersionTLS13, registry.VersionTLS12},
		PSKModes:             []uint8{1},
		SecureRenegotiation:  true,
		ExtendedMasterSecret: true,
		SessionTicket:        true,
		StatusRequest:        true,
		SCT:                  true,
		ALPN:                 []string{"h2", "http/1.1"},
	}
}
