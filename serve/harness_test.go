package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit"
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

// fakeResolver answers from a fixed table: no test asks a real DNS server.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("lookup %s: no such host (test resolver)", host)
}

// pipelineAuditor audits one endpoint with the tlsaudit library engine,
// dialling only t.IP.
func pipelineAuditor(t *testing.T, stores []checks.TrustStore) Auditor {
	eng, err := tlsaudit.New(tlsaudit.Options{
		Scan:   scan.Options{Timeout: 90 * time.Second, ConnTimeout: 5 * time.Second},
		Stores: stores,
		Tool:   report.Tool{Name: "tlsaudit", Version: "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	return func(ctx context.Context, tg Target) *report.Report {
		return eng.Audit(ctx, scan.Target{Input: tg.Host, Host: tg.Host, IP: tg.IP, Port: tg.Port})
	}
}

// testServer is a serve.Server on an httptest listener with a SQLite store.
type testServer struct {
	*Server
	URL   string
	store *store.SQL
	stop  func()
}

func sqliteStore(t *testing.T, dir string) *store.SQL {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "serve.db"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// startServer starts a server with cfg completed by test defaults (the
// loopback allowed, a fake resolver, quick polling) and its workers.
func startServer(t *testing.T, st store.Store, cfg Config) *testServer {
	t.Helper()
	cfg.Store = st
	if cfg.Audit == nil && !cfg.NoWorkers {
		cfg.Audit = pipelineAuditor(t, []checks.TrustStore{truststore.Mozilla()})
	}
	if cfg.Resolver == nil {
		cfg.Resolver = fakeResolver{}
	}
	if cfg.Poll == 0 {
		cfg.Poll = 50 * time.Millisecond
	}
	if cfg.CoolOff == 0 {
		cfg.CoolOff = time.Millisecond
	}
	cfg.EngineVersion = "test"
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	ts := &testServer{Server: s, URL: hs.URL}
	if sq, ok := st.(*store.SQL); ok {
		ts.store = sq
	}
	var once bool
	ts.stop = func() {
		if once {
			return
		}
		once = true
		cancel()
		<-done
		hs.Close()
	}
	t.Cleanup(ts.stop)
	return ts
}

func mustAllow(t *testing.T, s string) Policy {
	t.Helper()
	p, err := ParseAllow(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// get fetches path and returns the status, headers and body.
func get(t *testing.T, url string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// labsClient polls the SSL Labs API the way Qualys' ssllabs-scan does,
// written from the API document: info first, then analyze with startNew
// (or fromCache), then analyze every interval until READY or ERROR,
// failing when startTime changes mid-assessment. With ignoreMismatch, every
// analyze call carries ignoreMismatch=on.
type labsClient struct {
	t              *testing.T
	api            string // ".../api/v3"
	email          string
	interval       time.Duration
	ignoreMismatch bool
}

func (c *labsClient) call(cmd string) (int, http.Header, []byte) {
	var hdr []string
	if c.email != "" {
		hdr = []string{"email", c.email}
	}
	return get(c.t, c.api+"/"+cmd, hdr...)
}

func (c *labsClient) assess(host string, fromCache bool) (*Host, []byte) {
	c.t.Helper()
	code, h, body := c.call("info")
	if code != 200 {
		c.t.Fatalf("info: %d %s", code, body)
	}
	var info Info
	if err := json.Unmarshal(body, &info); err != nil {
		c.t.Fatalf("info: %v", err)
	}
	if info.MaxAssessments <= 0 || h.Get("X-Max-Assessments") == "" {
		c.t.Fatalf("info: no assessments allowed: %s", body)
	}
	cmd := "analyze?host=" + host + "&all=done"
	if fromCache {
		cmd += "&fromCache=on"
	} else {
		cmd += "&startNew=on"
	}
	if c.ignoreMismatch {
		cmd += "&ignoreMismatch=on"
	}
	var start int64 = -1
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		code, _, body := c.call(cmd)
		if code != 200 {
			c.t.Fatalf("analyze %s: status %d: %s", host, code, body)
		}
		var hst Host
		if err := json.Unmarshal(body, &hst); err != nil {
			c.t.Fatalf("analyze: %v: %s", err, body)
		}
		if start == -1 {
			start = hst.StartTime
			cmd = "analyze?host=" + host + "&all=done"
			if fromCache {
				cmd += "&fromCache=on"
			}
			if c.ignoreMismatch {
				cmd += "&ignoreMismatch=on"
			}
		} else if hst.StartTime > start {
			c.t.Fatalf("startTime moved from %d to %d mid-assessment", start, hst.StartTime)
		}
		if hst.Status == "READY" || hst.Status == "ERROR" {
			return &hst, body
		}
		time.Sleep(c.interval)
	}
	c.t.Fatalf("assessment of %s did not finish", host)
	return nil, nil
}

func hostPort(addr string) (string, int) {
	i := strings.LastIndex(addr, ":")
	p, _ := strconv.Atoi(addr[i+1:])
	return addr[:i], p
}
