//go:build linux

package main

// End-to-end tests of named trust stores: a test PKI whose root is in one
// bundle and not in another, and a root cross-signed by an older root, so
// that the served chain gives two paths (leaf > issuing CA > new root, as
// stores holding the new root build it; leaf > issuing CA > cross-signed new
// root > old root, as stores holding only the old root build it: the
// ISRG Root X1 / DST Root CA X3 arrangement). Audited through the whole
// command against an in-process TLS server on 127.0.0.1.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// crossPKI is the test PKI: newRoot and oldRoot are self-signed; cross is
// newRoot's name and key signed by oldRoot; issuing is signed by newRoot's
// key; the server sends leaf, issuing, cross.
type crossPKI struct {
	newRoot, oldRoot, otherRoot, cross, issuing *x509.Certificate
	leaf                                        *tlstest.Leaf
	dir                                         string
	newFile, oldFile, otherFile                 string
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// selfSignedRoot makes a root CA valid from notBefore for ten years.
func selfSignedRoot(t *testing.T, key crypto.Signer, cn string, notBefore time.Time) *x509.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"tlsaudit"}},
		NotBefore:             notBefore,
		NotAfter:              notBefore.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return createCert(t, tmpl, tmpl, key.Public(), key)
}

func newCrossPKI(t *testing.T) *crossPKI { return newCrossPKIAged(t, 3) }

// newCrossPKIAged makes the PKI with an old root issued oldYears ago (valid
// for ten years: expired when oldYears > 10).
func newCrossPKIAged(t *testing.T, oldYears int) *crossPKI {
	t.Helper()
	newKey, oldKey, otherKey, issKey := ecKey(t), ecKey(t), ecKey(t), ecKey(t)
	now := time.Now()
	p := &crossPKI{dir: t.TempDir()}
	p.newRoot = selfSignedRoot(t, newKey, "Test New Root", now.AddDate(0, 0, -10))
	p.oldRoot = selfSignedRoot(t, oldKey, "Test Old Root", now.AddDate(-oldYears, 0, 0))
	p.otherRoot = selfSignedRoot(t, otherKey, "Test Other Root", now.AddDate(-1, 0, 0))
	p.cross = signCA(t, p.oldRoot, oldKey, newKey, "Test New Root", nil)
	p.issuing = signCA(t, p.newRoot, newKey, issKey, "Test Issuing CA", nil)
	p.leaf = signLeaf(t, p.issuing, issKey, nil)
	p.leaf.ChainDER = [][]byte{p.leaf.DER, p.issuing.Raw, p.cross.Raw}
	p.newFile = filepath.Join(p.dir, "new.pem")
	p.oldFile = filepath.Join(p.dir, "old.pem")
	p.otherFile = filepath.Join(p.dir, "other.pem")
	writePEM(t, p.newFile, "CERTIFICATE", p.newRoot.Raw)
	writePEM(t, p.oldFile, "CERTIFICATE", p.oldRoot.Raw)
	writePEM(t, p.otherFile, "CERTIFICATE", p.otherRoot.Raw)
	return p
}

// storesArgs are the flags every case uses: the machine's own stores left
// out, so that the result does not depend on the machine.
var storesArgs = []string{"--quick", "--system-store=false", "--platform-stores=false", "--sni", tlstest.DefaultName}

func (p *crossPKI) serve(t *testing.T) *tlstest.Server {
	return tlstest.NewGoServerT(t, &tls.Config{Certificates: []tls.Certificate{p.leaf.TLSCertificate()}})
}

func storeTrust(t *testing.T, r *report.Report, name string) cert.StoreTrust {
	t.Helper()
	for _, st := range r.Certificates.Chains[0].Trust {
		if st.Store == name {
			return st
		}
	}
	t.Fatalf("no trust line for store %q", name)
	return cert.StoreTrust{}
}

func subjects(p *cert.TrustPath) []string {
	var out []string
	for _, c := range p.Certs {
		out = append(out, strings.TrimPrefix(strings.Split(c.Subject, ", ")[0], "CN="))
	}
	return out
}

