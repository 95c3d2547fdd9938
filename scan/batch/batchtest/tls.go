package batchtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"time"
)

// SelfSigned returns a throwaway ECDSA P-256 certificate for names, valid
// from an hour ago for a day.
func SelfSigned(names ...string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// ServeTLS accepts connections on ln (a TCP listener) until it is closed:
// each completes a TLS handshake with cert, then reads until the client
// closes, for at most 20 seconds.
func ServeTLS(ln net.Listener, cert tls.Certificate) {
	tl := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	for {
		c, err := tl.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			if c.(*tls.Conn).Handshake() == nil {
				io.Copy(io.Discard, c)
			}
		}()
	}
}
