package scan

import (
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	zrsa "github.com/zmap/zcrypto/rsa"
	"github.com/zmap/zcrypto/x509"

	"github.com/tlsaudit/tlsaudit/scan/certcache"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// summarize describes one served certificate. It parses leniently (zcrypto);
// a certificate that does not parse keeps its DER and gets ParseError.
func summarize(pc *certcache.Cache, der []byte) (c obs.Certificate) {
	sum := sha256.Sum256(der)
	c.DER = der
	c.SHA256 = hex.EncodeToString(sum[:])
	// The parse is shared with the certificate checks, which analyse the
	// same DER later (scan/certcache).
	r := pc.Parse(der, c.SHA256)
	if r.Panic != nil {
		c.ParseError = fmt.Sprintf("parser panic: %v", r.Panic)
		return c
	}
	cert, err := r.Cert, r.Err
	if err != nil {
		c.ParseError = err.Error()
		if cert == nil {
			return c
		}
	}
	c.Subject = cert.Subject.String()
	c.Issuer = cert.Issuer.String()
	if cert.SerialNumber != nil {
		c.Serial = cert.SerialNumber.Text(16)
	}
	c.NotBefore, c.NotAfter = cert.NotBefore.UTC(), cert.NotAfter.UTC()
	c.SigAlg = cert.SignatureAlgorithm.String()
	c.DNSNames = slices.Clone(cert.DNSNames) // the parsed certificate is shared
	for _, ip := range cert.IPAddresses {
		c.IPs = append(c.IPs, ip.String())
	}
	c.IsCA = cert.IsCA
	c.SelfSigned = cert.SelfSigned
	c.KeyType, c.KeyBits, c.Curve = keyInfo(cert)
	return c
}

// keyInfo returns the key type, size in bits and curve name of a certificate.
func keyInfo(cert *x509.Certificate) (string, int, string) {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen(), ""
	case *zrsa.PublicKey: // what zcrypto's parser returns for RSA keys
		return "RSA", k.N.BitLen(), ""
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize, k.Curve.Params().Name
	case *x509.AugmentedECDSA:
		return "ECDSA", k.Pub.Curve.Params().BitSize, k.Pub.Curve.Params().Name
	case *dsa.PublicKey:
		return "DSA", k.P.BitLen(), ""
	case ed25519.PublicKey:
		return "Ed25519", 256, ""
	case x509.X25519PublicKey:
		return "X25519", 256, ""
	}
	switch cert.PublicKeyAlgorithm {
	case x509.RSA:
		return "RSA", 0, ""
	case x509.ECDSA:
		return "ECDSA", 0, ""
	case x509.DSA:
		return "DSA", 0, ""
	}
	return cert.PublicKeyAlgorithm.String(), 0, ""
}