// TestNamedStoresShowWhichPathEachStoreBuilds: the store holding the new
// root builds the short path, the store holding only the old root the path
// through the cross-signed certificate, the store holding neither trusts
// nothing; the chain is graded on mozilla and custom only.
func TestNamedStoresShowWhichPathEachStoreBuilds(t *testing.T) {
	p := newCrossPKI(t)
	srv := p.serve(t)
	res := runCmd(t, "", append(append([]string{"--json", "--ca-file", p.newFile,
		"--trust-store", "new=" + p.newFile, "--trust-store", "old=" + p.oldFile, "--trust-store", "other=" + p.otherFile},
		storesArgs...), srv.Addr)...)
	res.expect(t, exitOK)
	var reps []*report.Report
	if err := json.Unmarshal([]byte(res.stdout), &reps); err != nil || len(reps) != 1 || reps[0].Certificates == nil {
		t.Fatalf("report: %v\n%s", err, res.stdout)
	}
	r := reps[0]

	newT, oldT, otherT := storeTrust(t, r, "new"), storeTrust(t, r, "old"), storeTrust(t, r, "other")
	want := map[string][]string{
		"new": {tlstest.DefaultName, "Test Issuing CA", "Test New Root"},
		"old": {tlstest.DefaultName, "Test Issuing CA", "Test New Root", "Test Old Root"},
	}
	for name, st := range map[string]cert.StoreTrust{"new": newT, "old": oldT} {
		if !st.Trusted {
			t.Errorf("store %s: not trusted (%s), want trusted", name, st.Reason)
			continue
		}
		got := subjects(st.BestPath())
		if strings.Join(got, " > ") != strings.Join(want[name], " > ") {
			t.Errorf("store %s builds %q, want %q", name, got, want[name])
		}
		last := st.BestPath().Certs[len(got)-1]
		if last.Source != "store" {
			t.Errorf("store %s: path ends in a %s certificate, want the store's anchor", name, last.Source)
		}
		if !st.Informational {
			t.Errorf("store %s decides the grade; named stores are informational", name)
		}
		if st.Provenance == nil || st.Provenance.Origin != "file" || st.Provenance.DateSource != "newest_certificate" {
			t.Errorf("store %s: provenance %+v, want a file dated by its newest root", name, st.Provenance)
		}
	}
	// The old root's path goes through the served cross-signed certificate.
	if c := oldT.BestPath().Certs[2]; c.Source != "served" || c.Index != 2 {
		t.Errorf("old store: third certificate %+v, want the served cross-signed root (#2)", c)
	}
	if oldT.Provenance.AgeDays < 3*365-2 {
		t.Errorf("old store: %d days old, want about three years (its root's notBefore)", oldT.Provenance.AgeDays)
	}
	if otherT.Trusted || !strings.Contains(otherT.Reason, "unknown issuer") {
		t.Errorf("other store: trusted=%v reason %q, want untrusted: unknown issuer", otherT.Trusted, otherT.Reason)
	}
	if custom := storeTrust(t, r, "custom"); !custom.Trusted || custom.Informational {
		t.Errorf("custom: %+v, want trusted and deciding", custom)
	}
	if moz := storeTrust(t, r, "mozilla"); moz.Trusted || moz.Informational || moz.Provenance == nil || moz.Provenance.Origin != "embedded" {
		t.Errorf("mozilla: %+v, want untrusted, deciding, embedded", moz)
	}
	if failed(r.Findings, checks.IDCertUntrusted) {
		t.Errorf("cert.untrusted fails although custom trusts the chain")
	}
	verdicts := map[string]checks.Status{}
	for _, f := range r.Findings {
		if f.CheckID == checks.IDCertStoreTrust {
			st, _ := cert.StoreOfSubject(f.Subject)
			verdicts[st] = f.Status
		}
	}
	// mozilla is a public store on a private PKI: its verdict is shown, not
	// failed; "other" is a store the user named and keeps its failure.
	wantV := map[string]checks.Status{"mozilla": "not_applicable", "custom": "pass", "new": "pass", "old": "pass", "other": "fail"}
	for name, s := range wantV {
		if verdicts[name] != s {
			t.Errorf("cert.store_trust for %s: %q, want %q (all: %v)", name, verdicts[name], s, verdicts)
		}
	}
}

