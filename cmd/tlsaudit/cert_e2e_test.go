//go:build linux

package main

// End-to-end certificate tests. Every case is served by a real
// server on 127.0.0.1 started by the test (nginx, openssl s_server or an
// in-process crypto/tls server) and audited through the whole command
// in-process: scan → opt-in fetches → checks → grade → JSON (or text) report.
// The AIA, OCSP and CRL servers are in-process HTTP servers on 127.0.0.1.
// No traffic leaves loopback and no DNS name is looked up: the target is an
// address and the certificate name goes in --sni.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/crypto/ocsp"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/certfetch/certfetchtest"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// e2eEnv is one test's PKI with its root written to a file for --ca-file.
type e2eEnv struct {
	pki      *tlstest.PKI
	dir      string
	rootFile string
}

func newE2E(t *testing.T) *e2eEnv {
	t.Helper()
	p, err := tlstest.NewPKI()
	if err != nil {
		t.Fatalf("test PKI: %v", err)
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(root, p.RootPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return &e2eEnv{pki: p, dir: dir, rootFile: root}
}

func (e *e2eEnv) leaf(t *testing.T, o tlstest.LeafOptions) *tlstest.Leaf {
	t.Helper()
	l, err := e.pki.IssueLeaf(o)
	if err != nil {
		t.Fatalf("issue leaf: %v", err)
	}
	return l
}

// signLeaf issues a leaf for tlstest.DefaultName (fresh P-256 key) from
// parent, after mod has changed the template; the served chain is the leaf
// alone (set ChainDER as needed).
func signLeaf(t *testing.T, parent *x509.Certificate, parentKey crypto.Signer, mod func(*x509.Certificate)) *tlstest.Leaf {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: tlstest.DefaultName, Organization: []string{"tlsaudit"}},
		DNSNames:     []string{tlstest.DefaultName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(0, 0, 90),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if mod != nil {
		mod(tmpl)
	}
	c := createCert(t, tmpl, parent, key.Public(), parentKey)
	return &tlstest.Leaf{Cert: c, DER: c.Raw, Key: key, ChainDER: [][]byte{c.Raw}}
}

// createCert signs tmpl for pub with parentKey and parses the result.
func createCert(t *testing.T, tmpl, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatalf("create %s: %v", tmpl.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// auditReport runs the command on srv with --json and returns its report.
func (e *e2eEnv) auditReport(t *testing.T, srv *tlstest.Server, sni string, extra ...string) *report.Report {
	t.Helper()
	args := append([]string{"--json", "--ca-file", e.rootFile}, extra...)
	if sni != "" {
		args = append(args, "--sni", sni)
	}
	res := runCmd(t, "", append(args, srv.Addr)...)
	res.expect(t, exitOK)
	var reps []*report.Report
	if err := json.Unmarshal([]byte(res.stdout), &reps); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, res.stdout)
	}
	if len(reps) != 1 || reps[0].Status != "ok" {
		t.Fatalf("want one report with status ok, got %s", res.stdout)
	}
	r := reps[0]
	if r.Certificates == nil || len(r.Certificates.Chains) == 0 {
		t.Fatalf("the report carries no certificate analysis:\n%s", res.stdout)
	}
	return r
}

// statuses returns the statuses of check id's findings.
func statuses(fs []checks.Finding, id string) []checks.Status {
	var out []checks.Status
	for _, f := range fs {
		if f.CheckID == id {
			out = append(out, f.Status)
		}
	}
	return out
}

func failed(fs []checks.Finding, id string) bool {
	for _, s := range statuses(fs, id) {
		if s == checks.StatusFail {
			return true
		}
	}
	return false
}

func failedIDs(fs []checks.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Status == checks.StatusFail && strings.HasPrefix(f.CheckID, "cert.") {
			out = append(out, f.CheckID+": "+f.Detail)
		}
	}
	return out
}

// certProblems are the checks each bad case below targets; the good case
// fails none of them.
var certProblems = []string{
	"cert.untrusted", "cert.expired", "cert.not_yet_valid", "cert.self_signed",
	"cert.hostname_mismatch", "cert.sha1_signature", "cert.rsa_key_under_2048",
	"cert.rsa_key_under_1024", "cert.chain_incomplete", "cert.chain_extra",
	"cert.chain_order", "cert.root_sent", "cert.chain_duplicate",
	"cert.must_staple_no_staple", "cert.revoked", "cert.cn_only",
}

// serve starts the named kind of server for leaf.
func serve(t *testing.T, kind string, leaf *tlstest.Leaf) *tlstest.Server {
	t.Helper()
	switch kind {
	case "nginx":
		return tlstest.StartNginxT(t, tlstest.NginxOptions{Leaves: []*tlstest.Leaf{leaf}})
	case "openssl":
		return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{Leaf: leaf})
	case "go":
		return tlstest.NewGoServerT(t, &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}})
	}
	t.Fatalf("unknown server kind %q", kind)
	return nil
}

