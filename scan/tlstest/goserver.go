package tlstest

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	goHandshakeTimeout = 10 * time.Second
	goRequestTimeout   = 5 * time.Second
	goMaxRequest       = 16 << 10
)

// GoOption configures NewGoServer.
type GoOption func(*goOptions)

type goOptions struct {
	name    string
	pki     *PKI
	ecdsa   bool
	headers [][2]string
}

// GoServerName sets the DNS name of the generated certificates (default
// DefaultName). It has no effect when the config carries certificates.
func GoServerName(name string) GoOption { return func(o *goOptions) { o.name = name } }

// GoPKI issues the generated certificates from p instead of SharedPKI().
func GoPKI(p *PKI) GoOption { return func(o *goOptions) { o.pki = p } }

// GoECDSACert adds an ECDSA P-256 certificate next to the RSA-2048 one when
// the certificates are generated, so the server has two chains.
func GoECDSACert() GoOption { return func(o *goOptions) { o.ecdsa = true } }

// GoHeader adds a header to the HTTP responses, e.g.
// GoHeader("Strict-Transport-Security", "max-age=31536000").
func GoHeader(key, value string) GoOption {
	return func(o *goOptions) { o.headers = append(o.headers, [2]string{key, value}) }
}

// NewGoServer starts an in-process crypto/tls server on 127.0.0.1. Each
// connection gets a handshake (with a deadline); if the client then sends an
// HTTP/1.x request it gets a small "200 OK" response with the configured
// headers, and the connection is closed. When cfg has no certificates
// (and no GetCertificate), an RSA-2048 leaf for the server name is issued from
// the PKI (plus an ECDSA one with GoECDSACert). cfg is cloned; nil means
// crypto/tls defaults.
func NewGoServer(cfg *tls.Config, opts ...GoOption) (*Server, error) {
	o := goOptions{name: DefaultName}
	for _, f := range opts {
		f(&o)
	}
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg = cfg.Clone()
	var leaves []*Leaf
	if len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil {
		if o.pki == nil {
			p, err := SharedPKI()
			if err != nil {
				return nil, err
			}
			o.pki = p
		}
		keyTypes := []string{KeyRSA2048}
		if o.ecdsa {
			keyTypes = append(keyTypes, KeyECDSAP256)
		}
		for _, kt := range keyTypes {
			l, err := o.pki.IssueLeaf(LeafOptions{DNSNames: []string{o.name}, KeyType: kt})
			if err != nil {
				return nil, err
			}
			leaves = append(leaves, l)
			cfg.Certificates = append(cfg.Certificates, l.TLSCertificate())
		}
	} else {
		o.pki = nil
	}
	resp := goResponse(o.headers)
	loop, err := startLoop(func(c net.Conn, done <-chan struct{}) { serveGoConn(c, cfg, resp) })
	if err != nil {
		return nil, err
	}
	srv := loop.server()
	srv.Name = o.name
	srv.PKI = o.pki
	for _, c := range cfg.Certificates {
		srv.Chains = append(srv.Chains, c.Certificate)
	}
	if len(srv.Chains) > 0 {
		srv.Chain = srv.Chains[0]
		srv.CertDER = srv.Chain[0]
	}
	return srv, nil
}

// goResponse builds the fixed HTTP response of an in-process server.
func goResponse(headers [][2]string) []byte {
	const body = "tlsaudit test server\n"
	var b strings.Builder
	b.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n")
	fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n" + body)
	return []byte(b.String())
}

func serveGoConn(c net.Conn, cfg *tls.Config, resp []byte) {
	_ = c.SetDeadline(time.Now().Add(goHandshakeTimeout))
	tc := tls.Server(c, cfg)
	if err := tc.Handshake(); err != nil {
		return
	}
	_ = c.SetDeadline(time.Now().Add(goRequestTimeout))
	req, err := http.ReadRequest(bufio.NewReader(io.LimitReader(tc, goMaxRequest)))
	if err != nil {
		return
	}
	if req.Method == http.MethodHead {
		// Headers only.
		if i := strings.Index(string(resp), "\r\n\r\n"); i >= 0 {
			resp = resp[:i+4]
		}
	}
	_, _ = tc.Write(resp)
	_ = tc.Close()
}

// HSTSValue is the Strict-Transport-Security header the modern servers send.
const HSTSValue = "max-age=63072000; includeSubDomains; preload"

// ModernGoServer starts a server in the spirit of Mozilla's "modern"/
// "intermediate" profiles: TLS 1.2 and 1.3, ECDHE with AEAD suites only,
// groups X25519MLKEM768, X25519, P-256, P-384, RSA and ECDSA chains, and an
// HSTS header. opts are applied after these defaults.
func ModernGoServer(opts ...GoOption) (*Server, error) {
	cfg := &tls.Config{
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
	}
	return NewGoServer(cfg, append([]GoOption{GoECDSACert(), GoHeader("Strict-Transport-Security", HSTSValue)}, opts...)...)
}

// LegacySuites are the TLS 1.0–1.2 suites of LegacyGoServer.
var LegacySuites = []uint16{
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
	tls.TLS_RSA_WITH_RC4_128_SHA,
	tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA,
}

// LegacyGoServer starts a server with an old configuration: TLS 1.0 to 1.2,
// plain-RSA key exchange, CBC, 3DES and RC4 suites (LegacySuites), an RSA
// chain and no HSTS. crypto/tls picks the suite by its own fixed preference
// (it ignores both the configured and the client's order), so a scanner sees
// a server-enforced order. All these suites work in go1.26 when listed
// explicitly; no GODEBUG setting is needed.
func LegacyGoServer(opts ...GoOption) (*Server, error) {
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: LegacySuites,
	}
	return NewGoServer(cfg, opts...)
}

// NewGoServerT is NewGoServer for tests: it fails t on error and closes the
// server in t.Cleanup.
func NewGoServerT(t testing.TB, cfg *tls.Config, opts ...GoOption) *Server {
	t.Helper()
	srv, err := NewGoServer(cfg, opts...)
	return cleanupT(t, "NewGoServer", srv, err)
}

// ModernGoServerT is ModernGoServer for tests.
func ModernGoServerT(t testing.TB, opts ...GoOption) *Server {
	t.Helper()
	srv, err := ModernGoServer(opts...)
	return cleanupT(t, "ModernGoServer", srv, err)
}

// LegacyGoServerT is LegacyGoServer for tests.
func LegacyGoServerT(t testing.TB, opts ...GoOption) *Server {
	t.Helper()
	srv, err := LegacyGoServer(opts...)
	return cleanupT(t, "LegacyGoServer", srv, err)
}

// cleanupT fails t if err is set, else registers srv.Close with t.Cleanup.
func cleanupT(t testing.TB, what string, srv *Server, err error) *Server {
	t.Helper()
	if err != nil {
		t.Fatalf("tlstest: %s: %v", what, err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}
