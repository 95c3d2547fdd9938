// Package certtest builds the test PKI of the certificate analysis and
// certificate check tests: roots, a cross-signature, intermediates and
// leaves good and bad, dated around Now. It is imported by tests only.
package certtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Now is the clock the PKI is dated around.
var Now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// Cert is one certificate with its key.
type Cert struct {
	DER  []byte
	Cert *x509.Certificate
	Key  crypto.Signer
}

var serialN atomic.Int64

func nextSerial() *big.Int { return big.NewInt(100 + serialN.Add(1)) }

// ECKey is a new P-256 key.
func ECKey(t testing.TB) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Issue signs tmpl with issuer (nil: self-signed) for key.
func Issue(t testing.TB, tmpl *x509.Certificate, key crypto.Signer, issuer *Cert) *Cert {
	t.Helper()
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = nextSerial()
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = Now.Add(-24 * time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = Now.Add(90 * 24 * time.Hour)
	}
	parent, signer := tmpl, key
	if issuer != nil {
		parent, signer = issuer.Cert, issuer.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatalf("create %s: %v", tmpl.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{DER: der, Cert: c, Key: key}
}

// CATemplate is a CA certificate named cn, valid a year before Now to
// five years after.
func CATemplate(cn string) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"tlsaudit test"}},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		NotBefore:             Now.Add(-365 * 24 * time.Hour),
		NotAfter:              Now.Add(5 * 365 * 24 * time.Hour),
	}
}

// LeafTemplate is a server certificate named cn for names.
func LeafTemplate(cn string, names ...string) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: cn},
		DNSNames:    names,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		OCSPServer:  []string{"http://127.0.0.1:1/ocsp"},
	}
}

// PKI is a small PKI: root A, root B cross-signed by A, an intermediate
// under A, a name-constrained intermediate, and leaves.
type PKI struct {
	RootA, RootB, CrossB, Inter, InterB, NCInter, InterRSA *Cert
	Good, Expired, NotYet, WrongHost, Wildcard, IPSAN, SHA1Leaf, MD5Leaf,
	RSA1024, MustStaple, CNOnly, SelfSigned, NCLeaf, ViaB, TooLong *Cert
}

var (
	pkiOnce sync.Once
	pki     *PKI
)

// Get returns the PKI, built once per test binary.
func Get(t testing.TB) *PKI {
	t.Helper()
	pkiOnce.Do(func() { pki = build(t) })
	if pki == nil {
		t.Fatal("test PKI could not be built")
	}
	return pki
}

func build(t testing.TB) *PKI {
	p := &PKI{}
	p.RootA = Issue(t, CATemplate("Test Root A"), ECKey(t), nil)
	keyB := ECKey(t)
	p.RootB = Issue(t, CATemplate("Test Root B"), keyB, nil)
	p.CrossB = Issue(t, CATemplate("Test Root B"), keyB, p.RootA)
	p.Inter = Issue(t, CATemplate("Test Intermediate A"), ECKey(t), p.RootA)
	p.InterB = Issue(t, CATemplate("Test Intermediate B"), ECKey(t), p.RootB)
	nc := CATemplate("Test Constrained Intermediate")
	nc.PermittedDNSDomains = []string{"allowed.test"}
	p.NCInter = Issue(t, nc, ECKey(t), p.RootA)

	p.Good = Issue(t, LeafTemplate("www.example.test", "www.example.test", "example.test"), ECKey(t), p.Inter)
	ex := LeafTemplate("www.example.test", "www.example.test")
	ex.NotBefore, ex.NotAfter = Now.Add(-100*24*time.Hour), Now.Add(-10*24*time.Hour)
	p.Expired = Issue(t, ex, ECKey(t), p.Inter)
	ny := LeafTemplate("www.example.test", "www.example.test")
	ny.NotBefore, ny.NotAfter = Now.Add(10*24*time.Hour), Now.Add(100*24*time.Hour)
	p.NotYet = Issue(t, ny, ECKey(t), p.Inter)
	p.WrongHost = Issue(t, LeafTemplate("other.test", "other.test"), ECKey(t), p.Inter)
	p.Wildcard = Issue(t, LeafTemplate("*.example.test", "*.example.test"), ECKey(t), p.Inter)
	ip := LeafTemplate("127.0.0.1")
	ip.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	p.IPSAN = Issue(t, ip, ECKey(t), p.Inter)

	rsaInterKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaInter := Issue(t, CATemplate("Test RSA Intermediate"), rsaInterKey, p.RootA)
	p.SHA1Leaf = Resign(t, Issue(t, LeafTemplate("www.example.test", "www.example.test"), ECKey(t), rsaInter), rsaInter, crypto.SHA1)
	p.MD5Leaf = Resign(t, Issue(t, LeafTemplate("www.example.test", "www.example.test"), ECKey(t), rsaInter), rsaInter, crypto.MD5)
	p.InterRSA = rsaInter

	k1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p.RSA1024 = Issue(t, LeafTemplate("www.example.test", "www.example.test"), k1024, p.Inter)

	ms := LeafTemplate("www.example.test", "www.example.test")
	feat, _ := asn1.Marshal([]int{5})
	ms.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}, Value: feat}}
	p.MustStaple = Issue(t, ms, ECKey(t), p.Inter)

	p.CNOnly = Issue(t, LeafTemplate("www.example.test"), ECKey(t), p.Inter)
	ssKey := ECKey(t)
	ss := LeafTemplate("www.example.test", "www.example.test")
	p.SelfSigned = Issue(t, ss, ssKey, nil)
	p.NCLeaf = Issue(t, LeafTemplate("www.example.test", "www.example.test"), ECKey(t), p.NCInter)
	p.ViaB = Issue(t, LeafTemplate("www.example.test", "www.example.test"), ECKey(t), p.InterB)
	tl := LeafTemplate("www.example.test", "www.example.test")
	tl.NotBefore, tl.NotAfter = Now.Add(-24*time.Hour), Now.Add(400*24*time.Hour)
	p.TooLong = Issue(t, tl, ECKey(t), p.Inter)
	return p
}