type certCase struct {
	name   string
	server string
	sni    string // default tlstest.DefaultName; "-" for none (IP target)
	leaf   func(t *testing.T, e *e2eEnv) *tlstest.Leaf
	fail   []string // checks that must fail
	grade  string   // expected letter ("" not asserted)
	// inspect: also run `tlsaudit inspect` on the served chain and expect
	// the same failures (not for facts only a live server shows).
	inspect bool
	more    func(t *testing.T, r *report.Report)
}

func TestCertE2E(t *testing.T) {
	now := time.Now()
	cases := []certCase{
		{name: "good", server: "nginx", inspect: true,
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf { return e.leaf(t, tlstest.LeafOptions{}) },
			more: func(t *testing.T, r *report.Report) {
				ch := r.Certificates.Chains[0]
				if len(ch.Certificates) != 2 {
					t.Errorf("%d certificates in the chain analysis, want 2", len(ch.Certificates))
				}
				for _, st := range ch.Trust {
					if st.Store == "custom" && (!st.Trusted || len(st.Paths) == 0 || len(st.Paths[0].Certs) != 3) {
						t.Errorf("custom store: %+v, want trusted via leaf > intermediate > root", st)
					}
					if st.Store == "mozilla" && st.Trusted {
						t.Errorf("the Mozilla store trusts the test root")
					}
				}
				if lf := ch.Leaf; lf == nil || !lf.HostnameMatch || lf.DaysLeft < 88 || lf.DaysLeft > 90 {
					t.Errorf("leaf facts: %+v", lf)
				}
				if ch.Certificates[0].SPKIPin == "" || len(ch.Certificates[0].SHA256) != 64 {
					t.Errorf("leaf fingerprint/pin missing: %+v", ch.Certificates[0])
				}
			}},
		{name: "expired", server: "nginx", inspect: true, grade: "T",
			fail: []string{"cert.expired", "cert.untrusted"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{NotBefore: now.AddDate(0, 0, -100), NotAfter: now.AddDate(0, 0, -10)})
			}},
		{name: "not_yet_valid", server: "openssl", inspect: true, grade: "T",
			fail: []string{"cert.not_yet_valid", "cert.untrusted"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{NotBefore: now.AddDate(0, 0, 10), NotAfter: now.AddDate(0, 0, 100)})
			}},
		{name: "self_signed", server: "go", inspect: true, grade: "T",
			fail: []string{"cert.self_signed", "cert.untrusted"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{SelfSigned: true})
			}},
		{name: "wrong_host", server: "nginx", inspect: true, grade: "M",
			fail: []string{"cert.hostname_mismatch"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{DNSNames: []string{"other.tlsaudit.test"}})
			}},
		{name: "wildcard_match", server: "nginx", sni: "www.wild.test", inspect: true,
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{DNSNames: []string{"*.wild.test"}})
			},
			more: func(t *testing.T, r *report.Report) {
				if lf := r.Certificates.Chains[0].Leaf; lf == nil || lf.MatchedName != "*.wild.test" {
					t.Errorf("leaf facts: %+v, want a match on *.wild.test", lf)
				}
			}},
		{name: "wildcard_two_labels", server: "nginx", sni: "a.www.wild.test", inspect: true, grade: "M",
			fail: []string{"cert.hostname_mismatch"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{DNSNames: []string{"*.wild.test"}})
			}},
		{name: "wildcard_bare_domain", server: "go", sni: "wild.test", inspect: true, grade: "M",
			fail: []string{"cert.hostname_mismatch"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{DNSNames: []string{"*.wild.test"}})
			}},
		{name: "ip_san", server: "nginx", sni: "-", inspect: true,
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
			},
			more: func(t *testing.T, r *report.Report) {
				if lf := r.Certificates.Chains[0].Leaf; lf == nil || !lf.HostnameMatch || lf.MatchedName != "127.0.0.1" {
					t.Errorf("leaf facts: %+v, want the IP SAN 127.0.0.1 matched", lf)
				}
			}},
		{name: "sha1_signed", server: "nginx", inspect: true, grade: "T",
			fail: []string{"cert.sha1_signature"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{SignatureAlgorithm: x509.SHA1WithRSA})
			}},
		{name: "rsa1024", server: "openssl", inspect: true,
			fail: []string{"cert.rsa_key_under_2048"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{KeyType: tlstest.KeyRSA1024})
			},
			more: func(t *testing.T, r *report.Report) {
				if k := r.Certificates.Chains[0].Certificates[0].Key; k.Type != "RSA" || k.Bits != 1024 {
					t.Errorf("leaf key %+v, want RSA 1024", k)
				}
			}},
		{name: "name_constraints", server: "nginx", inspect: true, grade: "T",
			fail: []string{"cert.untrusted"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				p := e.pki
				nc := signCA(t, p.Root, p.RootKey, p.IntermediateKey, "name-constrained intermediate", func(c *x509.Certificate) {
					c.PermittedDNSDomainsCritical = true
					c.PermittedDNSDomains = []string{"allowed.test"}
				})
				l := signLeaf(t, nc, p.IntermediateKey, nil)
				l.ChainDER = append(l.ChainDER, nc.Raw)
				return l
			},
			more: func(t *testing.T, r *report.Report) {
				for _, st := range r.Certificates.Chains[0].Trust {
					if st.Store == "custom" && !strings.Contains(st.Reason, "name constraints") {
						t.Errorf("custom store reason %q, want a name constraints violation", st.Reason)
					}
				}
			}},
		{name: "must_staple_without_staple", server: "nginx",
			fail: []string{"cert.must_staple_no_staple"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				return e.leaf(t, tlstest.LeafOptions{MustStaple: true})
			}},
		{name: "incomplete_chain", server: "nginx", inspect: true, grade: "T",
			fail: []string{"cert.chain_incomplete", "cert.untrusted"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				l := e.leaf(t, tlstest.LeafOptions{})
				l.ChainDER = l.ChainDER[:1]
				return l
			}},
		{name: "extra_certificate", server: "nginx", inspect: true,
			fail: []string{"cert.chain_extra"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				l := e.leaf(t, tlstest.LeafOptions{})
				other := e.leaf(t, tlstest.LeafOptions{DNSNames: []string{"unrelated.test"}, KeyType: tlstest.KeyECDSAP256})
				l.ChainDER = append(l.ChainDER, other.DER)
				return l
			}},
		{name: "unordered_with_root", server: "openssl", inspect: true,
			fail: []string{"cert.chain_order", "cert.root_sent"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				l := e.leaf(t, tlstest.LeafOptions{})
				l.ChainDER = [][]byte{l.DER, e.pki.RootDER, e.pki.IntermediateDER}
				return l
			}},
		{name: "root_sent", server: "nginx", inspect: true,
			fail: []string{"cert.root_sent"},
			leaf: func(t *testing.T, e *e2eEnv) *tlstest.Leaf {
				l := e.leaf(t, tlstest.LeafOptions{})
				l.ChainDER = append(l.ChainDER, e.pki.RootDER)
				return l
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newE2E(t)
			leaf := c.leaf(t, e)
			srv := serve(t, c.server, leaf)
			sni := c.sni
			switch sni {
			case "":
				sni = tlstest.DefaultName
			case "-":
				sni = ""
			}
			r := e.auditReport(t, srv, sni)
			want := map[string]bool{}
			for _, id := range c.fail {
				want[id] = true
				if !failed(r.Findings, id) {
					t.Errorf("%s: %v, want fail (cert failures: %q)", id, statuses(r.Findings, id), failedIDs(r.Findings))
				}
			}
			if c.name == "good" {
				for _, id := range certProblems {
					if failed(r.Findings, id) {
						t.Errorf("good chain: %s fails (cert failures: %q)", id, failedIDs(r.Findings))
					}
				}
				if r.Grade == nil || r.Grade.Letter == "T" || r.Grade.Letter == "M" || r.Grade.Letter == "" {
					t.Errorf("good chain graded %+v", r.Grade)
				}
			}
			if c.grade != "" && (r.Grade == nil || string(r.Grade.Letter) != c.grade) {
				t.Errorf("grade %+v, want %s", r.Grade, c.grade)
			}
			if c.more != nil {
				c.more(t, r)
			}
			if c.inspect {
				host := sni
				if host == "" {
					host = "127.0.0.1"
				}
				e.checkInspect(t, leaf, host, c.fail)
			}
		})
	}
}

