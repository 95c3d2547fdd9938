package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/serve/metrics"
	"github.com/tlsaudit/tlsaudit/serve/monitor"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// switchableTLS serves TLS on one loopback port; restart replaces the
// server with another configuration on the same port.
type switchableTLS struct {
	t    *testing.T
	addr string
	srv  *http.Server
}

func (s *switchableTLS) start(cfg *tls.Config) {
	s.t.Helper()
	addr := s.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the old socket may linger a moment
		if ln, err = tls.Listen("tcp", addr, cfg); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		io.WriteString(w, "ok")
	}), ErrorLog: log.New(io.Discard, "", 0)}
	go s.srv.Serve(ln)
}

func (s *switchableTLS) stop() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// serveInProcess is "tlsaudit serve" run in-process on a loopback port, as
// a user runs it: the HTTP server, the SQLite store, the queue, the
// workers, the pages, monitoring and metrics.
type serveInProcess struct {
	base   string // http://127.0.0.1:PORT
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// startServeInProcess starts "tlsaudit serve --listen 127.0.0.1:0 ARGS..." and
// waits until it listens; it is stopped when the test ends.
func startServeInProcess(t *testing.T, args ...string) *serveInProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &serveInProcess{stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		p.done <- runContext(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, p.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
		}
	})
	re := regexp.MustCompile(`listening on http://([0-9.:]+)/`)
	for deadline := time.Now().Add(30 * time.Second); ; {
		if m := re.FindStringSubmatch(p.stderr.String()); m != nil {
			p.base = "http://" + m[1]
			return p
		}
		select {
		case code := <-p.done:
			t.Fatalf("serve exited %d:\n%s", code, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the process as a signal does and checks it exits cleanly.
func (p *serveInProcess) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	select {
	case code := <-p.done:
		if code != exitOK {
			t.Errorf("serve exited %d:\n%s", code, p.stderr.String())
		}
		p.done <- code // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// webhookReceiver is a loopback webhook endpoint collecting the events.
type webhookReceiver struct {
	url    string
	mu     sync.Mutex
	events []monitor.Event
}

func newWebhookReceiver(t *testing.T) *webhookReceiver {
	t.Helper()
	h := &webhookReceiver{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e monitor.Event
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		h.mu.Lock()
		h.events = append(h.events, e)
		h.mu.Unlock()
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	h.url = "http://" + ln.Addr().String() + "/hook"
	return h
}

// waitFor returns the first event of kind about target, failing after two
// minutes.
func (h *webhookReceiver) waitFor(t *testing.T, kind, target string, stderr *syncBuffer) monitor.Event {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); ; {
		h.mu.Lock()
		for _, e := range h.events {
			if e.Kind == kind && e.Target == target {
				h.mu.Unlock()
				return e
			}
		}
		events := fmt.Sprintf("%+v", h.events)
		h.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no %s event about %s posted (events %s)\n%s", kind, target, events, stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeWatchShowsDashboardMetricsAndPostsAGradeDrop: "tlsaudit serve
// --watch hosts.txt" against a loopback server: the dashboard shows the
// host with its grade, /metrics has its expiry and grade series, and when
// the server comes back with a weaker configuration the webhook receives
// the grade drop.
func TestServeWatchShowsDashboardMetricsAndPostsAGradeDrop(t *testing.T) {
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{CommonName: "monitored.test", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	strong := &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}, MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}}
	weak := &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}
	target := &switchableTLS{t: t}
	target.start(strong)
	defer func() { target.stop() }()

	hook := newWebhookReceiver(t)

	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	hosts := filepath.Join(dir, "hosts.txt")
	os.WriteFile(ca, pki.RootPEM(), 0o644)
	os.WriteFile(hosts, []byte("# monitored\n"+target.addr+"\n"), 0o644)

	srv := startServeInProcess(t, "--db", filepath.Join(dir, "db.sqlite"), "--ca-file", ca, "--allow-targets", "127.0.0.1", "--target-cool-off", "1ms",
		"--watch", hosts, "--interval", "3s", "--webhook", hook.url)
	base, stderr := srv.base, srv.stderr

	// The dashboard shows the watched host with its grade.
	_, port, _ := net.SplitHostPort(target.addr)
	var page string
	for deadline := time.Now().Add(2 * time.Minute); ; {
		_, page = httpGet(t, base+"/dashboard")
		if strings.Contains(page, `class="pill g-a"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dashboard never showed an A grade:\n%s\n%s", page, stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(page, target.addr) {
		t.Errorf("the dashboard does not name %s", target.addr)
	}

	// /metrics: expiry and grade series of the endpoint, in a format
	// Prometheus parses.
	code, body := httpGet(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	leafSeen := false
	for _, m := range fams[metrics.NameCertNotAfter].GetMetric() {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		if l["host"] == "127.0.0.1" && l["port"] == port && l["position"] == "0" {
			leafSeen = true
			if want := float64(leaf.Cert.NotAfter.Unix()); m.GetGauge().GetValue() != want {
				t.Errorf("leaf not_after %v, want %v", m.GetGauge().GetValue(), want)
			}
		}
	}
	if !leafSeen {
		t.Errorf("no leaf expiry series for port %s:\n%s", port, body)
	}
	gi := fams[metrics.NameGradeInfo].GetMetric()
	if len(gi) != 1 {
		t.Fatalf("grade info series: %v", gi)
	}
	for _, name := range []string{metrics.NameGradeRank, metrics.NameEarliestExpiry, metrics.NameAssessments, metrics.NameAssessmentSeconds, metrics.NameQueueDepth, metrics.NameFailingFindings} {
		if fams[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}

	// The server comes back weaker: the webhook gets the grade drop.
	target.stop()
	target.start(weak)
	drop := hook.waitFor(t, monitor.EventGradeDrop, target.addr, stderr)
	if !strings.HasPrefix(drop.OldGrade, "A") || strings.HasPrefix(drop.NewGrade, "A") || drop.Port != mustAtoi(t, port) || drop.Target != target.addr {
		t.Errorf("grade drop event %+v", drop)
	}

	// The pages read the same store: the report of the latest assessment,
	// and a history of at least two audits with its chart and diff.
	code, page = httpGet(t, base+"/ssltest/analyze.html?latest&d="+target.addr)
	if code != 200 || !strings.Contains(page, `id="summary"`) || !strings.Contains(page, "Certificates and trust") {
		t.Errorf("analyze page of the monitored host: %d\n%.3000s", code, page)
	}
	code, page = httpGet(t, base+"/history?d="+target.addr)
	if n := strings.Count(page, `class="g point-grade"`); code != 200 || n < 2 || !strings.Contains(page, `id="diff"`) {
		t.Errorf("history: %d, %d grade points, diff shown %v", code, n, strings.Contains(page, `id="diff"`))
	}
	if code, page = httpGet(t, base+"/"); code != 200 || !strings.Contains(page, target.addr) {
		t.Errorf("the home page does not list the recent assessment: %d", code)
	}

	// A page starts an assessment; its progress is read from the queue.
	code, page = httpGet(t, base+"/ssltest/analyze.html?clearCache=on&d="+target.addr)
	if code != 200 {
		t.Fatalf("scan again: %d", code)
	}
	if m := regexp.MustCompile(`data-status="([^"]+)"`).FindStringSubmatch(page); m != nil {
		for deadline := time.Now().Add(2 * time.Minute); ; {
			_, js := httpGet(t, base+strings.ReplaceAll(m[1], "&amp;", "&"))
			var st struct {
				State     string `json:"state"`
				Done      bool   `json:"done"`
				Endpoints []struct {
					IP, State, Grade string
				} `json:"endpoints"`
			}
			if err := json.Unmarshal([]byte(js), &st); err != nil {
				t.Fatalf("status.json: %v: %s", err, js)
			}
			if st.Done {
				if st.State != "ready" || len(st.Endpoints) != 1 || st.Endpoints[0].IP != "127.0.0.1" || st.Endpoints[0].Grade == "" {
					t.Errorf("finished status %s", js)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the page's assessment did not finish: %s", js)
			}
			time.Sleep(100 * time.Millisecond)
		}
	} else if !strings.Contains(page, `id="summary"`) {
		t.Errorf("scan again gave neither progress nor a report:\n%.2000s", page)
	}

	srv.stop(t)
}

// TestServeDashboardHostOutlivesARestartAndItsGradeDropIsPosted: a host
// added on the dashboard (not in a watch file) is saved in the store; the
// next serve process on the same database monitors it under the same
// policy, and posts its grade drop when the server comes back weaker.
func TestServeDashboardHostOutlivesARestartAndItsGradeDropIsPosted(t *testing.T) {
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{CommonName: "dashboard.test", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	target := &switchableTLS{t: t}
	target.start(&tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}, MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}})
	defer func() { target.stop() }()
	hook := newWebhookReceiver(t)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pki.RootPEM(), 0o644)
	args := []string{"--db", filepath.Join(dir, "db.sqlite"), "--ca-file", ca, "--allow-targets", "127.0.0.1",
		"--target-cool-off", "1ms", "--monitor", "--interval", "2s", "--webhook", hook.url}
	srv := startServeInProcess(t, args...)

	// Added with the dashboard's form, as a browser posts it.
	req, _ := http.NewRequest("POST", srv.base+"/dashboard", strings.NewReader(url.Values{"action": {"add"}, "target": {target.addr}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding on the dashboard: %d", resp.StatusCode)
	}
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if _, page := httpGet(t, srv.base+"/dashboard"); strings.Contains(page, `class="pill g-a"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dashboard never showed the added host's grade\n%s", srv.stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	srv.stop(t)

	// The server comes back weaker while serve is down; the next serve
	// process still monitors the host and posts the drop.
	target.stop()
	target.start(&tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}})
	srv = startServeInProcess(t, args...)
	if _, page := httpGet(t, srv.base+"/dashboard"); !strings.Contains(page, target.addr) {
		t.Fatalf("after a restart the dashboard lost %s:\n%s", target.addr, page)
	}
	drop := hook.waitFor(t, monitor.EventGradeDrop, target.addr, srv.stderr)
	if !strings.HasPrefix(drop.OldGrade, "A") || strings.HasPrefix(drop.NewGrade, "A") {
		t.Errorf("grade drop event %+v", drop)
	}
	srv.stop(t)
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestServeHelpNamesTheWebFlags: every flag of the pages, monitoring and
// metrics is in "serve --help", and exists.
func TestServeHelpNamesTheWebFlags(t *testing.T) {
	var out bytes.Buffer
	if code := runContext(context.Background(), []string{"serve", "--help"}, strings.NewReader(""), &out, io.Discard); code != exitOK {
		t.Fatalf("serve --help exited %d", code)
	}
	src, err := os.ReadFile("serve_web.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range definedFlag.FindAllStringSubmatch(string(src), -1) {
		n++
		if !strings.Contains(out.String(), "--"+m[1]+" ") {
			t.Errorf("serve --help does not name --%s", m[1])
		}
	}
	if n < 7 {
		t.Errorf("found %d flags in serve_web.go: the pattern is stale", n)
	}
}
