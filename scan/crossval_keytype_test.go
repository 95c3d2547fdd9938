package scan

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// Found by bench/crossval: an Ed25519 certificate is used at TLS 1.2 with
// the ECDHE_ECDSA suites (RFC 8422), and the chain was first captured there,
// so it was labelled an "ECDSA" chain ("ECDSA key" in the report) although
// its key is Ed25519 (sslscan and OpenSSL name it ED25519).
func TestCrossvalEd25519ChainKeyType(t *testing.T) {
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{DNSNames: []string{tlstest.DefaultName}, KeyType: tlstest.KeyEd25519})
	if err != nil {
		t.Fatal(err)
	}
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{Leaf: leaf, MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.3"})
	o := scanServer(t, srv)
	if len(o.Chains) != 1 {
		t.Fatalf("%d chains, want 1", len(o.Chains))
	}
	c := o.Chains[0]
	if c.Certificates[0].KeyType != "Ed25519" {
		t.Fatalf("leaf key type %q, want Ed25519", c.Certificates[0].KeyType)
	}
	if c.KeyType != "Ed25519" {
		t.Errorf("chain key type %q (obtained over %s), want Ed25519, the leaf's key", c.KeyType, c.Protocol)
	}
	if p := proto(o, "TLSv1.2"); !p.Supported || len(p.Suites) == 0 {
		t.Errorf("TLS 1.2 with the Ed25519 certificate not found: %+v", p)
	}
}