// TestRequireStoreGatesOnTheNamedStore: --require-store and the policy's
// require_stores fail (exit 1) when the store does not trust the chain,
// pass when it does, and a store that is not configured is a usage error.
func TestRequireStoreGatesOnTheNamedStore(t *testing.T) {
	p := newCrossPKI(t)
	srv := p.serve(t)
	base := append([]string{"--quiet", "--ca-file", p.newFile, "--trust-store", "old=" + p.oldFile,
		"--trust-store", "other=" + p.otherFile}, storesArgs...)
	run := func(extra ...string) result {
		return runCmd(t, "", append(append(append([]string(nil), base...), extra...), srv.Addr)...)
	}
	run("--require-store", "old").expect(t, exitOK)
	r := run("--require-store", "old", "--require-store", "other")
	r.expect(t, exitPolicy)
	if !strings.Contains(r.stderr, "--require-store other: not trusted by other: unknown issuer") || strings.Contains(r.stderr, "require-store old") {
		t.Errorf("stderr %q, want one line for the store other", r.stderr)
	}
	pol := filepath.Join(p.dir, "policy.yaml")
	if err := os.WriteFile(pol, []byte("require_stores: [old, other]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run("--policy", pol)
	r.expect(t, exitPolicy)
	if !strings.Contains(r.stderr, "require_stores: other: not trusted by other") {
		t.Errorf("stderr %q, want the policy's require_stores line", r.stderr)
	}
	r = run("--require-store", "apple")
	r.expect(t, exitUsage)
	if !strings.Contains(r.stderr, "--require-store apple: no such trust store") || !strings.Contains(r.stderr, "testssl.sh") {
		t.Errorf("stderr %q, want one line naming the missing store and where platform stores come from", r.stderr)
	}
}

// TestTrustStoreDirAndTextReport: --trust-store-dir makes one store per
// NAME.pem; the text report shows one line per store with its path and age.
func TestTrustStoreDirAndTextReport(t *testing.T) {
	p := newCrossPKI(t)
	srv := p.serve(t)
	dir := filepath.Join(p.dir, "stores")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writePEM(t, filepath.Join(dir, "Legacy.pem"), "CERTIFICATE", p.oldRoot.Raw)
	writePEM(t, filepath.Join(dir, "current.pem"), "CERTIFICATE", p.newRoot.Raw)
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("not a store"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := runCmd(t, "", append(append([]string{"--color", "never", "--trust-store-dir", dir}, storesArgs...), srv.Addr)...)
	res.expect(t, exitOK)
	for _, want := range []string{
		"current  trusted via 1 path: #0 > #1 > root CN=Test New Root",
		"legacy   trusted via 1 path: #0 > #1 > #2 > root CN=Test Old Root",
		"days old",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, res.stdout)
		}
	}
	for _, bad := range [][]string{
		{"--trust-store", "mozilla=" + p.newFile},
		{"--trust-store", "new"},
		{"--trust-store", "Bad Name=" + p.newFile},
		{"--trust-store", "a=" + filepath.Join(p.dir, "missing.pem")},
		{"--trust-store", "a=" + p.newFile, "--trust-store", "a=" + p.oldFile},
		{"--trust-store-dir", filepath.Join(p.dir, "missing")},
	} {
		r := runCmd(t, "", append(bad, "127.0.0.1:1")...)
		r.expect(t, exitUsage)
		if strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
			t.Errorf("%v: want a short error, got %q", bad, r.stderr)
		}
	}
}

// TestStoreVerdictsInEveryFormat: each store's verdict is one entry of the
// CI formats (a cert.store_trust row, test case or result naming the store)
// and one line of the HTML page, with its age and role.
func TestStoreVerdictsInEveryFormat(t *testing.T) {
	p := newCrossPKI(t)
	srv := p.serve(t)
	base := append([]string{"--trust-store", "old=" + p.oldFile, "--trust-store", "other=" + p.otherFile}, storesArgs...)
	out := func(format string) string {
		r := runCmd(t, "", append(append([]string{"--format", format}, base...), srv.Addr)...)
		r.expect(t, exitOK)
		return r.stdout
	}
	csv := out("csv")
	for _, want := range []string{"cert.store_trust,Chain trusted by store,cert,info,pass,store old,\"trusted by old; path tlsaudit.test > Test Issuing CA > Test New Root > Test Old Root (anchor)",
		"cert.store_trust,Chain trusted by store,cert,info,fail,store other,\"not trusted by other: unknown issuer"} {
		if !strings.Contains(csv, want) {
			t.Errorf("csv lacks %q:\n%s", want, csv)
		}
	}
	junit := out("junit")
	if !strings.Contains(junit, `cert.store_trust [store other]`) || !strings.Contains(junit, `cert.store_trust [store old]`) {
		t.Errorf("junit lacks a test case per store:\n%s", junit)
	}
	sarif := out("sarif")
	if !strings.Contains(sarif, "not trusted by other: unknown issuer") {
		t.Errorf("sarif lacks the store other's result:\n%s", sarif)
	}
	html := out("html")
	for _, want := range []string{"<strong>old</strong>: <span class=\"ok\">trusted</span>", "informational, does not decide the grade", "days old"} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
}

