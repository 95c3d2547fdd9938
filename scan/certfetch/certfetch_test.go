package certfetch

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/crypto/ocsp"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/scan/certfetch/certfetchtest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

type kc struct {
	der  []byte
	cert *x509.Certificate
	key  crypto.Signer
}

func mk(t testing.TB, tmpl *x509.Certificate, parent *kc) *kc {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p, signer := tmpl, crypto.Signer(key)
	if parent != nil {
		p, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &kc{der: der, cert: c, key: key}
}

// fixture is a PKI whose URLs point at an in-process loopback HTTP server.
type fixture struct {
	srv                *httptest.Server
	root, inter        *kc
	good, revoked, bad *kc
	hits               map[string]int
	mu                 sync.Mutex
}

func newFixture(t testing.TB) *fixture {
	f := &fixture{hits: map[string]int{}}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(f.srv.Close)
	now := time.Now()
	ca := func(cn string, serial int64) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour * 24 * 365), IsCA: true,
			BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	}
	f.root = mk(t, ca("Fetch Test Root", 1), nil)
	it := ca("Fetch Test Intermediate", 2)
	it.IssuingCertificateURL = []string{f.srv.URL + "/root.pem"}
	f.inter = mk(t, it, f.root)
	leaf := func(serial int64, ocspPath string) *kc {
		return mk(t, &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "www.example.test"},
			DNSNames: []string{"www.example.test"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour * 30),
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IssuingCertificateURL: []string{f.srv.URL + "/inter.der"},
			OCSPServer: []string{f.srv.URL + ocspPath}, CRLDistributionPoints: []string{f.srv.URL + "/inter.crl"}}, f.inter)
	}
	f.good = leaf(10, "/ocsp")
	f.revoked = leaf(11, "/ocsp")
	f.bad = leaf(12, "/ocsp-broken")

	count := func(p string) { f.mu.Lock(); f.hits[p]++; f.mu.Unlock() }
	mux.HandleFunc("/inter.der", func(w http.ResponseWriter, r *http.Request) { count(r.URL.Path); w.Write(f.inter.der) })
	mux.HandleFunc("/root.pem", func(w http.ResponseWriter, r *http.Request) {
		count(r.URL.Path)
		pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: f.root.der})
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2<<20)) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/ocsp", func(w http.ResponseWriter, r *http.Request) {
		count(r.URL.Path)
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		req, err := ocsp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		st := ocsp.Good
		if req.SerialNumber.Cmp(f.revoked.cert.SerialNumber) == 0 {
			st = ocsp.Revoked
		}
		resp, err := ocsp.CreateResponse(f.inter.cert, f.inter.cert, ocsp.Response{Status: st, SerialNumber: req.SerialNumber,
			ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour), RevokedAt: now.Add(-time.Hour),
			RevocationReason: ocsp.KeyCompromise}, f.inter.key)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(resp)
	})
	mux.HandleFunc("/ocsp-broken", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("garbage")) })
	mux.HandleFunc("/inter.crl", func(w http.ResponseWriter, r *http.Request) {
		count(r.URL.Path)
		crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.Add(-time.Minute),
			NextUpdate: now.Add(time.Hour), RevokedCertificateEntries: []x509.RevocationListEntry{
				{SerialNumber: f.revoked.cert.SerialNumber, RevocationTime: now.Add(-time.Hour), ReasonCode: 1}}}, f.inter.cert, f.inter.key)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(crl)
	})
	return f
}

func TestFetchAIA(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	der, err := FetchAIA(ctx, f.srv.URL+"/inter.der", Limits{})
	if err != nil || string(der) != string(f.inter.der) {
		t.Fatalf("DER: %v", err)
	}
	der, err = FetchAIA(ctx, f.srv.URL+"/root.pem", Limits{})
	if err != nil || string(der) != string(f.root.der) {
		t.Fatalf("PEM: %v", err)
	}
	if _, err := FetchAIA(ctx, f.srv.URL+"/huge", Limits{MaxBytes: 1 << 20}); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("size cap: %v", err)
	}
	start := time.Now()
	if _, err := FetchAIA(ctx, f.srv.URL+"/slow", Limits{Timeout: 300 * time.Millisecond}); err == nil {
		t.Error("slow server: no error")
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("timeout not enforced: %v", time.Since(start))
	}
	if _, err := FetchAIA(ctx, f.srv.URL+"/ocsp-broken", Limits{}); err == nil || !strings.Contains(err.Error(), "not a certificate") {
		t.Errorf("junk: %v", err)
	}
	if _, err := FetchAIA(ctx, "ldap://127.0.0.1/x", Limits{}); err == nil {
		t.Error("ldap URL accepted")
	}
}

func TestRevocation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if rc := QueryOCSP(ctx, f.srv.URL+"/ocsp", f.good.der, f.inter.der, Limits{}); rc.Status != "good" {
		t.Errorf("OCSP good: %+v", rc)
	}
	rc := QueryOCSP(ctx, f.srv.URL+"/ocsp", f.revoked.der, f.inter.der, Limits{})
	if rc.Status != "revoked" || rc.Reason != ocsp.KeyCompromise || rc.RevokedAt.IsZero() {
		t.Errorf("OCSP revoked: %+v", rc)
	}
	if rc := QueryOCSP(ctx, f.srv.URL+"/ocsp", f.good.der, f.root.der, Limits{}); rc.Status != "error" {
		t.Errorf("OCSP with the wrong issuer: %+v", rc)
	}
	if rc := FetchCRL(ctx, f.srv.URL+"/inter.crl", f.good.der, f.inter.der, Limits{}); rc.Status != "good" {
		t.Errorf("CRL good: %+v", rc)
	}
	if rc := FetchCRL(ctx, f.srv.URL+"/inter.crl", f.revoked.der, f.inter.der, Limits{}); rc.Status != "revoked" || rc.Reason != 1 {
		t.Errorf("CRL revoked: %+v", rc)
	}
	if rc := FetchCRL(ctx, f.srv.URL+"/inter.crl", f.good.der, f.root.der, Limits{}); rc.Status != "error" || !strings.Contains(rc.Error, "signature") {
		t.Errorf("CRL with the wrong issuer: %+v", rc)
	}
	// The broken OCSP responder makes CheckRevocation fall back to the CRL.
	rcs := CheckRevocation(ctx, f.bad.der, f.inter.der, Limits{})
	if len(rcs) != 2 || rcs[0].Status != "error" || rcs[1].Method != "crl" || rcs[1].Status != "good" {
		t.Errorf("fallback: %+v", rcs)
	}
}

