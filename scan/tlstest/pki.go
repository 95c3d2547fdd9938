package tlstest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/internal/pki"
)

// DefaultName is the DNS name test certificates are issued for by default.
// Dial 127.0.0.1 and send it as SNI.
const DefaultName = "tlsaudit.test"

// Key types accepted by LeafOptions.KeyType.
const (
	KeyRSA1024   = "rsa1024"
	KeyRSA2048   = "rsa2048"
	KeyRSA4096   = "rsa4096"
	KeyECDSAP256 = "ecdsa-p256"
	KeyECDSAP384 = "ecdsa-p384"
	KeyEd25519   = "ed25519"
)

// PKI is a two-level test certificate authority: a self-signed root and an
// intermediate it signed. Both CA keys are RSA-2048 so that leaves can be
// signed with any RSA signature algorithm, SHA-1 included.
type PKI struct {
	pki.CA // Root, RootDER, RootKey, Intermediate, IntermediateDER, IntermediateKey

	mu     sync.Mutex
	serial int64
}

// Keys are cached per process and per purpose: generating RSA keys is slow on
// small machines, and tests issue many leaves.
var (
	keyMu    sync.Mutex
	keyCache = map[string]*keyOnce{}
)

type keyOnce struct {
	once sync.Once
	key  crypto.Signer
	err  error
}

// cachedKey returns the process-wide key of the given type for slot (distinct
// slots give distinct keys, e.g. "root", "intermediate", "leaf").
func cachedKey(keyType, slot string) (crypto.Signer, error) {
	keyMu.Lock()
	k := keyCache[keyType+"/"+slot]
	if k == nil {
		k = &keyOnce{}
		keyCache[keyType+"/"+slot] = k
	}
	keyMu.Unlock()
	k.once.Do(func() { k.key, k.err = generateKey(keyType) })
	return k.key, k.err
}

func generateKey(keyType string) (crypto.Signer, error) {
	switch keyType {
	case KeyRSA1024:
		return rsa.GenerateKey(rand.Reader, 1024)
	case KeyRSA2048, "":
		return rsa.GenerateKey(rand.Reader, 2048)
	case KeyRSA4096:
		return rsa.GenerateKey(rand.Reader, 4096)
	case KeyECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case KeyECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case KeyEd25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("tlstest: unknown key type %q", keyType)
}

var (
	sharedPKIOnce sync.Once
	sharedPKI     *PKI
	sharedPKIErr  error
)

// SharedPKI returns a process-wide PKI, created on first use. Servers that are
// not given certificates use leaves from it.
func SharedPKI() (*PKI, error) {
	sharedPKIOnce.Do(func() { sharedPKI, sharedPKIErr = NewPKI() })
	return sharedPKI, sharedPKIErr
}

// NewPKI creates a root CA ("tlsaudit test root") and an intermediate CA
// ("tlsaudit test intermediate"). The CA keys are shared by all PKIs of the
// process, the certificates are new.
func NewPKI() (*PKI, error) {
	rootKey, err := cachedKey(KeyRSA2048, "root")
	if err != nil {
		return nil, err
	}
	intKey, err := cachedKey(KeyRSA2048, "intermediate")
	if err != nil {
		return nil, err
	}
	ca, err := pki.New(rootKey, intKey)
	if err != nil {
		return nil, fmt.Errorf("tlstest: %w", err)
	}
	p := &PKI{CA: *ca}
	p.serial = 100
	return p, nil
}

// RootPool returns a pool holding only the root.
func (p *PKI) RootPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root)
	return pool
}

// RootPEM returns the root certificate in PEM.
func (p *PKI) RootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.RootDER})
}

// LeafOptions describe a certificate to issue. The zero value gives an
// RSA-2048 server certificate for DefaultName, valid from an hour ago for 90
// days, signed by the intermediate with SHA-256.
type LeafOptions struct {
	// CommonName of the subject; default: the first DNS name.
	CommonName string
	// DNSNames; default [DefaultName] (unless IPs are given).
	DNSNames []string
	IPs      []net.IP
	// KeyType: KeyRSA2048 (default), KeyRSA1024, KeyRSA4096, KeyECDSAP256,
	// KeyECDSAP384, KeyEd25519.
	KeyType string
	// Key, if set, is used instead of a cached key of KeyType.
	Key crypto.Signer
	// NotBefore/NotAfter; defaults: now-1h and now+90 days.
	NotBefore, NotAfter time.Time
	// SignatureAlgorithm of the issuer's signature; zero: SHA256WithRSA for
	// an RSA issuer. x509.SHA1WithRSA works (Go still signs SHA-1; MD5 is
	// refused).
	SignatureAlgorithm x509.SignatureAlgorithm
	// IsCA marks the leaf as a CA certificate (basicConstraints cA=TRUE).
	IsCA bool
	// MustStaple adds the TLS Feature extension status_request (RFC 7633).
	MustStaple bool
	// SelfSigned: the leaf signs itself; the chain is the leaf alone.
	SelfSigned bool
	// DirectFromRoot: the root signs the leaf; the chain is the leaf alone
	// (the root is not served).
	DirectFromRoot bool
	// OCSPServer and CRLDistributionPoints URLs to embed (never fetched).
	OCSPServer            []string
	CRLDistributionPoints []string
	// Serial; zero: the next serial of this PKI.
	Serial int64
}