// signCA issues a CA certificate for key, signed by parent, after mod.
func signCA(t *testing.T, parent *x509.Certificate, parentKey crypto.Signer, key crypto.Signer, cn string, mod func(*x509.Certificate)) *x509.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"tlsaudit"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if mod != nil {
		mod(tmpl)
	}
	return createCert(t, tmpl, parent, key.Public(), parentKey)
}

// checkInspect runs `tlsaudit inspect` on the chain the server sent and
// expects the same failures (and none of certProblems when wantFail is empty).
func (e *e2eEnv) checkInspect(t *testing.T, leaf *tlstest.Leaf, host string, wantFail []string) {
	t.Helper()
	file := writePEM(t, filepath.Join(t.TempDir(), "chain.pem"), "CERTIFICATE", leaf.ChainDER...)
	res := runCmd(t, "", "inspect", "--json", "--ca-file", e.rootFile, "--host", host, file)
	if res.code != exitOK && res.code != exitPolicy {
		t.Fatalf("inspect: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	var out struct {
		Findings []checks.Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("inspect JSON: %v\n%s", err, res.stdout)
	}
	for _, id := range wantFail {
		if !failed(out.Findings, id) {
			t.Errorf("inspect: %s: %v, want fail (cert failures: %q)", id, statuses(out.Findings, id), failedIDs(out.Findings))
		}
	}
	if len(wantFail) == 0 {
		for _, id := range certProblems {
			if failed(out.Findings, id) {
				t.Errorf("inspect of a good chain: %s fails (%q)", id, failedIDs(out.Findings))
			}
		}
	}
}

// ocspResponse makes a DER OCSP response for serial, signed by the intermediate.
func (e *e2eEnv) ocspResponse(serial *big.Int, status int) ([]byte, error) {
	now := time.Now()
	tmpl := ocsp.Response{Status: status, SerialNumber: serial, ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour)}
	if status == ocsp.Revoked {
		tmpl.RevokedAt, tmpl.RevocationReason = now.Add(-2*time.Hour), ocsp.KeyCompromise
	}
	return ocsp.CreateResponse(e.pki.Intermediate, e.pki.Intermediate, tmpl, e.pki.IntermediateKey)
}