// TestPlatformStoresFromTestsslPackage: the root stores Debian's testssl.sh
// package installs are offered, unasked, as apple, windows and java, each
// dated and called a snapshot; a chain of a private PKI is untrusted by all
// three, which does not change the grade and is not a failed finding, while
// --require-store java still fails with java's reason.
func TestPlatformStoresFromTestsslPackage(t *testing.T) {
	for _, f := range []string{"Apple.pem", "Microsoft.pem", "Java.pem"} {
		if _, err := os.Stat(filepath.Join("/etc/testssl", f)); err != nil {
			t.Fatalf("/etc/testssl/%s: %v: install Debian's testssl.sh package (apt-get install testssl.sh; .ci/run does)", f, err)
		}
	}
	p := newCrossPKI(t)
	srv := p.serve(t)
	res := runCmd(t, "", "--json", "--quick", "--system-store=false", "--ca-file", p.newFile, "--sni", tlstest.DefaultName,
		"--require-store", "java", srv.Addr)
	res.expect(t, exitPolicy)
	if !strings.Contains(res.stderr, "--require-store java: not trusted by java: unknown issuer") {
		t.Errorf("stderr %q, want the --require-store java line", res.stderr)
	}
	var reps []*report.Report
	if err := json.Unmarshal([]byte(res.stdout), &reps); err != nil || len(reps) != 1 || reps[0].Certificates == nil {
		t.Fatalf("report: %v\n%s", err, res.stdout)
	}
	r := reps[0]
	for _, name := range []string{"apple", "windows", "java"} {
		st := storeTrust(t, r, name)
		pv := st.Provenance
		if st.Trusted || !st.Informational || st.Roots < 50 || pv == nil || pv.Origin != "platform" ||
			!strings.HasPrefix(pv.File, "/etc/testssl/") || !strings.Contains(pv.Note, "snapshot") {
			t.Errorf("%s: %+v (provenance %+v), want an untrusted informational platform snapshot of 50+ roots", name, st, pv)
			continue
		}
		if pv.Date.Year() > 2023 || pv.AgeDays < 365 || pv.FileModified.IsZero() || pv.FileAgeDays < 365 {
			t.Errorf("%s: dated %s (%d days old), file %s (%d days old), want the package's 2022 snapshot",
				name, pv.Date, pv.AgeDays, pv.FileModified, pv.FileAgeDays)
		}
	}
	if failed(r.Findings, checks.IDCertUntrusted) || r.Grade == nil || r.Grade.Letter == "T" {
		t.Errorf("the platform stores decided the grade: %+v", r.Grade)
	}
	for _, f := range r.Findings {
		if st, _ := cert.StoreOfSubject(f.Subject); f.CheckID == checks.IDCertStoreTrust && st == "java" &&
			(f.Status != checks.StatusNotApplicable || f.Severity != checks.SeverityInfo || !strings.Contains(f.Detail, "a snapshot of the Java") ||
				!strings.Contains(f.Detail, "expected: private PKI trusted via --ca-file")) {
			t.Errorf("java's finding %+v, want a not_applicable verdict (a public store on a private PKI) naming the snapshot and the private PKI", f)
		}
	}
}

