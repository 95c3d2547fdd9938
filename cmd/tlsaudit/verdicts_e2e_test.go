package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/checks/strength"
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

// opensslOCSP makes OCSP responses with `openssl ocsp` from an index file,
// in the shapes RFC 6960 4.2.2.2 allows.
type opensslOCSP struct {
	dir, inter, interKey string
}

func newOpenSSLOCSP(t *testing.T, e *e2eEnv) *opensslOCSP {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("openssl is not installed (apt-get install openssl)")
	}
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(e.pki.IntermediateKey)
	if err != nil {
		t.Fatal(err)
	}
	return &opensslOCSP{dir: dir,
		inter:    writePEM(t, filepath.Join(dir, "inter.pem"), "CERTIFICATE", e.pki.Intermediate.Raw),
		interKey: writePEM(t, filepath.Join(dir, "inter.key"), "PRIVATE KEY", keyDER)}
}

// responder issues a delegated OCSP responder certificate from the
// intermediate, with id-kp-OCSPSigning when eku is set; it returns the
// certificate and key files.
func (o *opensslOCSP) responder(t *testing.T, e *e2eEnv, eku bool) (string, string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "tlsaudit test OCSP responder"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(0, 1, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	if eku {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}
	c := createCert(t, tmpl, e.pki.Intermediate, key.Public(), e.pki.IntermediateKey)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	name := fmt.Sprintf("responder-%v", eku)
	return writePEM(t, filepath.Join(o.dir, name+".pem"), "CERTIFICATE", c.Raw),
		writePEM(t, filepath.Join(o.dir, name+".key"), "PRIVATE KEY", keyDER)
}

// response asks openssl ocsp for the status of leaf (good, or revoked an
// hour ago), signed by signer/signerKey; noCerts leaves the signer's
// certificate out of the response. It returns the DER response.
func (o *opensslOCSP) response(t *testing.T, leaf *tlstest.Leaf, revoked bool, signer, signerKey string, noCerts bool) []byte {
	t.Helper()
	serial := fmt.Sprintf("%X", leaf.Cert.SerialNumber)
	if len(serial)%2 == 1 {
		serial = "0" + serial
	}
	exp := leaf.Cert.NotAfter.UTC().Format("060102150405Z")
	line := "V\t" + exp + "\t\t" + serial + "\tunknown\t/CN=" + tlstest.DefaultName + "\n"
	if revoked {
		line = "R\t" + exp + "\t" + time.Now().Add(-time.Hour).UTC().Format("060102150405Z") + "\t" + serial + "\tunknown\t/CN=" + tlstest.DefaultName + "\n"
	}
	index := filepath.Join(o.dir, "index.txt")
	if err := os.WriteFile(index, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	leafPEM := writePEM(t, filepath.Join(o.dir, "leaf.pem"), "CERTIFICATE", leaf.DER)
	req, resp := filepath.Join(o.dir, "req.der"), filepath.Join(o.dir, "resp.der")
	openssl := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	openssl("ocsp", "-issuer", o.inter, "-cert", leafPEM, "-no_nonce", "-reqout", req)
	args := []string{"ocsp", "-index", index, "-CA", o.inter, "-rsigner", signer, "-rkey", signerKey,
		"-reqin", req, "-respout", resp, "-ndays", "1"}
	if noCerts {
		args = append(args, "-resp_no_certs")
	}
	openssl(args...)
	// openssl itself accepts it (for the valid shapes): the same verdict is
	// expected from tlsaudit.
	der, err := os.ReadFile(resp)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestOCSPResponsesFromOpenSSLInEveryShape: responses made by `openssl
// ocsp`, signed by the issuer with its certificate embedded, by the issuer
// without certificates, by a delegated responder with id-kp-OCSPSigning
// (valid) and by one without it (invalid), good and revoked, are stapled by
// nginx (ssl_stapling_file) and served by a local OCSP responder queried
// with --check-revocation.
func TestOCSPResponsesFromOpenSSLInEveryShape(t *testing.T) {
	e := newE2E(t)
	o := newOpenSSLOCSP(t, e)
	delegated, delegatedKey := o.responder(t, e, true)
	noEKU, noEKUKey := o.responder(t, e, false)
	var mu sync.Mutex
	var current []byte // the response the local responder serves, guarded by mu
	responder := loopbackHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		der := current
		mu.Unlock()
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(der)
	}))
	shapes := []struct {
		name          string
		signer, key   string
		noCerts       bool
		valid         bool
		signer1, hint string
	}{
		{"issuer with its certificate embedded", o.inter, o.interKey, false, true, "issuer", ""},
		{"issuer without certificates", o.inter, o.interKey, true, true, "issuer", ""},
		{"delegated responder with OCSPSigning", delegated, delegatedKey, false, true, "delegated", ""},
		{"delegated responder without OCSPSigning", noEKU, noEKUKey, false, false, "", "lacks id-kp-OCSPSigning"},
	}
	for _, sh := range shapes {
		for _, revoked := range []bool{false, true} {
			want := map[bool]string{false: "good", true: "revoked"}[revoked]
			t.Run(sh.name+"/"+want, func(t *testing.T) {
				leaf := e.leaf(t, tlstest.LeafOptions{OCSPServer: []string{responder.URL}})
				der := o.response(t, leaf, revoked, sh.signer, sh.key, sh.noCerts)
				mu.Lock()
				current = der
				mu.Unlock()
				staple := filepath.Join(o.dir, "staple.der")
				if err := os.WriteFile(staple, der, 0o600); err != nil {
					t.Fatal(err)
				}
				srv := tlstest.StartNginxT(t, tlstest.NginxOptions{Leaves: []*tlstest.Leaf{leaf},
					Extra: "    ssl_stapling on;\n    ssl_stapling_file " + staple + ";"})
				args := []string{"--json", "--ca-file", e.rootFile, "--sni", tlstest.DefaultName, "--check-revocation", srv.Addr}
				res := runCmd(t, "", args...)
				var reps []*report.Report
				if err := json.Unmarshal([]byte(res.stdout), &reps); err != nil || len(reps) != 1 || reps[0].Certificates == nil {
					t.Fatalf("report JSON: %v\n%s%s", err, res.stdout, res.stderr)
				}
				r := reps[0]
				for i, ch := range r.Certificates.Chains {
					s := ch.Staple
					if s == nil {
						t.Fatalf("chain %d: no staple", i)
					}
					valid := s.SignatureValid != nil && *s.SignatureValid
					if valid != sh.valid || (sh.valid && (s.Status != want || s.Signer != sh.signer1)) {
						t.Errorf("chain %d staple %+v, want valid=%v status %s signer %q", i, s, sh.valid, want, sh.signer1)
					}
					if sh.hint != "" && !strings.Contains(s.Error, sh.hint) {
						t.Errorf("chain %d staple error %q lacks %q", i, s.Error, sh.hint)
					}
					rev := ch.Revocation
					switch {
					case len(rev) == 0:
						t.Errorf("chain %d: no revocation check", i)
					case sh.valid && (rev[0].Status != want || rev[0].Error != ""):
						t.Errorf("chain %d: OCSP query %+v, want %s", i, rev[0], want)
					case !sh.valid && (rev[0].Status != "error" || !strings.Contains(rev[0].Error, sh.hint)):
						t.Errorf("chain %d: OCSP query %+v, want an error naming %q", i, rev[0], sh.hint)
					}
				}
				if got := failed(r.Findings, "cert.ocsp_staple_invalid"); got == sh.valid {
					t.Errorf("cert.ocsp_staple_invalid failed=%v: %+v", got, findingOf(r.Findings, "cert.ocsp_staple_invalid"))
				}
				if sh.valid {
					if got := failed(r.Findings, checks.IDCertRevoked); got != revoked {
						t.Errorf("cert.revoked failed=%v: %+v", got, findingOf(r.Findings, checks.IDCertRevoked))
					}
				}
			})
		}
	}
}