// TestCertE2EStaple: openssl s_server staples a response made by the test
// PKI; a good one is parsed and judged good, a revoked one is flagged.
func TestCertE2EStaple(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		want   string
	}{{"good", ocsp.Good, "good"}, {"revoked", ocsp.Revoked, "revoked"}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newE2E(t)
			leaf := e.leaf(t, tlstest.LeafOptions{MustStaple: true})
			file := filepath.Join(e.dir, "staple.der")
			der, err := e.ocspResponse(leaf.Cert.SerialNumber, tc.status)
			if err != nil {
				t.Fatalf("OCSP response: %v", err)
			}
			if err := os.WriteFile(file, der, 0o600); err != nil {
				t.Fatal(err)
			}
			srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{Leaf: leaf, StatusFile: file})
			r := e.auditReport(t, srv, tlstest.DefaultName)
			for i, ch := range r.Certificates.Chains {
				s := ch.Staple
				if s == nil {
					t.Fatalf("chain %d (%s): no OCSP staple in the analysis", i, ch.Protocol)
				}
				if s.Status != tc.want || s.SignatureValid == nil || !*s.SignatureValid || !s.SerialMatch || s.Expired {
					t.Errorf("chain %d staple %+v, want %s, signature valid, serial match, current", i, s, tc.want)
				}
			}
			if failed(r.Findings, "cert.must_staple_no_staple") || failed(r.Findings, "cert.ocsp_staple_invalid") {
				t.Errorf("staple served but judged missing or invalid: %q", failedIDs(r.Findings))
			}
			if got := failed(r.Findings, "cert.revoked"); got != (tc.status == ocsp.Revoked) {
				t.Errorf("cert.revoked failed=%v for a %s staple: %v", got, tc.want, statuses(r.Findings, "cert.revoked"))
			}
			if tc.status == ocsp.Revoked && (r.Grade == nil || r.Grade.Letter != "T") {
				t.Errorf("revoked: grade %+v, want T", r.Grade)
			}
		})
	}
}

