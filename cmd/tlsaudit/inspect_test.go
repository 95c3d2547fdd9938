package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type inspectPKI struct {
	dir                                              string
	root, inter, leaf, expired, key, csr, junk, key2 string
}

func writePEM(t *testing.T, path, typ string, der ...[]byte) string {
	t.Helper()
	var b bytes.Buffer
	for _, d := range der {
		pem.Encode(&b, &pem.Block{Type: typ, Bytes: d})
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func newInspectPKI(t *testing.T) inspectPKI {
	dir := t.TempDir()
	now := time.Now()
	key := func() *ecdsa.PrivateKey { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k }
	rootKey, interKey, leafKey := key(), key(), key()
	ca := func(cn string, n int64) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(n), Subject: pkix.Name{CommonName: cn}, IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour)}
	}
	rootT := ca("Inspect Root", 1)
	rootDER, _ := x509.CreateCertificate(rand.Reader, rootT, rootT, rootKey.Public(), rootKey)
	root, _ := x509.ParseCertificate(rootDER)
	interDER, _ := x509.CreateCertificate(rand.Reader, ca("Inspect Intermediate", 2), root, interKey.Public(), rootKey)
	inter, _ := x509.ParseCertificate(interDER)
	leafT := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "www.example.test"}, DNSNames: []string{"www.example.test"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(60 * 24 * time.Hour)}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leafT, inter, leafKey.Public(), interKey)
	leafT.SerialNumber, leafT.NotAfter = big.NewInt(4), now.Add(-time.Minute)
	expDER, _ := x509.CreateCertificate(rand.Reader, leafT, inter, leafKey.Public(), interKey)
	csrDER, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "www.example.test"},
		DNSNames: []string{"www.example.test"}}, leafKey)
	pk, _ := x509.MarshalPKCS8PrivateKey(leafKey)
	other, _ := x509.MarshalECPrivateKey(key())
	p := inspectPKI{dir: dir}
	p.root = writePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", rootDER)
	p.inter = writePEM(t, filepath.Join(dir, "inter.pem"), "CERTIFICATE", interDER)
	p.leaf = filepath.Join(dir, "leaf.der")
	os.WriteFile(p.leaf, leafDER, 0o600)
	p.expired = writePEM(t, filepath.Join(dir, "expired.pem"), "CERTIFICATE", expDER, interDER)
	p.key = writePEM(t, filepath.Join(dir, "leaf.key"), "PRIVATE KEY", pk)
	p.key2 = filepath.Join(dir, "other.key.der")
	os.WriteFile(p.key2, other, 0o600)
	p.csr = writePEM(t, filepath.Join(dir, "leaf.csr"), "CERTIFICATE REQUEST", csrDER)
	p.junk = filepath.Join(dir, "notes.txt")
	os.WriteFile(p.junk, []byte("hello, this is not a certificate\n"), 0o600)
	return p
}

func runI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runInspect(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestInspectGoodChain(t *testing.T) {
	p := newInspectPKI(t)
	code, out, errs := runI("--ca-file", p.root, "--host", "www.example.test", p.leaf, p.inter, p.key, p.csr)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, errs, out)
	}
	for _, want := range []string{"www.example.test", "Inspect Intermediate", "ECDSA 256", "ECDSA-SHA256",
		"Trust custom:  trusted (www.example.test -> Inspect Intermediate -> Inspect Root)", "Trust mozilla: NOT trusted: unknown issuer",
		"matches certificate #0", "CSR " + p.csr} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "cert.hostname_mismatch") || strings.Contains(out, "cert.untrusted") {
		t.Errorf("unexpected findings:\n%s", out)
	}
}

func TestInspectProblems(t *testing.T) {
	p := newInspectPKI(t)
	// Expired leaf, chain given intermediate first, a key matching nothing, wrong host.
	code, out, _ := runI("--ca-file", p.root, "--host", "other.test", p.inter, p.expired, p.key2)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"cert.expired", "cert.chain_order", "inspect.key_mismatch", "cert.hostname_mismatch", "cert.chain_duplicate"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	// Without --ca-file the private chain is untrusted.
	code, out, _ = runI("--json", p.leaf, p.inter)
	var res inspectResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if code != 1 || res.Analysis == nil || res.Analysis.Chains[0].Trust[0].Trusted {
		t.Errorf("exit %d, analysis %+v", code, res.Analysis)
	}
	found := false
	for _, f := range res.Findings {
		found = found || f.CheckID == "cert.untrusted"
	}
	if !found {
		t.Errorf("no cert.untrusted finding: %+v", res.Findings)
	}
}

func TestInspectNotACertificate(t *testing.T) {
	p := newInspectPKI(t)
	code, out, errs := runI(p.leaf, p.junk)
	want := "tlsaudit: error: " + p.junk + ": not a certificate, CSR or private key (PEM or DER)\n"
	if code != 2 || errs != want || out != "" {
		t.Errorf("exit %d, stderr %q (want %q), stdout %q", code, errs, want, out)
	}
	if code, _, errs := runI(); code != 2 || !strings.Contains(errs, "no files given") {
		t.Errorf("no files: %d %q", code, errs)
	}
	if code, _, errs := runI(filepath.Join(p.dir, "missing.pem")); code != 2 || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: %d %q", code, errs)
	}
}

// TestInspectFindingsFit100: a long detail (zlint lists every lint) goes
// under its check, wrapped, so no findings line is wider than 100 columns.
func TestInspectFindingsFit100(t *testing.T) {
	p := newInspectPKI(t)
	_, out, _ := runI("--host", "other.test", p.inter, p.expired, p.key2)
	_, findings, ok := strings.Cut(out, "Findings:\n")
	if !ok || !strings.Contains(findings, "cert.zlint") {
		t.Fatalf("no findings or no zlint finding:\n%s", out)
	}
	for _, l := range strings.Split(findings, "\n") {
		// A head alone (severity, check, subject: a temporary file's path
		// here) may be longer; what follows it is wrapped.
		if len(l) > 100 && !strings.HasSuffix(l, ":") {
			t.Errorf("findings line of %d columns: %q", len(l), l)
		}
	}
}