// TestServeShowsEveryStoreInTrustPaths: tlsaudit serve validates against
// the platform stores of the testssl.sh package too: the SSL Labs API's
// certChains[].trustPaths carry one trust entry per store (Mozilla, Custom,
// Apple, Java, Windows), and getRootCertsRaw serves the platform roots.
func TestServeShowsEveryStoreInTrustPaths(t *testing.T) {
	if _, err := os.Stat("/etc/testssl/Java.pem"); err != nil {
		t.Fatalf("%v: install Debian's testssl.sh package (apt-get install testssl.sh; .ci/run does)", err)
	}
	p := newCrossPKI(t)
	srv := p.serve(t)
	_, addr := serveChild(t, "--db", filepath.Join(t.TempDir(), "serve.db"), "--listen", "127.0.0.1:0",
		"--allow-targets", "127.0.0.1", "--workers", "1", "--cool-off", "1ms", "--quick", "--ca-file", p.newFile)
	base := "http://" + addr
	// The certificate names no address: ignoreMismatch=on, as an SSL Labs
	// user asks to assess it all the same.
	getJSON(t, base+"/api/v3/analyze?host="+srv.Addr+"&startNew=on&ignoreMismatch=on", nil)
	if h := waitHost(t, base, srv.Addr, 2*time.Minute); h.Status != "READY" {
		t.Fatalf("assessment: %+v", h)
	}
	var ep struct {
		Details struct {
			CertChains []struct {
				TrustPaths []struct {
					CertIDs []string `json:"certIds"`
					Trust   []struct {
						RootStore string  `json:"rootStore"`
						IsTrusted bool    `json:"isTrusted"`
						Message   *string `json:"trustErrorMessage"`
					} `json:"trust"`
				} `json:"trustPaths"`
			} `json:"certChains"`
		} `json:"details"`
	}
	if code := getJSON(t, base+"/api/v3/getEndpointData?host="+srv.Addr+"&s=127.0.0.1", &ep); code != 200 || len(ep.Details.CertChains) == 0 {
		t.Fatalf("getEndpointData: %d %+v", code, ep)
	}
	got := map[string]bool{}
	for _, tp := range ep.Details.CertChains[0].TrustPaths {
		for _, tr := range tp.Trust {
			got[tr.RootStore] = tr.IsTrusted
			if !tr.IsTrusted && (tr.Message == nil || *tr.Message == "") {
				t.Errorf("%s: untrusted without a message", tr.RootStore)
			}
		}
	}
	want := map[string]bool{"Mozilla": false, "Custom": true, "Apple": false, "Java": false, "Windows": false}
	for store, trusted := range want {
		if v, ok := got[store]; !ok || v != trusted {
			t.Errorf("trustPaths: %s present=%v trusted=%v, want trusted=%v (all: %v)", store, ok, v, trusted, got)
		}
	}
	for id, min := range map[string]int{"2": 50, "4": 50, "5": 200} {
		var rc struct {
			RootCerts string `json:"rootCerts"`
		}
		if code := getJSON(t, base+"/api/v3/getRootCertsRaw?trustStore="+id, &rc); code != 200 || strings.Count(rc.RootCerts, "BEGIN CERTIFICATE") < min {
			t.Errorf("getRootCertsRaw trustStore=%s: %d, %d certificates, want %d or more", id, code, strings.Count(rc.RootCerts, "BEGIN CERTIFICATE"), min)
		}
	}
}

// TestExpiredCrossSigningRootFailsOnlyWhereItIsTheAnchor is the Let's
// Encrypt case of September 2021: the served chain ends in the new root
// cross-signed by an old root that has since expired (DST Root CA X3). A
// store holding the new root trusts the short path; a store holding only
// the expired old root does not, and says why.
func TestExpiredCrossSigningRootFailsOnlyWhereItIsTheAnchor(t *testing.T) {
	p := newCrossPKIAged(t, 12)
	srv := p.serve(t)
	res := runCmd(t, "", append(append([]string{"--json", "--trust-store", "new=" + p.newFile, "--trust-store", "old=" + p.oldFile},
		storesArgs...), srv.Addr)...)
	res.expect(t, exitOK)
	var reps []*report.Report
	if err := json.Unmarshal([]byte(res.stdout), &reps); err != nil || len(reps) != 1 || reps[0].Certificates == nil {
		t.Fatalf("report: %v\n%s", err, res.stdout)
	}
	newT, oldT := storeTrust(t, reps[0], "new"), storeTrust(t, reps[0], "old")
	if !newT.Trusted || len(newT.BestPath().Certs) != 3 {
		t.Errorf("new store: %+v, want trusted by the 3-certificate path", newT)
	}
	if oldT.Trusted || !strings.Contains(oldT.Reason, "expired: CN=Test Old Root") {
		t.Errorf("old store: trusted=%v reason %q, want untrusted: the old root expired", oldT.Trusted, oldT.Reason)
	}
	if p := oldT.BestPath(); p == nil || strings.Join(subjects(p), " > ") != tlstest.DefaultName+" > Test Issuing CA > Test New Root > Test Old Root" {
		t.Errorf("old store: path %v, want the path through the cross-certificate", oldT.BestPath())
	}
}
