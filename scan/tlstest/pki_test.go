package tlstest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"
)

func testPKI(t *testing.T) *PKI {
	t.Helper()
	p, err := SharedPKI()
	if err != nil {
		t.Fatalf("SharedPKI: %v", err)
	}
	return p
}

// rsaAndECDSALeaves issues an RSA-2048 and an ECDSA P-256 leaf for DefaultName.
func rsaAndECDSALeaves(t *testing.T) (p *PKI, rsaLeaf, ecLeaf *Leaf) {
	t.Helper()
	p = testPKI(t)
	var err error
	if rsaLeaf, err = p.IssueLeaf(LeafOptions{}); err != nil {
		t.Fatal(err)
	}
	if ecLeaf, err = p.IssueLeaf(LeafOptions{KeyType: KeyECDSAP256}); err != nil {
		t.Fatal(err)
	}
	return p, rsaLeaf, ecLeaf
}

// verifyLeaf verifies l against p's root for name.
func verifyLeaf(t *testing.T, p *PKI, l *Leaf, name string) {
	t.Helper()
	inter := x509.NewCertPool()
	for _, d := range l.ChainDER[1:] {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			t.Fatal(err)
		}
		inter.AddCert(c)
	}
	chains, err := l.Cert.Verify(x509.VerifyOptions{DNSName: name, Roots: p.RootPool(), Intermediates: inter})
	if err != nil {
		t.Fatalf("verify %s: %v", name, err)
	}
	if got := len(chains[0]); got != len(l.ChainDER)+1 {
		t.Errorf("verified chain length %d, want %d", got, len(l.ChainDER)+1)
	}
}

func TestIssueLeafKeyTypes(t *testing.T) {
	p := testPKI(t)
	for _, tc := range []struct {
		keyType string
		check   func(any) bool
	}{
		{"", func(k any) bool { r, ok := k.(*rsa.PublicKey); return ok && r.N.BitLen() == 2048 }},
		{KeyRSA1024, func(k any) bool { r, ok := k.(*rsa.PublicKey); return ok && r.N.BitLen() == 1024 }},
		{KeyRSA2048, func(k any) bool { r, ok := k.(*rsa.PublicKey); return ok && r.N.BitLen() == 2048 }},
		{KeyRSA4096, func(k any) bool { r, ok := k.(*rsa.PublicKey); return ok && r.N.BitLen() == 4096 }},
		{KeyECDSAP256, func(k any) bool { e, ok := k.(*ecdsa.PublicKey); return ok && e.Curve == elliptic.P256() }},
		{KeyECDSAP384, func(k any) bool { e, ok := k.(*ecdsa.PublicKey); return ok && e.Curve == elliptic.P384() }},
		{KeyEd25519, func(k any) bool { _, ok := k.(ed25519.PublicKey); return ok }},
	} {
		t.Run(tc.keyType, func(t *testing.T) {
			l, err := p.IssueLeaf(LeafOptions{KeyType: tc.keyType})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(l.Cert.PublicKey) {
				t.Errorf("public key %T has the wrong type or size", l.Cert.PublicKey)
			}
			if l.Cert.Subject.CommonName != DefaultName || len(l.Cert.DNSNames) != 1 || l.Cert.DNSNames[0] != DefaultName {
				t.Errorf("names: CN %q SAN %v", l.Cert.Subject.CommonName, l.Cert.DNSNames)
			}
			if len(l.ChainDER) != 2 || !bytes.Equal(l.ChainDER[1], p.IntermediateDER) {
				t.Errorf("chain is not leaf+intermediate")
			}
			verifyLeaf(t, p, l, DefaultName)
		})
	}
	if _, err := p.IssueLeaf(LeafOptions{KeyType: "dsa"}); err == nil {
		t.Error("unknown key type accepted")
	}
}

