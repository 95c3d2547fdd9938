// Package demo runs the two loopback servers of `tlsaudit demo`: a modern
// and a legacy crypto/tls configuration, with certificates from a throwaway
// two-level test PKI. It is deliberately small: the hostile, vulnerable and
// external servers the tests use live in scan/tlstest, which the shipped
// binary does not link.
package demo

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The names the demo servers' certificates are issued for.
const (
	ModernName = "modern.demo.tlsaudit.test"
	LegacyName = "legacy.demo.tlsaudit.test"
)

// hsts is the Strict-Transport-Security header of the modern server.
const hsts = "max-age=63072000; includeSubDomains; preload"

// epoch anchors the CA validity so the certificates are the same from run
// to run apart from keys, signatures and the leaves' validity.
var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Server is one running demo server.
type Server struct {
	Name string // the DNS name of its certificates (send it as SNI)
	Host string // "127.0.0.1"
	Port int
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	open map[net.Conn]struct{}
	done bool
}

// Servers are the two demo servers and the root their chains lead to.
type Servers struct {
	Modern, Legacy *Server
	RootDER        []byte // trust it: the grade then shows the configuration
}

// Start issues the certificates and starts both servers. Close stops them.
func Start() (*Servers, error) {
	pki, err := newPKI()
	if err != nil {
		return nil, err
	}
	rsaLeafKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ecLeafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	modernRSA, err := pki.issue(ModernName, rsaLeafKey)
	if err != nil {
		return nil, err
	}
	modernEC, err := pki.issue(ModernName, ecLeafKey)
	if err != nil {
		return nil, err
	}
	legacyRSA, err := pki.issue(LegacyName, rsaLeafKey)
	if err != nil {
		return nil, err
	}
	// Modern: in the spirit of Mozilla's modern/intermediate profiles: TLS
	// 1.2 and 1.3, ECDHE with AEAD suites only, hybrid and classic groups,
	// RSA and ECDSA chains, HSTS.
	modern := &tls.Config{
		MinVersion: tls.VersionTLS12,
		MaxVersion: tls.VersionTLS13,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384},
		Certificates:     []tls.Certificate{modernRSA, modernEC},
	}
	// Legacy: TLS 1.0 to 1.2, plain-RSA key exchange, CBC, 3DES and RC4,
	// no HSTS. crypto/tls picks the suite by its own fixed preference, so a
	// scanner sees a server-enforced order.
	legacy := &tls.Config{
		MinVersion: tls.VersionTLS10,
		MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
			tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
			tls.TLS_RSA_WITH_AES_128_CBC_SHA,
			tls.TLS_RSA_WITH_AES_256_CBC_SHA,
			tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
			tls.TLS_RSA_WITH_RC4_128_SHA,
			tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA,
		},
		Certificates: []tls.Certificate{legacyRSA},
	}
	s := &Servers{RootDER: pki.rootDER}
	if s.Modern, err = serve(ModernName, modern, response(hsts)); err != nil {
		return nil, err
	}
	if s.Legacy, err = serve(LegacyName, legacy, response("")); err != nil {
		s.Modern.Close()
		return nil, err
	}
	return s, nil
}

// Close stops both servers and waits for their connections to end.
func (s *Servers) Close() {
	s.Modern.Close()
	s.Legacy.Close()
}

// pki is a root CA and an intermediate it signed, both RSA-2048.
type pki struct {
	rootDER, intDER []byte
	inter           *x509.Certificate
	interKey        crypto.Signer
	serial          int64
}

func newPKI() (*pki, error) {
	rootKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	intKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	rootTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tlsaudit test root", Organization: []string{"tlsaudit"}},
		NotBefore:             epoch,
		NotAfter:              epoch.AddDate(30, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          keyID(rootKey.Public()),
	}
	p := &pki{interKey: intKey, serial: 100}
	if p.rootDER, err = x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey); err != nil {
		return nil, fmt.Errorf("demo: create root: %w", err)
	}
	root, err := x509.ParseCertificate(p.rootDER)
	if err != nil {
		return nil, err
	}
	intTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(2),
		Subject:               pkix.Name{CommonName: "tlsaudit test intermediate", Organization: []string{"tlsaudit"}},
		NotBefore:             epoch,
		NotAfter:              epoch.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          keyID(intKey.Public()),
	}
	if p.intDER, err = x509.CreateCertificate(rand.Reader, intTmpl, root, intKey.Public(), rootKey); err != nil {
		return nil, fmt.Errorf("demo: create intermediate: %w", err)
	}
	if p.inter, err = x509.ParseCertificate(p.intDER); err != nil {
		return nil, err
	}
	return p, nil
}

// issue signs a server certificate for name, valid from an hour ago for 90
// days, and returns it with the intermediate as a crypto/tls chain.
func (p *pki) issue(name string, key crypto.Signer) (tls.Certificate, error) {
	now := time.Now()
	p.serial++
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(p.serial),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"tlsaudit"}},
		DNSNames:              []string{name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(0, 0, 90),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          keyID(key.Public()),
	}
	if _, isRSA := key.(*rsa.PrivateKey); isRSA {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment // for TLS_RSA_* key exchange
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.inter, key.Public(), p.interKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("demo: issue %s: %w", name, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, p.intDER}, PrivateKey: key, Leaf: leaf}, nil
}

// keyID is a SHA-256-based subject key identifier (truncated to 20 bytes).
func keyID(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	sum := sha256.Sum256(der)
	return sum[:20]
}

// response is the fixed HTTP answer of a demo server, with an optional HSTS
// header.
func response(hsts string) []byte {
	const body = "tlsaudit test server\n"
	var b strings.Builder
	b.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n")
	fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	if hsts != "" {
		fmt.Fprintf(&b, "Strict-Transport-Security: %s\r\n", hsts)
	}
	b.WriteString("\r\n" + body)
	return []byte(b.String())
}

// Bounds of one connection: a scanner's probes abort many handshakes.
const (
	handshakeTimeout = 10 * time.Second
	requestTimeout   = 5 * time.Second
	maxRequest       = 16 << 10
)

// serve listens on a free 127.0.0.1 port and serves cfg: a handshake,
// then at most one HTTP/1.x request answered with resp.
func serve(name string, cfg *tls.Config, resp []byte) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	s := &Server{Name: name, Host: host, Port: p, ln: ln, open: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					continue
				}
				return
			}
			if !s.track(c) {
				c.Close()
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer s.untrack(c)
				serveConn(c, cfg, resp)
			}()
		}
	}()
	return s, nil
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return false
	}
	s.open[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.open, c)
	s.mu.Unlock()
	c.Close()
}

// Close stops the server, closes its connections and waits for them.
func (s *Server) Close() {
	s.mu.Lock()
	s.done = true
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

func serveConn(c net.Conn, cfg *tls.Config, resp []byte) {
	_ = c.SetDeadline(time.Now().Add(handshakeTimeout))
	tc := tls.Server(c, cfg)
	if err := tc.Handshake(); err != nil {
		return
	}
	_ = c.SetDeadline(time.Now().Add(requestTimeout))
	req, err := http.ReadRequest(bufio.NewReader(io.LimitReader(tc, maxRequest)))
	if err != nil {
		return
	}
	if req.Method == http.MethodHead {
		if i := strings.Index(string(resp), "\r\n\r\n"); i >= 0 {
			resp = resp[:i+4]
		}
	}
	_, _ = tc.Write(resp)
	_ = tc.Close()
}