// hits counts requests to an in-process HTTP server.
type hits struct{ n atomic.Int32 }

func (h *hits) wrap(f http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { h.n.Add(1); f(w, r) }
}

// loopbackHTTP starts an in-process HTTP server on 127.0.0.1.
func loopbackHTTP(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test HTTP server at %s, not on 127.0.0.1", srv.URL)
	}
	return srv
}

// TestCertE2EFetchAIA: the server omits the intermediate; with --fetch-aia
// it is fetched from the leaf's AIA URL (a loopback HTTP server) and the
// report says what came from where. Without the flag nothing is fetched.
func TestCertE2EFetchAIA(t *testing.T) {
	e := newE2E(t)
	var h hits
	aia := loopbackHTTP(t, h.wrap(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(e.pki.IntermediateDER)
	}))
	url := aia.URL + "/intermediate.cer"
	leaf := signLeaf(t, e.pki.Intermediate, e.pki.IntermediateKey, func(c *x509.Certificate) {
		c.IssuingCertificateURL = []string{url}
	})
	srv := serve(t, "nginx", leaf)

	r := e.auditReport(t, srv, tlstest.DefaultName)
	if n := h.n.Load(); n != 0 {
		t.Fatalf("%d AIA requests without --fetch-aia", n)
	}
	if !failed(r.Findings, "cert.chain_incomplete") || !failed(r.Findings, "cert.untrusted") {
		t.Errorf("without --fetch-aia: want chain_incomplete and untrusted, got %q", failedIDs(r.Findings))
	}

	r = e.auditReport(t, srv, tlstest.DefaultName, "--fetch-aia")
	if h.n.Load() == 0 {
		t.Fatalf("no AIA request with --fetch-aia")
	}
	ch := r.Certificates.Chains[0]
	if !ch.Quality.Incomplete || !ch.Quality.CompletedByAIA {
		t.Errorf("quality %+v, want incomplete and completed by AIA", ch.Quality)
	}
	if len(ch.Fetched) != 1 || ch.Fetched[0].URL != url || !strings.Contains(ch.Fetched[0].Subject, "tlsaudit test intermediate") ||
		ch.Fetched[0].SHA256 == "" {
		t.Errorf("fetched %+v, want the intermediate from %s", ch.Fetched, url)
	}
	for _, st := range ch.Trust {
		if st.Store == "custom" && !st.Trusted {
			t.Errorf("custom store with the AIA intermediate: %+v", st)
		}
	}
	if failed(r.Findings, "cert.untrusted") {
		t.Errorf("untrusted although the AIA intermediate completes the chain: %q", failedIDs(r.Findings))
	}
	fd := findingOf(r.Findings, "cert.chain_incomplete")
	if fd.Status != checks.StatusFail || !strings.Contains(fd.Detail, url) {
		t.Errorf("chain_incomplete %+v, want a failure naming %s", fd, url)
	}

	// The text report says what was fetched from where.
	res := runCmd(t, "", "--color", "never", "--ca-file", e.rootFile, "--fetch-aia", "--sni", tlstest.DefaultName, srv.Addr)
	res.expect(t, exitOK)
	for _, want := range []string{"fetched CN=tlsaudit test intermediate", "from " + url, "custom   trusted via"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, res.stdout)
		}
	}
}

func findingOf(fs []checks.Finding, id string) checks.Finding {
	for _, f := range fs {
		if f.CheckID == id {
			return f
		}
	}
	return checks.Finding{}
}