// TestLegacyClientsCapRC4And3DESWithTLS13On: gnutls-serv with TLS 1.2 and
// 1.3, its TLS 1.2 order (enforced) putting 3DES or RC4 before AES-GCM.
// Every captured reference client speaks TLS 1.3 and gets an AEAD suite;
// the synthesised TLS 1.2-only legacy clients negotiate 3DES or RC4, so the
// grade is capped at C as SSL Labs caps it, and the simulation table
// shows them marked as synthesised.
func TestLegacyClientsCapRC4And3DESWithTLS13On(t *testing.T) {
	e := newE2E(t)
	leaf := e.leaf(t, tlstest.LeafOptions{})
	for _, tc := range []struct {
		name, cipher string
		caps         []string
		suite        string
		improve      string // the "To improve" line
	}{
		{"3DES", "3DES-CBC", []string{"sweet32"}, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "To improve   fix cipher.des_64bit_block (above)"},
		{"RC4", "ARCFOUR-128", []string{"rc4_modern", "rc4"}, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "To improve   fix cipher.rc4 (above)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tlstest.StartGnuTLST(t, tlstest.GnuTLSOptions{Leaves: []*tlstest.Leaf{leaf},
				Priority: "NORMAL:-CIPHER-ALL:+" + tc.cipher + ":+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+SHA1:-VERS-TLS1.0:-VERS-TLS1.1:%SERVER_PRECEDENCE"})
			res := runCmd(t, "", "--json", "--ca-file", e.rootFile, "--sni", tlstest.DefaultName, srv.Addr)
			var reps []*report.Report
			if err := json.Unmarshal([]byte(res.stdout), &reps); err != nil || len(reps) != 1 || reps[0].Grade == nil {
				t.Fatalf("report JSON: %v\n%s%s", err, res.stdout, res.stderr)
			}
			r := reps[0]
			var legacy, captured13 int
			for _, s := range r.Observation.ClientSimulations {
				switch {
				case s.Origin == "synthesised" && s.OK && s.Suite == tc.suite && s.Protocol == "TLSv1.2":
					legacy++
				case s.Origin == "captured" && s.Reference && s.OK && s.Protocol == "TLSv1.3":
					captured13++
				}
			}
			if legacy == 0 || captured13 == 0 {
				t.Errorf("%d synthesised clients negotiated %s, %d captured reference clients TLS 1.3: %+v",
					legacy, tc.suite, captured13, r.Observation.ClientSimulations)
			}
			g := r.Grade
			if g.Letter != "C" || g.Semantics != grade.Negotiated {
				t.Errorf("grade %s (%s), want C under negotiated semantics; caps %+v", g.Letter, g.Semantics, g.Caps)
			}
			for _, want := range tc.caps {
				if !slices.Contains(ruleIDs(g.Caps), want) {
					t.Errorf("cap %s missing: %q", want, ruleIDs(g.Caps))
				}
			}
			text := runCmd(t, "", "--color", "never", "--verbose", "--remediation", "nginx", "--ca-file", e.rootFile, "--sni", tlstest.DefaultName, srv.Addr)
			// The remediation (no profile asked) targets intermediate and
			// adds none of old's 3DES/CBC/static-RSA suites.
			if !strings.Contains(text.stdout, "Remediation (nginx, Mozilla intermediate") || strings.Contains(text.stdout, "DES-CBC3-SHA") ||
				strings.Contains(text.stdout, ":AES128-SHA") {
				t.Errorf("remediation is not intermediate or weakens the server:\n%s", text.stdout)
			}
			// The table marks the synthesised clients; "To improve" names
			// the cap holding the grade, not the HSTS warning.
			for _, want := range []string{"IE 11 / Win 7 † *", "† synthesised from published capabilities", tc.improve} {
				if !strings.Contains(text.stdout, want) {
					t.Errorf("text report lacks %q:\n%s", want, text.stdout)
				}
			}
		})
	}
}

