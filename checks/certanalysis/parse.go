package certanalysis

import (
	"crypto/dsa" //nolint:staticcheck // DSA keys must still be recognised
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	zdsa "github.com/zmap/zcrypto/dsa"
	zrsa "github.com/zmap/zcrypto/rsa"
	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zcrypto/x509/pkix"

	"github.com/tlsaudit/tlsaudit/scan/certcache"
)

// pcert is one certificate with its lenient parse.
type pcert struct {
	der    []byte
	c      *zx509.Certificate // nil when it did not parse
	err    error
	sha256 string
	source string // "served", "store", "aia"
	index  int    // position in the served chain, -1 otherwise
	z      *Analyzer
}

// newPCert parses der (through pc unless source is "store"); z is
// the Analyzer whose signature cache checks of this certificate use (nil:
// none).
func newPCert(der []byte, source string, index int, pc *certcache.Cache, z *Analyzer) *pcert {
	sum := sha256.Sum256(der)
	p := &pcert{der: der, sha256: hex.EncodeToString(sum[:]), source: source, index: index, z: z}
	if source == "store" {
		p.c, p.err = parseLenient(der) // parsed once per store anyway
	} else {
		p.c, p.err = parseCached(pc, der, p.sha256)
	}
	return p
}

// parseLenient parses with zcrypto/x509, which accepts much that the standard
// library refuses; a panic in the parser is turned into an error.
func parseLenient(der []byte) (c *zx509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("certificate parser panic: %v", r)
		}
	}()
	c, err = zx509.ParseCertificate(der)
	if err != nil && c == nil {
		return nil, err
	}
	return c, nil
}

func (p *pcert) subject() string {
	if p.c == nil {
		return "(unparsable certificate)"
	}
	return dnString(p.c.Subject)
}

// dnString renders a name compactly, most specific first ("CN=x, O=y, C=z").
func dnString(n pkix.Name) string {
	s := n.String()
	if s == "" {
		return "(empty)"
	}
	return s
}

// selfSigned: subject equals issuer and the certificate's own key verifies it.
func (p *pcert) selfSigned() bool {
	if p.c == nil || string(p.c.RawSubject) != string(p.c.RawIssuer) {
		return false
	}
	return signedBy(p, p)
}

func (p *pcert) summary() CertSummary {
	s := CertSummary{Index: p.index, SHA256: p.sha256}
	if p.c == nil {
		s.Subject = p.subject()
		s.ParseError = p.err.Error()
		return s
	}
	c := p.c
	s.Subject = dnString(c.Subject)
	s.Issuer = dnString(c.Issuer)
	if c.SerialNumber != nil {
		s.Serial = strings.ToLower(c.SerialNumber.Text(16))
	}
	s.NotBefore, s.NotAfter = c.NotBefore.UTC(), c.NotAfter.UTC()
	s.Key = keyInfo(c)
	s.SigAlg = c.SignatureAlgorithm.String()
	pin := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	s.SPKIPin = base64.StdEncoding.EncodeToString(pin[:])
	s.IsCA = c.BasicConstraintsValid && c.IsCA
	s.SelfSigned = p.selfSigned()
	return s
}

func keyInfo(c *zx509.Certificate) KeyInfo {
	switch k := c.PublicKey.(type) {
	case *zrsa.PublicKey:
		ki := KeyInfo{Type: "RSA", Bits: k.N.BitLen()}
		if k.E != nil && k.E.IsInt64() {
			ki.Exponent = k.E.Int64()
		}
		ki.ROCA = IsROCA(k.N)
		return ki
	case *zdsa.PublicKey:
		return KeyInfo{Type: "DSA", Bits: k.P.BitLen()}
	case *rsa.PublicKey:
		ki := KeyInfo{Type: "RSA", Bits: k.N.BitLen(), Exponent: int64(k.E)}
		ki.ROCA = IsROCA(k.N)
		return ki
	case *ecdsa.PublicKey:
		ki := KeyInfo{Type: "ECDSA"}
		if k.Curve != nil {
			ki.Bits = k.Curve.Params().BitSize
			ki.Curve = k.Curve.Params().Name
		}
		return ki
	case *zx509.AugmentedECDSA:
		ki := KeyInfo{Type: "ECDSA"}
		if k.Pub != nil && k.Pub.Curve != nil {
			ki.Bits = k.Pub.Curve.Params().BitSize
			ki.Curve = k.Pub.Curve.Params().Name
		}
		return ki
	case ed25519.PublicKey, zx509.X25519PublicKey:
		return KeyInfo{Type: "Ed25519", Bits: 256}
	case *dsa.PublicKey:
		return KeyInfo{Type: "DSA", Bits: k.P.BitLen()}
	}
	switch c.PublicKeyAlgorithm {
	case zx509.ECDSA:
		return KeyInfo{Type: "ECDSA", Curve: "unsupported"}
	case zx509.DSA:
		return KeyInfo{Type: "DSA"}
	case zx509.RSA:
		return KeyInfo{Type: "RSA"}
	}
	return KeyInfo{Type: "unknown"}
}