// TestCertE2ERevocation: --check-revocation asks a loopback OCSP responder,
// or downloads a loopback CRL when the leaf names no responder.
func TestCertE2ERevocation(t *testing.T) {
	e := newE2E(t)
	var mu sync.Mutex
	revoked := map[string]bool{} // serials (decimal), guarded by mu
	var ocspHits, crlHits hits
	responder := loopbackHTTP(t, ocspHits.wrap(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		req, err := ocsp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		status := ocsp.Good
		mu.Lock()
		if revoked[req.SerialNumber.String()] {
			status = ocsp.Revoked
		}
		mu.Unlock()
		der, err := e.ocspResponse(req.SerialNumber, status)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(der)
	}))
	crlServer := loopbackHTTP(t, crlHits.wrap(func(w http.ResponseWriter, r *http.Request) {
		var entries []x509.RevocationListEntry
		mu.Lock()
		defer mu.Unlock()
		for s := range revoked {
			n, _ := new(big.Int).SetString(s, 10)
			entries = append(entries, x509.RevocationListEntry{SerialNumber: n, RevocationTime: time.Now().Add(-time.Hour)})
		}
		der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
			Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour),
			RevokedCertificateEntries: entries,
		}, e.pki.Intermediate, e.pki.IntermediateKey)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-crl")
		w.Write(der)
	}))

	for _, tc := range []struct {
		name    string
		opts    tlstest.LeafOptions
		revoke  bool
		method  string
		counter *hits
	}{
		{"ocsp_good", tlstest.LeafOptions{OCSPServer: []string{responder.URL}}, false, "ocsp", &ocspHits},
		{"ocsp_revoked", tlstest.LeafOptions{OCSPServer: []string{responder.URL}}, true, "ocsp", &ocspHits},
		{"crl_revoked", tlstest.LeafOptions{CRLDistributionPoints: []string{crlServer.URL + "/int.crl"}}, true, "crl", &crlHits},
		{"crl_good", tlstest.LeafOptions{CRLDistributionPoints: []string{crlServer.URL + "/int.crl"}}, false, "crl", &crlHits},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf := e.leaf(t, tc.opts)
			if tc.revoke {
				mu.Lock()
				revoked[leaf.Cert.SerialNumber.String()] = true
				mu.Unlock()
			}
			srv := serve(t, "go", leaf)
			before := tc.counter.n.Load()
			r := e.auditReport(t, srv, tlstest.DefaultName)
			if tc.counter.n.Load() != before {
				t.Fatalf("revocation fetched without --check-revocation")
			}
			if st := statuses(r.Findings, "cert.revoked"); len(st) == 0 || st[0] != checks.StatusInconclusive {
				t.Errorf("without --check-revocation: cert.revoked %v, want inconclusive", st)
			}
			r = e.auditReport(t, srv, tlstest.DefaultName, "--check-revocation")
			if tc.counter.n.Load() == before {
				t.Fatalf("no %s request with --check-revocation", tc.method)
			}
			rev := r.Certificates.Chains[0].Revocation
			want := map[bool]string{true: "revoked", false: "good"}[tc.revoke]
			if len(rev) == 0 || rev[len(rev)-1].Method != tc.method || rev[len(rev)-1].Status != want {
				t.Fatalf("revocation %+v, want %s %s", rev, tc.method, want)
			}
			if got := failed(r.Findings, "cert.revoked"); got != tc.revoke {
				t.Errorf("cert.revoked failed=%v, want %v: %v", got, tc.revoke, findingOf(r.Findings, "cert.revoked"))
			}
			if tc.revoke && (r.Grade == nil || r.Grade.Letter != "T") {
				t.Errorf("revoked: grade %+v, want T", r.Grade)
			}
		})
	}
}

