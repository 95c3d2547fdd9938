package web

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan"
)

// hostileCN is a certificate subject made of markup: it must render inert.
const hostileCN = `<script>alert(1)</script>"q'x"><img src=x onerror=alert(2)>`

// testCA is a private CA whose leaves the test servers serve.
type testCA struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

func newCA(t testing.TB) *testCA {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tlsaudit web test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &testCA{cert: c, der: der, key: k}
}

// leaf issues a leaf for name with subject CN cn, valid for days.
func (ca *testCA) leaf(t testing.TB, name, cn string, days int) (tls.Certificate, []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Duration(days) * 24 * time.Hour),
		DNSNames: []string{name}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca.cert, &k.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.der}, PrivateKey: k}, der
}

func pemOf(ders ...[]byte) string {
	var b strings.Builder
	for _, d := range ders {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d}))
	}
	return b.String()
}

// tlsServer serves TLS with cfg on a loopback port until the test ends.
func tlsServer(t testing.TB, cfg *tls.Config) int {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		w.Write([]byte("ok"))
	}), ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// auditor runs the real pipeline (scan, checks, grade, certificate
// analysis) on a loopback endpoint, trusting ca.
func auditor(ca *testCA) func(ctx context.Context, host string, port int) *report.Report {
	return func(ctx context.Context, host string, port int) *report.Report {
		target := scan.Target{Input: net.JoinHostPort(host, strconv.Itoa(port)), Host: host, Port: port,
			IP: netip.MustParseAddr("127.0.0.1"), SNI: host}
		o := scan.New(scan.Options{Timeout: 60 * time.Second}).Scan(ctx, target)
		env := checks.Env{Now: o.Started, Hostname: host, ExpiryWarn: 30 * 24 * time.Hour,
			Stores: []checks.TrustStore{{Name: "test", Roots: [][]byte{ca.der}}}}
		findings := all.Registry().Run(o, env)
		r := report.New(report.Tool{Name: "tlsaudit", Version: "test"}, o, findings, grade.Compute(o, findings, grade.Options{}))
		r.Certificates = cert.Analyze(o, env)
		return r
	}
}

// memBackend is an in-memory Backend: assessments run in goroutines, one
// endpoint (127.0.0.1) per host, whatever the name.
type memBackend struct {
	audit func(ctx context.Context, host string, port int) *report.Report
	// hold delays each assessment before and during its audit, so the
	// progress page is seen.
	hold time.Duration

	mu   sync.Mutex
	next int64
	all  []*Assessment
}

func (b *memBackend) Key(host string) (string, error) {
	h, port, err := splitHost(host)
	if err != nil {
		return "", err
	}
	if port == 443 {
		return h, nil
	}
	return net.JoinHostPort(h, strconv.Itoa(port)), nil
}

func splitHost(s string) (string, int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || strings.ContainsAny(s, " /?#<>\"'") {
		return "", 0, fmt.Errorf("invalid host %q", s)
	}
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return s, 443, nil
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("invalid port %q", p)
	}
	return h, port, nil
}

func (b *memBackend) copyOf(a *Assessment) *Assessment {
	c := *a
	c.Endpoints = append([]Endpoint(nil), a.Endpoints...)
	return &c
}

func (b *memBackend) Start(_ context.Context, _ *http.Request, host string, fresh bool) (*Assessment, error) {
	key, err := b.Key(host)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, a := range b.all {
		if a.Host == key && !a.Finished() {
			return b.copyOf(a), nil
		}
	}
	b.next++
	a := &Assessment{ID: b.next, Host: key, State: "queued", CreatedAt: time.Now(), Endpoints: []Endpoint{{IP: "127.0.0.1", State: "pending"}}}
	b.all = append(b.all, a)
	go b.run(a)
	return b.copyOf(a), nil
}

func (b *memBackend) update(a *Assessment, f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f()
}

func (b *memBackend) run(a *Assessment) {
	time.Sleep(b.hold)
	b.update(a, func() { a.State, a.Endpoints[0].State, a.Message = "running", "running", "Testing protocols" })
	time.Sleep(b.hold)
	h, port, _ := splitHost(a.Host)
	r := b.audit(context.Background(), h, port)
	b.update(a, func() {
		a.Endpoints[0].Report = r
		a.Endpoints[0].State = "ready"
		if r.Grade != nil {
			a.Endpoints[0].Grade, a.Grade = string(r.Grade.Letter), string(r.Grade.Letter)
		}
		a.State, a.Message, a.FinishedAt = "ready", "", time.Now()
	})
}

func (b *memBackend) find(f func(*Assessment) bool) (*Assessment, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(b.all) - 1; i >= 0; i-- {
		if f(b.all[i]) {
			return b.copyOf(b.all[i]), nil
		}
	}
	return nil, ErrNotFound
}

func (b *memBackend) Active(_ context.Context, key string) (*Assessment, error) {
	return b.find(func(a *Assessment) bool { return a.Host == key && !a.Finished() })
}

func (b *memBackend) Latest(_ context.Context, key string) (*Assessment, error) {
	return b.find(func(a *Assessment) bool { return a.Host == key && a.Finished() })
}

func (b *memBackend) Get(_ context.Context, id int64) (*Assessment, error) {
	return b.find(func(a *Assessment) bool { return a.ID == id })
}

func (b *memBackend) History(_ context.Context, key string, limit int) ([]*Assessment, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*Assessment
	for i := len(b.all) - 1; i >= 0 && len(out) < limit; i-- {
		if b.all[i].Host == key {
			out = append(out, b.copyOf(b.all[i]))
		}
	}
	return out, nil
}

func (b *memBackend) Recent(_ context.Context, limit int) ([]*Assessment, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	seen := map[string]bool{}
	var out []*Assessment
	for i := len(b.all) - 1; i >= 0 && len(out) < limit; i-- {
		if !seen[b.all[i].Host] {
			seen[b.all[i].Host] = true
			out = append(out, b.copyOf(b.all[i]))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

// add stores a finished assessment (for pages that read history).
func (b *memBackend) add(host string, at time.Time, reps ...*report.Report) *Assessment {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next++
	a := &Assessment{ID: b.next, Host: host, State: "ready", CreatedAt: at, FinishedAt: at}
	for _, r := range reps {
		ep := Endpoint{IP: r.Target.IP, State: "ready", Report: r}
		if r.Grade != nil {
			ep.Grade = string(r.Grade.Letter)
			a.Grade = string(r.Grade.Letter)
		}
		a.Endpoints = append(a.Endpoints, ep)
	}
	b.all = append(b.all, a)
	return a
}

var _ Backend = (*memBackend)(nil)

func waitReady(t testing.TB, b *memBackend, key string) *Assessment {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if a, err := b.Latest(context.Background(), key); err == nil {
			return a
		} else if !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no finished assessment of %s", key)
	return nil
}