// Leaf is an issued certificate with its key and the chain a server sends.
type Leaf struct {
	Cert *x509.Certificate
	DER  []byte
	Key  crypto.Signer
	// ChainDER is what a server sends: the leaf, then the intermediate (if any).
	ChainDER [][]byte
}

// oidTLSFeature is id-pe-tlsfeature (RFC 7633).
var oidTLSFeature = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}

// IssueLeaf issues a certificate described by o.
func (p *PKI) IssueLeaf(o LeafOptions) (*Leaf, error) {
	key := o.Key
	if key == nil {
		var err error
		if key, err = cachedKey(o.KeyType, "leaf"); err != nil {
			return nil, err
		}
	}
	if len(o.DNSNames) == 0 && len(o.IPs) == 0 {
		o.DNSNames = []string{DefaultName}
	}
	if o.CommonName == "" && len(o.DNSNames) > 0 {
		o.CommonName = o.DNSNames[0]
	}
	now := time.Now()
	if o.NotBefore.IsZero() {
		o.NotBefore = now.Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.AddDate(0, 0, 90)
	}
	serial := o.Serial
	if serial == 0 {
		p.mu.Lock()
		p.serial++
		serial = p.serial
		p.mu.Unlock()
	}
	tmpl := pki.ServerTemplate(serial, o.CommonName, o.DNSNames, key, o.NotBefore, o.NotAfter)
	tmpl.IPAddresses = o.IPs
	tmpl.SignatureAlgorithm = o.SignatureAlgorithm
	tmpl.IsCA = o.IsCA
	tmpl.OCSPServer = o.OCSPServer
	tmpl.CRLDistributionPoints = o.CRLDistributionPoints
	if o.IsCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	if o.MustStaple {
		// TLSFeature ::= SEQUENCE OF INTEGER; status_request is 5.
		val, err := asn1.Marshal([]int{5})
		if err != nil {
			return nil, err
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidTLSFeature, Value: val})
	}
	parent, signer := p.Intermediate, p.IntermediateKey
	switch {
	case o.SelfSigned:
		parent, signer = tmpl, key
	case o.DirectFromRoot:
		parent, signer = p.Root, p.RootKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("tlstest: issue leaf: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	l := &Leaf{Cert: cert, DER: der, Key: key, ChainDER: [][]byte{der}}
	if !o.SelfSigned && !o.DirectFromRoot {
		l.ChainDER = append(l.ChainDER, p.IntermediateDER)
	}
	return l, nil
}

// TLSCertificate returns the leaf for a crypto/tls server.
func (l *Leaf) TLSCertificate() tls.Certificate {
	return tls.Certificate{Certificate: l.ChainDER, PrivateKey: l.Key, Leaf: l.Cert}
}

// CertPEM is the leaf certificate alone.
func (l *Leaf) CertPEM() []byte { return pemCerts(l.ChainDER[:1]) }

// ChainPEM is the chain without the leaf (empty for a self-signed leaf).
func (l *Leaf) ChainPEM() []byte { return pemCerts(l.ChainDER[1:]) }

// FullChainPEM is the leaf followed by the rest of the chain (what nginx's
// ssl_certificate and gnutls-serv's --x509certfile take).
func (l *Leaf) FullChainPEM() []byte { return pemCerts(l.ChainDER) }

// KeyPEM is the private key as PKCS#8 ("PRIVATE KEY").
func (l *Leaf) KeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(l.Key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// WritePEM writes cert.pem (the leaf), key.pem (PKCS#8, mode 0600) and, when
// the chain has more than the leaf, chain.pem (the rest of the chain, as
// openssl s_server -cert_chain wants it) into dir. chainFile is "" when there
// is no chain. Use a different dir per leaf.
func (l *Leaf) WritePEM(dir string) (certFile, keyFile, chainFile string, err error) {
	keyPEM, err := l.KeyPEM()
	if err != nil {
		return "", "", "", err
	}
	certFile = filepath.Join(dir, "cert.pem")
	keyFile = filepath.Join(dir, "key.pem")
	if err = os.WriteFile(certFile, l.CertPEM(), 0o644); err != nil {
		return "", "", "", err
	}
	if err = os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return "", "", "", err
	}
	if len(l.ChainDER) > 1 {
		chainFile = filepath.Join(dir, "chain.pem")
		if err = os.WriteFile(chainFile, l.ChainPEM(), 0o644); err != nil {
			return "", "", "", err
		}
	}
	return certFile, keyFile, chainFile, nil
}

func pemCerts(ders [][]byte) []byte {
	var b bytes.Buffer
	for _, d := range ders {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: d})
	}
	return b.Bytes()
}

// errNoLeaf is returned when a launcher is given a nil leaf.
var errNoLeaf = errors.New("tlstest: nil leaf")
