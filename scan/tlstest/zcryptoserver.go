package tlstest

import (
	"net"
	"testing"
	"time"

	ztls "github.com/zmap/zcrypto/tls"
)

// NewZCryptoTLS13Server starts an in-process zcrypto/tls server on
// 127.0.0.1 speaking TLS 1.3 only, with the given groups (TLS NamedGroup
// IDs, in preference order) and an ECDSA P-256 leaf for DefaultName from
// SharedPKI() (zcrypto signs only with its own RSA key type). It exists for the groups no other server here has: zcrypto
// negotiates the pure ML-KEM group MLKEM1024 (0x0202), which crypto/tls
// and Debian 12's OpenSSL 3.0 and GnuTLS 3.7 lack. Each connection gets a
// handshake and is closed.
func NewZCryptoTLS13Server(groups ...uint16) (*Server, error) {
	pki, err := SharedPKI()
	if err != nil {
		return nil, err
	}
	leaf, err := pki.IssueLeaf(LeafOptions{DNSNames: []string{DefaultName}, KeyType: KeyECDSAP256})
	if err != nil {
		return nil, err
	}
	cfg := &ztls.Config{
		Certificates:             []ztls.Certificate{{Certificate: leaf.ChainDER, PrivateKey: leaf.Key}},
		MinVersion:               ztls.VersionTLS13,
		MaxVersion:               ztls.VersionTLS13,
		ExplicitCurvePreferences: true,
	}
	for _, g := range groups {
		cfg.CurvePreferences = append(cfg.CurvePreferences, ztls.CurveID(g))
	}
	loop, err := startLoop(func(c net.Conn, done <-chan struct{}) {
		_ = c.SetDeadline(time.Now().Add(goHandshakeTimeout))
		tc := ztls.Server(c, cfg)
		_ = tc.Handshake()
		_ = tc.Close()
	})
	if err != nil {
		return nil, err
	}
	srv := loop.server()
	srv.Name, srv.PKI = DefaultName, pki
	srv.Chain, srv.Chains, srv.CertDER = leaf.ChainDER, [][][]byte{leaf.ChainDER}, leaf.DER
	return srv, nil
}

// NewZCryptoTLS13ServerT is NewZCryptoTLS13Server for tests.
func NewZCryptoTLS13ServerT(t testing.TB, groups ...uint16) *Server {
	t.Helper()
	srv, err := NewZCryptoTLS13Server(groups...)
	return cleanupT(t, "zcrypto TLS 1.3 server", srv, err)
}
