package cert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// testNow is the clock of every test in this package.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type tcert struct {
	der  []byte
	cert *x509.Certificate
	key  crypto.Signer
}

var serialN int64 = 100

func nextSerial() *big.Int { serialN++; return big.NewInt(serialN) }

func ecKey(t testing.TB) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// issue signs tmpl with issuer (nil: self-signed) for key.
func issue(t testing.TB, tmpl *x509.Certificate, key crypto.Signer, issuer *tcert) *tcert {
	t.Helper()
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = nextSerial()
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = testNow.Add(-24 * time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = testNow.Add(90 * 24 * time.Hour)
	}
	parent, signer := tmpl, key
	if issuer != nil {
		parent, signer = issuer.cert, issuer.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatalf("create %s: %v", tmpl.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &tcert{der: der, cert: c, key: key}
}

func caTmpl(cn string) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"tlsaudit test"}},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		NotBefore:             testNow.Add(-365 * 24 * time.Hour),
		NotAfter:              testNow.Add(5 * 365 * 24 * time.Hour),
	}
}

func leafTmpl(cn string, names ...string) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: cn},
		DNSNames:    names,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		OCSPServer:  []string{"http://127.0.0.1:1/ocsp"},
	}
}

// testPKI is a small PKI: root A, root B cross-signed by A, an intermediate
// under A, a name-constrained intermediate, and leaves.
type testPKI struct {
	rootA, rootB, crossB, inter, interB, ncInter, interRSA *tcert
	good, expired, notYet, wrongHost, wildcard, ipSAN, sha1Leaf, md5Leaf,
	rsa1024, mustStaple, cnOnly, selfSigned, ncLeaf, viaB, tooLong *tcert
}

var (
	pkiOnce sync.Once
	pki     *testPKI
)

func getPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() { pki = buildPKI(t) })
	if pki == nil {
		t.Fatal("test PKI could not be built")
	}
	return pki
}

func buildPKI(t testing.TB) *testPKI {
	p := &testPKI{}
	p.rootA = issue(t, caTmpl("Test Root A"), ecKey(t), nil)
	keyB := ecKey(t)
	p.rootB = issue(t, caTmpl("Test Root B"), keyB, nil)
	p.crossB = issue(t, caTmpl("Test Root B"), keyB, p.rootA)
	p.inter = issue(t, caTmpl("Test Intermediate A"), ecKey(t), p.rootA)
	p.interB = issue(t, caTmpl("Test Intermediate B"), ecKey(t), p.rootB)
	nc := caTmpl("Test Constrained Intermediate")
	nc.PermittedDNSDomains = []string{"allowed.test"}
	p.ncInter = issue(t, nc, ecKey(t), p.rootA)

	p.good = issue(t, leafTmpl("www.example.test", "www.example.test", "example.test"), ecKey(t), p.inter)
	ex := leafTmpl("www.example.test", "www.example.test")
	ex.NotBefore, ex.NotAfter = testNow.Add(-100*24*time.Hour), testNow.Add(-10*24*time.Hour)
	p.expired = issue(t, ex, ecKey(t), p.inter)
	ny := leafTmpl("www.example.test", "www.example.test")
	ny.NotBefore, ny.NotAfter = testNow.Add(10*24*time.Hour), testNow.Add(100*24*time.Hour)
	p.notYet = issue(t, ny, ecKey(t), p.inter)
	p.wrongHost = issue(t, leafTmpl("other.test", "other.test"), ecKey(t), p.inter)
	p.wildcard = issue(t, leafTmpl("*.example.test", "*.example.test"), ecKey(t), p.inter)
	ip := leafTmpl("127.0.0.1")
	ip.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	p.ipSAN = issue(t, ip, ecKey(t), p.inter)

	rsaInterKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaInter := issue(t, caTmpl("Test RSA Intermediate"), rsaInterKey, p.rootA)
	p.sha1Leaf = resign(t, issue(t, leafTmpl("www.example.test", "www.example.test"), ecKey(t), rsaInter), rsaInter, crypto.SHA1)
	p.md5Leaf = resign(t, issue(t, leafTmpl("www.example.test", "www.example.test"), ecKey(t), rsaInter), rsaInter, crypto.MD5)
	p.interRSA = rsaInter

	k1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p.rsa1024 = issue(t, leafTmpl("www.example.test", "www.example.test"), k1024, p.inter)

	ms := leafTmpl("www.example.test", "www.example.test")
	feat, _ := asn1.Marshal([]int{5})
	ms.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}, Value: feat}}
	p.mustStaple = issue(t, ms, ecKey(t), p.inter)

	p.cnOnly = issue(t, leafTmpl("www.example.test"), ecKey(t), p.inter)
	ssKey := ecKey(t)
	ss := leafTmpl("www.example.test", "www.example.test")
	p.selfSigned = issue(t, ss, ssKey, nil)
	p.ncLeaf = issue(t, leafTmpl("www.example.test", "www.example.test"), ecKey(t), p.ncInter)
	p.viaB = issue(t, leafTmpl("www.example.test", "www.example.test"), ecKey(t), p.interB)
	tl := leafTmpl("www.example.test", "www.example.test")
	tl.NotBefore, tl.NotAfter = testNow.Add(-24*time.Hour), testNow.Add(400*24*time.Hour)
	p.tooLong = issue(t, tl, ecKey(t), p.inter)
	return p
}

// resign replaces the signature of c by one made by issuer with hash h
// (crypto/x509 refuses to make SHA-1 and MD5 signatures).
func resign(t testing.TB, c *tcert, issuer *tcert, h crypto.Hash) *tcert {
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
	if _, err := asn1.Unmarshal(c.der, &outer); err != nil {
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
	sig, err := rsa.SignPKCS1v15(rand.Reader, issuer.key.(*rsa.PrivateKey), h, hh.Sum(nil))
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
	return &tcert{der: der, key: c.key}
}

// observe builds an observation of one served chain.
func observe(host string, certs ...*tcert) *obs.Observation {
	ch := obs.Chain{Protocol: "TLSv1.3", KeyType: "ECDSA"}
	for _, c := range certs {
		ch.Certificates = append(ch.Certificates, obs.Certificate{DER: c.der})
	}
	return &obs.Observation{Target: obs.Target{Host: host, Port: 443, SNI: host}, Chains: []obs.Chain{ch}}
}

func envWith(roots ...*tcert) checks.Env {
	st := checks.TrustStore{Name: "custom"}
	for _, r := range roots {
		st.Roots = append(st.Roots, r.der)
	}
	return checks.Env{Now: testNow, Stores: []checks.TrustStore{st}}
}

// run evaluates one registered check.
func run(t *testing.T, id string, o *obs.Observation, env checks.Env) []checks.Finding {
	t.Helper()
	c, ok := checks.Lookup(id)
	if !ok {
		t.Fatalf("check %s not registered", id)
	}
	return c.Evaluate(o, env)
}

// status returns the single status of check id, failing if it yields several.
func status(t *testing.T, id string, o *obs.Observation, env checks.Env) checks.Status {
	t.Helper()
	fs := run(t, id, o, env)
	st := checks.StatusPass
	for _, f := range fs {
		if f.Status == checks.StatusFail {
			return checks.StatusFail
		}
		st = f.Status
	}
	return st
}
