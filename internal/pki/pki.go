// Package pki builds the throwaway certificate authority of the loopback
// servers (the demo's and the tests'): a self-signed root and an
// intermediate it signed, and the template of the server certificates they
// issue. It holds no server and reads no file.
package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"
)

// Epoch anchors the CA validity, so the CA certificates are the same from
// run to run apart from keys and signatures.
var Epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// CA is a root ("tlsaudit test root") and an intermediate it signed
// ("tlsaudit test intermediate").
type CA struct {
	Root            *x509.Certificate
	RootDER         []byte
	RootKey         crypto.Signer
	Intermediate    *x509.Certificate
	IntermediateDER []byte
	IntermediateKey crypto.Signer
}

// New issues the root with rootKey and the intermediate with intKey: the
// root valid 30 years from Epoch, the intermediate 20, with path length 0.
func New(rootKey, intKey crypto.Signer) (*CA, error) {
	ca := &CA{RootKey: rootKey, IntermediateKey: intKey}
	rootTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tlsaudit test root", Organization: []string{"tlsaudit"}},
		NotBefore:             Epoch,
		NotAfter:              Epoch.AddDate(30, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          KeyID(rootKey.Public()),
	}
	var err error
	if ca.RootDER, err = x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey); err != nil {
		return nil, fmt.Errorf("pki: create root: %w", err)
	}
	if ca.Root, err = x509.ParseCertificate(ca.RootDER); err != nil {
		return nil, err
	}
	intTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(2),
		Subject:               pkix.Name{CommonName: "tlsaudit test intermediate", Organization: []string{"tlsaudit"}},
		NotBefore:             Epoch,
		NotAfter:              Epoch.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          KeyID(intKey.Public()),
	}
	if ca.IntermediateDER, err = x509.CreateCertificate(rand.Reader, intTmpl, ca.Root, intKey.Public(), rootKey); err != nil {
		return nil, fmt.Errorf("pki: create intermediate: %w", err)
	}
	if ca.Intermediate, err = x509.ParseCertificate(ca.IntermediateDER); err != nil {
		return nil, err
	}
	return ca, nil
}

// ServerTemplate is a server certificate for cn and dnsNames with key,
// valid from notBefore to notAfter: digital signature, plus key
// encipherment for an RSA key (TLS_RSA_* key exchange needs it), server
// authentication, not a CA.
func ServerTemplate(serial int64, cn string, dnsNames []string, key crypto.Signer, notBefore, notAfter time.Time) *x509.Certificate {
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"tlsaudit"}},
		DNSNames:              dnsNames,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          KeyID(key.Public()),
	}
	if _, isRSA := key.(*rsa.PrivateKey); isRSA {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	return tmpl
}

// KeyID is a SHA-256-based subject key identifier (truncated to 20 bytes).
func KeyID(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	sum := sha256.Sum256(der)
	return sum[:20]
}