// TestPrivatePKILintsAreInformational: nginx serves a chain of the test
// PKI, trusted only through --ca-file, whose leaf breaks CA/B Forum and
// root-program rules (".test" is no valid TLD, 500 days of validity): those
// lints become informational, so --fail-on medium passes an otherwise A+
// server, and the public store's "untrusted" line is shown without red.
func TestPrivatePKILintsAreInformational(t *testing.T) {
	e := newE2E(t)
	now := time.Now()
	leaf := e.leaf(t, tlstest.LeafOptions{NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 0, 500)})
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{Leaves: []*tlstest.Leaf{leaf}, Protocols: "TLSv1.2 TLSv1.3",
		Ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305", HSTS: "max-age=63072000"})
	args := []string{"--ca-file", e.rootFile, "--sni", tlstest.DefaultName}
	res := runCmd(t, "", append(append([]string{"--json", "--fail-on", "medium"}, args...), srv.Addr)...)
	var reps []*report.Report
	if err := json.Unmarshal([]byte(res.stdout), &reps); err != nil || len(reps) != 1 || reps[0].Certificates == nil {
		t.Fatalf("report JSON: %v\n%s%s", err, res.stdout, res.stderr)
	}
	r := reps[0]
	if res.code != exitOK {
		t.Errorf("--fail-on medium: exit %d, want %d\n%s", res.code, exitOK, res.stderr)
	}
	if !r.Certificates.Chains[0].PrivatePKI {
		t.Errorf("chain not marked private_pki: %+v", r.Certificates.Chains[0].Trust)
	}
	if r.Grade == nil || r.Grade.Letter != "A+" {
		t.Errorf("grade %+v, want A+", r.Grade)
	}
	var sawTLD bool
	for _, f := range r.Findings {
		if f.CheckID != "cert.zlint" || f.Status != checks.StatusFail {
			continue
		}
		if strings.Contains(f.Detail, "e_dnsname_not_valid_tld") {
			sawTLD = true
			if !strings.Contains(f.Detail, "informational, private PKI") {
				t.Errorf("the TLD lint is not marked informational: %s", f.Detail)
			}
		}
		if f.Severity == checks.SeverityMedium || f.Severity == checks.SeverityHigh {
			t.Errorf("cert.zlint %s on a private PKI: %s", f.Severity, f.Detail)
		}
	}
	if !sawTLD {
		t.Errorf("no e_dnsname_not_valid_tld lint reported for %s", tlstest.DefaultName)
	}
	text := runCmd(t, "", append(append([]string{"--color", "always"}, args...), srv.Addr)...)
	if !strings.Contains(text.stdout, "mozilla  untrusted (expected: private PKI trusted via --ca-file)") ||
		strings.Contains(text.stdout, "\x1b[31muntrusted") {
		t.Errorf("the public store's line is red or missing:\n%s", text.stdout)
	}
}