// Resign replaces the signature of c by one made by issuer with hash h
// (crypto/x509 refuses to make SHA-1 and MD5 signatures).
func Resign(t testing.TB, c *Cert, issuer *Cert, h crypto.Hash) *Cert {
	t.Helper()
	oid := map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1: {1, 2, 840, 113549, 1, 1, 5},
		crypto.MD5:  {1, 2, 840, 113549, 1, 1, 4},
	}[h]
	var outer struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.DER, &outer); err != nil {
		t.Fatal(err)
	}
	var fields []asn1.RawValue
	rest := outer.TBS.Bytes
	for len(rest) > 0 {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			t.Fatal(err)
		}
		fields = append(fields, f)
	}
	alg := pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue}
	algDER, _ := asn1.Marshal(alg)
	fields[2] = asn1.RawValue{FullBytes: algDER} // version [0], serial, signature
	var body []byte
	for _, f := range fields {
		body = append(body, f.FullBytes...)
	}
	tbs, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	hh := h.New()
	hh.Write(tbs)
	sig, err := rsa.SignPKCS1v15(rand.Reader, issuer.Key.(*rsa.PrivateKey), h, hh.Sum(nil))
	if err != nil {
		t.Fatalf("sign with %v: %v", h, err)
	}
	der, err := asn1.Marshal(struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}{asn1.RawValue{FullBytes: tbs}, alg, asn1.BitString{Bytes: sig, BitLength: len(sig) * 8}})
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{DER: der, Key: c.Key}
}

// Observe builds an observation of one served chain.
func Observe(host string, certs ...*Cert) *obs.Observation {
	ch := obs.Chain{Protocol: "TLSv1.3", KeyType: "ECDSA"}
	for _, c := range certs {
		ch.Certificates = append(ch.Certificates, obs.Certificate{DER: c.DER})
	}
	return &obs.Observation{Target: obs.Target{Host: host, Port: 443, SNI: host}, Chains: []obs.Chain{ch}}
}

// MakeSCT is a v1 SCT timestamped ts, with an empty signature.
func MakeSCT(ts time.Time) []byte {
	b := []byte{0}
	b = append(b, make([]byte, 32)...)
	b[1] = 0xAB
	b = binary.BigEndian.AppendUint64(b, uint64(ts.UnixMilli()))
	b = append(b, 0, 0)       // no extensions
	b = append(b, 4, 3, 0, 2) // sha256, ecdsa, 2-byte signature
	return append(b, 0x30, 0x00)
}

// SCTList is the TLS encoding of a SignedCertificateTimestampList of scts.
func SCTList(scts ...[]byte) []byte {
	var body []byte
	for _, s := range scts {
		body = binary.BigEndian.AppendUint16(body, uint16(len(s)))
		body = append(body, s...)
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(body))), body...)
}