func TestIssueLeafOptions(t *testing.T) {
	p := testPKI(t)
	nb := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	na := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
	l, err := p.IssueLeaf(LeafOptions{
		CommonName: "cn.example", DNSNames: []string{"a.test", "b.test"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: nb, NotAfter: na, SignatureAlgorithm: x509.SHA1WithRSA, MustStaple: true, Serial: 4242,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := l.Cert
	if c.Subject.CommonName != "cn.example" || len(c.DNSNames) != 2 || len(c.IPAddresses) != 1 || !c.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("names: %q %v %v", c.Subject.CommonName, c.DNSNames, c.IPAddresses)
	}
	if !c.NotBefore.Equal(nb) || !c.NotAfter.Equal(na) {
		t.Errorf("validity %v..%v, want %v..%v", c.NotBefore, c.NotAfter, nb, na)
	}
	if c.SignatureAlgorithm != x509.SHA1WithRSA {
		t.Errorf("signature algorithm %v, want SHA1-RSA", c.SignatureAlgorithm)
	}
	if c.SerialNumber.Int64() != 4242 {
		t.Errorf("serial %v", c.SerialNumber)
	}
	staple := false
	for _, e := range c.Extensions {
		if e.Id.Equal(oidTLSFeature) && bytes.Equal(e.Value, []byte{0x30, 0x03, 0x02, 0x01, 0x05}) {
			staple = true
		}
	}
	if !staple {
		t.Error("no TLS Feature status_request extension")
	}
	if err := c.CheckSignatureFrom(p.Intermediate); err == nil {
		t.Error("Go verified a SHA-1 signature; expected it to refuse (InsecureAlgorithmError)")
	}

	ca, err := p.IssueLeaf(LeafOptions{IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Cert.IsCA || ca.Cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Error("IsCA leaf is not a CA")
	}

	self, err := p.IssueLeaf(LeafOptions{SelfSigned: true, KeyType: KeyECDSAP256})
	if err != nil {
		t.Fatal(err)
	}
	if c := self.Cert; len(self.ChainDER) != 1 || c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) != nil {
		t.Error("self-signed leaf does not sign itself or has a chain")
	}
	direct, err := p.IssueLeaf(LeafOptions{DirectFromRoot: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(direct.ChainDER) != 1 {
		t.Error("DirectFromRoot leaf has a chain")
	}
	verifyLeaf(t, p, direct, DefaultName)
}

func TestKeysCachedAndDistinct(t *testing.T) {
	p := testPKI(t)
	a, err := p.IssueLeaf(LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.IssueLeaf(LeafOptions{DNSNames: []string{"other.test"}})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Key.Public().(*rsa.PublicKey).Equal(b.Key.Public()) {
		t.Error("RSA-2048 leaf key not cached")
	}
	if a.Cert.SerialNumber.Cmp(b.Cert.SerialNumber) == 0 {
		t.Error("two leaves share a serial number")
	}
	k := a.Key.Public().(*rsa.PublicKey)
	if k.Equal(p.RootKey.Public()) || k.Equal(p.IntermediateKey.Public()) || p.RootKey.Public().(*rsa.PublicKey).Equal(p.IntermediateKey.Public()) {
		t.Error("leaf, intermediate and root keys are not distinct")
	}
	if !p.Root.IsCA || !p.Intermediate.IsCA || p.Intermediate.CheckSignatureFrom(p.Root) != nil {
		t.Error("CA hierarchy broken")
	}
}

func TestWritePEM(t *testing.T) {
	p := testPKI(t)
	for _, opts := range []LeafOptions{{KeyType: KeyECDSAP256}, {SelfSigned: true}} {
		l, err := p.IssueLeaf(opts)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		certFile, keyFile, chainFile, err := l.WritePEM(dir)
		if err != nil {
			t.Fatal(err)
		}
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatalf("cert.pem/key.pem do not load: %v", err)
		}
		if len(pair.Certificate) != 1 || !bytes.Equal(pair.Certificate[0], l.DER) {
			t.Error("cert.pem is not the leaf alone")
		}
		if opts.SelfSigned != (chainFile == "") {
			t.Errorf("chainFile %q for SelfSigned=%v", chainFile, opts.SelfSigned)
		}
		if chainFile != "" {
			if !bytes.Equal(l.ChainPEM(), p.intermediatePEMForTest()) {
				t.Error("chain.pem is not the intermediate")
			}
		}
		full, err := tls.X509KeyPair(l.FullChainPEM(), mustKeyPEM(t, l))
		if err != nil || len(full.Certificate) != len(l.ChainDER) {
			t.Errorf("full chain PEM: %v (%d certs)", err, len(full.Certificate))
		}
	}
}

func (p *PKI) intermediatePEMForTest() []byte { return pemCerts([][]byte{p.IntermediateDER}) }

func mustKeyPEM(t *testing.T, l *Leaf) []byte {
	t.Helper()
	k, err := l.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