// TestEnrichAndChecks: a leaf served alone is completed via AIA, its
// revocation is checked, and checks/cert reports both.
func TestEnrichAndChecks(t *testing.T) {
	f := newFixture(t)
	o := &obs.Observation{Target: obs.Target{Host: "www.example.test", SNI: "www.example.test", Port: 443},
		Chains: []obs.Chain{{Certificates: []obs.Certificate{{DER: f.revoked.der}}}}}
	Enrich(context.Background(), o, Options{FetchAIA: true, CheckRevocation: true})
	if len(o.AIAFetched) != 2 || o.AIAFetched[0].Error != "" || !strings.HasSuffix(o.AIAFetched[0].URL, "/inter.der") {
		t.Fatalf("AIA: %+v", o.AIAFetched)
	}
	if len(o.Revocation) != 1 || o.Revocation[0].Status != "revoked" {
		t.Fatalf("revocation: %+v", o.Revocation)
	}
	env := checks.Env{Now: time.Now(), Stores: []checks.TrustStore{{Name: "custom", Roots: [][]byte{f.root.der}}}}
	a := cert.Analyze(o, env)
	ch := a.Chains[0]
	if !ch.Quality.Incomplete || !ch.Quality.CompletedByAIA || len(ch.Fetched) != 2 {
		t.Errorf("quality: %+v fetched %+v", ch.Quality, ch.Fetched)
	}
	for id, want := range map[string]checks.Status{"cert.chain_incomplete": checks.StatusFail, "cert.revoked": checks.StatusFail} {
		c, _ := all.Registry().Lookup(id)
		if fs := c.Evaluate(o, env); fs[0].Status != want {
			t.Errorf("%s: %+v", id, fs)
		}
	}
	c, _ := all.Registry().Lookup("cert.chain_incomplete")
	if fs := c.Evaluate(o, env); !strings.Contains(fs[0].Detail, "/inter.der") {
		t.Errorf("the report must say where the intermediate came from: %q", fs[0].Detail)
	}
}

func TestDNS(t *testing.T) {
	rr := certfetchtest.RR
	addr := certfetchtest.StartDNS(t, map[string][]dns.RR{
		"example.test.":               rr(t, `example.test. 60 IN CAA 0 issue "letsencrypt.org"`, `example.test. 60 IN CAA 0 iodef "mailto:sec@example.test"`),
		"_443._tcp.www.example.test.": rr(t, "_443._tcp.www.example.test. 60 IN TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
	}).Addr
	ctx := context.Background()
	recs, at, err := LookupCAA(ctx, addr, "www.example.test")
	if err != nil || at != "example.test" || len(recs) != 2 || recs[0].Tag != "issue" || recs[0].Value != "letsencrypt.org" {
		t.Fatalf("CAA: %v at %q %+v", err, at, recs)
	}
	recs, at, err = LookupCAA(ctx, addr, "www.other.test")
	if err != nil || len(recs) != 0 || at != "" {
		t.Errorf("no CAA: %v %q %+v", err, at, recs)
	}
	tl, ad, err := LookupTLSA(ctx, addr, 443, "www.example.test")
	if err != nil || len(tl) != 1 || tl[0].Usage != 3 || tl[0].Selector != 1 || !ad || !strings.HasPrefix(tl[0].Data, "0123") {
		t.Fatalf("TLSA: %v %v %+v", err, ad, tl)
	}
	o := &obs.Observation{Target: obs.Target{Host: "www.example.test", Port: 443}}
	Enrich(ctx, o, Options{Resolver: addr})
	if o.DNS == nil || o.DNS.CAAName != "example.test" || len(o.DNS.TLSA) != 1 || o.DNS.TLSAName != "_443._tcp.www.example.test" {
		t.Errorf("Enrich DNS: %+v", o.DNS)
	}
	// A resolver that does not answer: bounded, and an error.
	pc, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer pc.Close()
	cctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, _, err := LookupCAA(cctx, pc.LocalAddr().String(), "www.example.test"); err == nil {
		t.Error("silent resolver: no error")
	}
}

func TestStores(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.root.der})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.inter.der})...)
	os.WriteFile(p, data, 0o600)
	ts, err := LoadCAFile(p)
	if err != nil || ts.Name != "custom" || len(ts.Roots) != 2 {
		t.Fatalf("LoadCAFile: %v %d", err, len(ts.Roots))
	}
	os.WriteFile(p, []byte("hello"), 0o600)
	if _, err := LoadCAFile(p); err == nil {
		t.Error("junk CA file accepted")
	}
	if _, err := os.Stat(SystemBundle); err != nil {
		t.Fatalf("system bundle %s missing (install ca-certificates): %v", SystemBundle, err)
	}
	sys, err := SystemStore()
	if err != nil || len(sys.Roots) < 50 {
		t.Fatalf("SystemStore: %v, %d roots", err, len(sys.Roots))
	}
}
