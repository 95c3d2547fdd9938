package tlstest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync"
	"time"
)

// FakeCertName is the DNS name in the scripted servers' default certificate.
const FakeCertName = "fake.tlsaudit.test"

type certKey struct {
	once sync.Once
	der  []byte
	key  crypto.Signer
	err  error
}

// get generates the key and its self-signed certificate on first use.
func (ck *certKey) get(gen func() (crypto.Signer, error)) ([]byte, crypto.Signer, error) {
	ck.once.Do(func() {
		ck.key, ck.err = gen()
		if ck.err == nil {
			ck.der, ck.err = selfSign(ck.key, FakeCertName)
		}
	})
	return ck.der, ck.key, ck.err
}

var (
	fakeRSA, fakeEC certKey
	exportOnce      sync.Once
	exportModulus   *big.Int
)

// fakeCert returns a self-signed RSA-2048 certificate for FakeCertName and its
// key, generated once per process.
func fakeCert() ([]byte, crypto.Signer, error) {
	return fakeRSA.get(func() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, 2048) })
}

// fakeECCert returns a small self-signed ECDSA P-256 certificate (about 350
// bytes) and its key, generated once per process.
func fakeECCert() ([]byte, crypto.Signer, error) {
	return fakeEC.get(func() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) })
}

func selfSign(key crypto.Signer, name string) ([]byte, error) {
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		DNSNames:              []string{name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
}

// exportRSAModulus returns a 512-bit RSA modulus (the product of two 256-bit
// primes) for RSA_EXPORT ServerKeyExchange messages. The private key is not
// kept: the scripted servers never decrypt. (crypto/rsa refuses to generate
// keys below 1024 bits, hence the hand-made modulus.)
func exportRSAModulus() *big.Int {
	exportOnce.Do(func() {
		for {
			p, err1 := rand.Prime(rand.Reader, 256)
			q, err2 := rand.Prime(rand.Reader, 256)
			if err1 != nil || err2 != nil {
				panic("tlstest: crypto/rand failed")
			}
			n := new(big.Int).Mul(p, q)
			if n.BitLen() == 512 && p.Cmp(q) != 0 {
				exportModulus = n
				return
			}
		}
	})
	return exportModulus
}