// TestCertE2EDNS: --resolver sends the CAA and TLSA lookups to an in-process
// DNS server on loopback; without it no query is made.
func TestCertE2EDNS(t *testing.T) {
	e := newE2E(t)
	leaf := e.leaf(t, tlstest.LeafOptions{})
	srv := serve(t, "go", leaf)
	spki := sha256.Sum256(leaf.Cert.RawSubjectPublicKeyInfo)
	tlsaName := fmt.Sprintf("_%d._tcp.%s.", srv.Port, tlstest.DefaultName)
	for _, tc := range []struct {
		name, caa, tlsa string
		fail            []string
		pass            []string
	}{
		{"match", "tlsaudit.example", hex.EncodeToString(spki[:]), nil, []string{"cert.caa_forbids_issuer", "cert.dane_mismatch"}},
		// A CAA domain that is not the test CA's: since the private CA's own
		// CAA domain cannot be known, the CAA check is inconclusive, not failed.
		{"mismatch", "otherca.example", strings.Repeat("ab", 32), []string{"cert.dane_mismatch"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := certfetchtest.StartDNS(t, map[string][]dns.RR{
				tlstest.DefaultName + ".": certfetchtest.RR(t, fmt.Sprintf(`%s. 60 IN CAA 0 issue %q`, tlstest.DefaultName, tc.caa)),
				tlsaName:                  certfetchtest.RR(t, fmt.Sprintf("%s 60 IN TLSA 3 1 1 %s", tlsaName, tc.tlsa)),
			})
			r := e.auditReport(t, srv, tlstest.DefaultName)
			if d.Queries() != 0 {
				t.Fatalf("%d DNS queries without --resolver", d.Queries())
			}
			if st := statuses(r.Findings, "cert.caa_forbids_issuer"); len(st) != 1 || st[0] != checks.StatusNotApplicable {
				t.Errorf("without --resolver: caa_forbids_issuer %v, want not applicable", st)
			}
			r = e.auditReport(t, srv, tlstest.DefaultName, "--resolver", d.Addr)
			if d.Queries() == 0 {
				t.Fatal("no DNS query with --resolver")
			}
			for _, id := range tc.fail {
				if !failed(r.Findings, id) {
					t.Errorf("%s: %+v, want fail", id, findingOf(r.Findings, id))
				}
			}
			for _, id := range tc.pass {
				if st := statuses(r.Findings, id); len(st) != 1 || st[0] != checks.StatusPass {
					t.Errorf("%s: %+v, want pass", id, findingOf(r.Findings, id))
				}
			}
			if st := statuses(r.Findings, "cert.caa_forbids_issuer"); tc.name == "mismatch" && (len(st) != 1 || st[0] != checks.StatusInconclusive) {
				t.Errorf("CAA for another CA: %v, want inconclusive", st)
			}
			if a := r.Certificates; a.CAA == nil || a.CAA.Name != tlstest.DefaultName || a.DANE == nil || a.DANE.Records != 1 || !a.DANE.Authenticated {
				t.Errorf("analysis CAA %+v DANE %+v", a.CAA, a.DANE)
			}
		})
	}
}

// TestCertE2EText: the text report's certificate section, from the same
// analysis the checks used.
func TestCertE2EText(t *testing.T) {
	e := newE2E(t)
	leaf := e.leaf(t, tlstest.LeafOptions{})
	srv := serve(t, "nginx", leaf)
	res := runCmd(t, "", "--color", "never", "--ca-file", e.rootFile, "--sni", tlstest.DefaultName, srv.Addr)
	res.expect(t, exitOK)
	fp := hex.EncodeToString(func() []byte { s := sha256.Sum256(leaf.DER); return s[:] }())
	for _, want := range []string{
		"Certificate chain 1 (", "2 certificates served", "SHA-256", fp[:16],
		"CN=tlsaudit.test, O=tlsaudit", "CN=tlsaudit test intermediate, O=tlsaudit",
		"mozilla  untrusted (expected: private PKI trusted via --ca-file): unknown issuer",
		"custom   trusted via 1 path: #0 > #1 > root CN=tlsaudit test root, O=tlsaudit",
		"Chain        complete and in order",
		"Host name    tlsaudit.test matches tlsaudit.test",
		"must-staple no", `pin-sha256="`, "OCSP staple  none", "SCTs         none",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, res.stdout)
		}
	}
}

func TestCertFlagErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--ca-file", missing, "127.0.0.1:1"}, "--ca-file:"},
		{[]string{"--ca-file", junk, "127.0.0.1:1"}, "no certificate found"},
		{[]string{"--resolver", "dns.example", "127.0.0.1:1"}, "want an IP address"},
	} {
		res := runCmd(t, "", tc.args...)
		res.expect(t, exitUsage)
		if !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%v: stderr %q, want %q", tc.args, res.stderr, tc.want)
		}
	}
	c := certConfig{resolver: "::1"}
	if err := c.load(map[string]bool{}); err != nil || c.resolver != "[::1]:53" {
		t.Errorf("--resolver ::1: %v, %q", err, c.resolver)
	}
}