// TestTypedFactsInJSON: what CI scripts need is in the JSON as typed
// fields, not only in prose: HSTS and HPKP, each accepted suite's
// strength, the grade's not-assessed items with check IDs, each Mozilla
// deviation, and each gate's result.
func TestTypedFactsInJSON(t *testing.T) {
	e := newE2E(t)
	leaf := e.leaf(t, tlstest.LeafOptions{})
	spki := sha256.Sum256(leaf.Cert.RawSubjectPublicKeyInfo)
	pin := base64.StdEncoding.EncodeToString(spki[:])
	backup := base64.StdEncoding.EncodeToString(make([]byte, 32))
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{Leaves: []*tlstest.Leaf{leaf}, Protocols: "TLSv1.2 TLSv1.3",
		Ciphers: "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA", HSTS: "max-age=63072000; includeSubDomains; preload",
		Extra: `    add_header Public-Key-Pins 'pin-sha256="` + pin + `"; pin-sha256="` + backup + `"; max-age=600; report-uri="https://r.example.test/"' always;`})
	res := runCmd(t, "", "--json", "--fail-under", "A", "--fail-on", "info", "--ca-file", e.rootFile, "--sni", tlstest.DefaultName, srv.Addr)
	var reps []*report.Report
	if err := json.Unmarshal([]byte(res.stdout), &reps); err != nil || len(reps) != 1 {
		t.Fatalf("report JSON: %v\n%s%s", err, res.stdout, res.stderr)
	}
	r := reps[0]
	h := r.HTTPHeaders
	if h == nil || h.HSTS == nil || !h.HSTS.Present || !h.HSTS.Valid || h.HSTS.MaxAge != 63072000 || !h.HSTS.IncludeSubdomains || !h.HSTS.Preload {
		t.Fatalf("http_headers.hsts %+v", h)
	}
	if p := h.HPKP; p == nil || len(p.Pins) != 2 || !p.MatchesChain || !p.BackupPin || p.MaxAge != 600 || p.ReportURI != "https://r.example.test/" || !p.Valid {
		t.Errorf("http_headers.hpkp %+v", h.HPKP)
	}
	strengths := map[string]strength.Level{}
	for _, s := range r.SuiteStrengths {
		strengths[s.Protocol+" "+s.Name] = s.Strength
	}
	if strengths["TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] != strength.Secure || strengths["TLSv1.2 TLS_RSA_WITH_AES_128_CBC_SHA"] != strength.Weak {
		t.Errorf("suite_strengths %+v", r.SuiteStrengths)
	}
	var withID int
	for _, n := range r.Grade.NotAssessedItems {
		if n.CheckID != "" && n.Reason != "" {
			withID++
		}
	}
	if len(r.Grade.NotAssessed) > 0 && withID == 0 {
		t.Errorf("not_assessed_items carry no check ID: %+v", r.Grade.NotAssessedItems)
	}
	for _, m := range r.Mozilla.Results {
		if len(m.DeviationItems) != len(m.Deviations) {
			t.Errorf("%s: %d deviation items for %d deviations", m.Profile, len(m.DeviationItems), len(m.Deviations))
		}
		for _, d := range m.DeviationItems {
			if d.Field == "ciphers" && !slices.Contains(d.Values, "TLS_RSA_WITH_AES_128_CBC_SHA") {
				t.Errorf("%s: ciphers deviation without the suite: %+v", m.Profile, d)
			}
		}
	}
	rules := map[string]string{}
	for _, rr := range r.Policy.Rules {
		rules[rr.Rule+"/"+rr.Source] = rr.Result
	}
	if rules["fail_under/flag"] != "pass" || rules["fail_on/flag"] != "fail" {
		t.Errorf("policy rules %+v (grade %s)", r.Policy.Rules, r.Grade.Letter)
	}
}
