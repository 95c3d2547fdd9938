package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// TestRogueRootChainIsUntrustedNotIncomplete: nginx serves leaf +
// intermediate issued by a self-signed root that no store holds (not the
// --ca-file root): the chain is complete up to an unknown root, so
// cert.untrusted fails and cert.chain_incomplete passes.
func TestRogueRootChainIsUntrustedNotIncomplete(t *testing.T) {
	e := newE2E(t)
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	interKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "rogue root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	root := createCert(t, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	inter := signCA(t, root, rootKey, interKey, "rogue intermediate", nil)
	leaf := signLeaf(t, inter, interKey, nil)
	leaf.ChainDER = append(leaf.ChainDER, inter.Raw)
	srv := serve(t, "nginx", leaf)
	res := runCmd(t, "", "--json", "--ca-file", e.rootFile, "--sni", tlstest.DefaultName, srv.Addr)
	var reps []*report.Report
	if err := json.Unmarshal([]byte(res.stdout), &reps); err != nil || len(reps) != 1 {
		t.Fatalf("report JSON: %v\n%s%s", err, res.stdout, res.stderr)
	}
	r := reps[0]
	if r.Certificates == nil || len(r.Certificates.Chains) == 0 {
		t.Fatalf("no certificate analysis:\n%s", res.stdout)
	}
	q := r.Certificates.Chains[0].Quality
	if q.Incomplete || !q.UnknownRoot || !strings.Contains(q.UnknownIssuer, "rogue root") {
		t.Errorf("quality %+v, want unknown root, not incomplete", q)
	}
	if !failed(r.Findings, checks.IDCertUntrusted) || failed(r.Findings, checks.IDCertChainIncomplete) {
		t.Errorf("untrusted %v, chain_incomplete %v", statuses(r.Findings, checks.IDCertUntrusted), statuses(r.Findings, checks.IDCertChainIncomplete))
	}
	for _, c := range r.Grade.Caps {
		if c.CheckID == checks.IDCertChainIncomplete {
			t.Errorf("incomplete-chain cap on a complete chain: %+v", c)
		}
	}
	if f := findingOf(r.Findings, checks.IDCertUntrusted); !strings.Contains(f.Detail, "not in any store") {
		t.Errorf("cert.untrusted detail %q does not say the issuer is in no store", f.Detail)
	}
}
