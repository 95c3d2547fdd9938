package monitor

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

// fakeAudits answers audits from a per-target state the test changes.
type fakeAudits struct {
	mu     sync.Mutex
	letter map[string]string
	fail   map[string][]checks.Finding
	leaf   map[string]time.Time
	calls  map[string]int
}

func newFake() *fakeAudits {
	return &fakeAudits{letter: map[string]string{}, fail: map[string][]checks.Finding{}, leaf: map[string]time.Time{}, calls: map[string]int{}}
}

func (f *fakeAudits) audit(_ context.Context, target string) ([]*report.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[target]++
	na := f.leaf[target]
	if na.IsZero() {
		na = time.Now().Add(200 * 24 * time.Hour)
	}
	o := &obs.Observation{Status: obs.StatusOK, Started: time.Now(), Target: obs.Target{Input: target, Host: target, IP: "127.0.0.1", Port: 443},
		Chains: []obs.Chain{{Certificates: []obs.Certificate{{Subject: "CN=" + target, SHA256: "ab" + na.String(), NotAfter: na}}}}}
	letter := f.letter[target]
	if letter == "" {
		letter = "A"
	}
	return []*report.Report{report.New(report.Tool{}, o, slices.Clone(f.fail[target]), &grade.Grade{Letter: grade.Letter(letter)})}, nil
}

func (f *fakeAudits) set(fn func()) { f.mu.Lock(); fn(); f.mu.Unlock() }
func (f *fakeAudits) count(t string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[t]
}

// hook is a loopback webhook receiver.
type hook struct {
	mu     sync.Mutex
	events []Event
	raw    []map[string]any
	srv    *httptest.Server
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var e Event
		var raw map[string]any
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &e) != nil || json.Unmarshal(body, &raw) != nil {
			t.Errorf("webhook body is not JSON: %q", body)
		}
		h.mu.Lock()
		h.events = append(h.events, e)
		h.raw = append(h.raw, raw)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) kinds() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		out = append(out, e.Kind)
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func start(t *testing.T, cfg Config) *Monitor {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return m
}

func TestMonitorPostsAGradeDropAndANewFailingRuleToTheWebhook(t *testing.T) {
	f := newFake()
	h := newHook(t)
	wh := &Webhook{URL: h.srv.URL}
	m := start(t, Config{Audit: f.audit, Interval: 100 * time.Millisecond, Notify: wh.Notify})
	if err := m.Add("a.test"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two audits", func() bool { return f.count("a.test") >= 2 })
	if k := h.kinds(); len(k) != 0 {
		t.Fatalf("events while nothing changed: %v", k)
	}
	f.set(func() {
		f.letter["a.test"] = "B"
		f.fail["a.test"] = []checks.Finding{{CheckID: "proto.tls10", Title: "TLS 1.0 offered", Status: checks.StatusFail, Severity: checks.SeverityHigh}}
	})
	waitFor(t, "events", func() bool { return len(h.kinds()) >= 2 })
	h.mu.Lock()
	defer h.mu.Unlock()
	byKind := map[string]Event{}
	for _, e := range h.events {
		byKind[e.Kind] = e
	}
	d := byKind[EventGradeDrop]
	if d.OldGrade != "A" || d.NewGrade != "B" || d.Target != "a.test" || d.Port != 443 || d.Address != "127.0.0.1" || d.Version != 1 || d.Text == "" {
		t.Errorf("grade drop event %+v", d)
	}
	r := byKind[EventNewFailingRule]
	if len(r.Rules) != 1 || r.Rules[0].Rule != "fail_on" {
		t.Errorf("new failing rule event %+v", r)
	}
	for _, raw := range h.raw {
		for _, k := range []string{"version", "event", "time", "target", "host", "port", "text"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("body lacks %q: %v", k, raw)
			}
		}
	}
	if len(h.events) != 2 {
		t.Errorf("events %v, want one of each", h.events)
	}
}

func TestMonitorWarnsOnceWhenALeafEntersTheExpiryWindow(t *testing.T) {
	f := newFake()
	soon := time.Now().Add(5 * 24 * time.Hour).Truncate(time.Second)
	f.leaf["b.test"] = soon
	var mu sync.Mutex
	var got []Event
	m := start(t, Config{Audit: f.audit, Interval: 50 * time.Millisecond, ExpiryWarn: 21 * 24 * time.Hour,
		Notify: func(_ context.Context, e Event) { mu.Lock(); got = append(got, e); mu.Unlock() }})
	m.Add("b.test")
	waitFor(t, "three audits", func() bool { return f.count("b.test") >= 3 })
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Kind != EventExpiryWarning || *got[0].DaysToExpiry != 4 || !got[0].NotAfter.Equal(soon) {
		t.Fatalf("events %+v, want one expiry warning 4 days ahead", got)
	}
}

func TestMonitorReloadsTheWatchFile(t *testing.T) {
	f := newFake()
	path := filepath.Join(t.TempDir(), "hosts.txt")
	os.WriteFile(path, []byte("# monitored\na.test\nb.test:8443  # with a port\n\n"), 0o644)
	m := start(t, Config{Audit: f.audit, WatchFile: path, WatchPoll: 20 * time.Millisecond, Interval: time.Hour, Spread: 10 * time.Millisecond})
	targets := func() []string {
		var out []string
		for _, h := range m.Hosts() {
			out = append(out, h.Target)
		}
		return out
	}
	if got := targets(); !slices.Equal(got, []string{"a.test", "b.test:8443"}) {
		t.Fatalf("hosts %v", got)
	}
	waitFor(t, "first audits", func() bool { return f.count("a.test") == 1 && f.count("b.test:8443") == 1 })
	m.Add("d.test")
	os.WriteFile(path, []byte("a.test\nc.test\n"), 0o644)
	waitFor(t, "reload", func() bool { return slices.Equal(targets(), []string{"a.test", "c.test", "d.test"}) })
	waitFor(t, "the new host's audit", func() bool { return f.count("c.test") == 1 })
	if f.count("a.test") != 1 {
		t.Errorf("a host kept across a reload was audited again")
	}
	// A broken file keeps the current set.
	os.WriteFile(path, []byte("a.test\nbad host\n"), 0o644)
	time.Sleep(100 * time.Millisecond)
	if got := targets(); !slices.Equal(got, []string{"a.test", "c.test", "d.test"}) {
		t.Errorf("after a broken file: %v", got)
	}
}

func TestMonitorSpreadsAuditsByTheJitter(t *testing.T) {
	m, _ := New(Config{Audit: newFake().audit, Interval: time.Hour, Jitter: 0.1})
	now := time.Now()
	seen := map[time.Duration]bool{}
	for range 50 {
		d := m.next(now).Sub(now)
		if d < 54*time.Minute || d > 66*time.Minute {
			t.Fatalf("next audit in %v, want 1h ± 10%%", d)
		}
		seen[d] = true
	}
	if len(seen) < 40 {
		t.Errorf("only %d distinct delays in 50", len(seen))
	}
}

func TestMonitorUsesThePolicyFileForFailingRules(t *testing.T) {
	p, err := policyfile.Load([]byte("min_grade: A\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFake()
	f.letter["c.test"] = "B"
	m := start(t, Config{Audit: f.audit, Interval: time.Hour, Spread: 10 * time.Millisecond, Policy: p})
	m.Add("c.test")
	waitFor(t, "audit", func() bool { return len(m.Hosts()[0].Violations) > 0 })
	if v := m.Hosts()[0].Violations; len(v) != 1 || v[0].Rule != "min_grade" {
		t.Errorf("violations %v", v)
	}
}

func TestWebhookRetriesAServerErrorAndSignsTheBody(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		n++
		if r.Header.Get("X-Tlsaudit-Signature") == "" {
			t.Error("no signature")
		}
		if n == 1 {
			w.WriteHeader(502)
		}
	}))
	defer srv.Close()
	w := &Webhook{URL: srv.URL, Secret: "s", Backoff: time.Millisecond}
	if err := w.Send(context.Background(), Event{Kind: EventGradeDrop}); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d posts, want 2", n)
	}
}

func TestParseTargetsRefusesWhatIsNotAHost(t *testing.T) {
	for _, bad := range []string{"a b", "http://x", "x/y", "a\x00b"} {
		if _, err := ParseTargets([]byte(bad + "\n")); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseTargets(f *testing.F) {
	f.Add([]byte("a.test\n# c\nb.test:8443 # x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := ParseTargets(data)
		if err != nil {
			return
		}
		for _, s := range ts {
			if ValidTarget(s) != nil {
				t.Fatalf("invalid %q returned", s)
			}
		}
	})
}

// TestHostsAddedOnTheDashboardAreMonitoredAgainAfterARestart: with the
// server's store as Config.Saved, a monitor started on the same database
// audits the hosts the previous one was given with Add, and forgets the
// removed ones.
func TestHostsAddedOnTheDashboardAreMonitoredAgainAfterARestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "serve.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := newFake()
	m, err := New(Config{Audit: f.audit, Saved: st})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"kept.test", "gone.test:8443"} {
		if err := m.Add(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Remove("gone.test:8443"); err != nil {
		t.Fatal(err)
	}
	if err := m.Add("bad target"); err == nil {
		t.Errorf("an invalid target was accepted")
	}

	// The next process, on the same database.
	st2, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	f2 := newFake()
	m2 := start(t, Config{Audit: f2.audit, Saved: st2, Interval: time.Hour, Spread: time.Millisecond})
	hs := m2.Hosts()
	if len(hs) != 1 || hs[0].Target != "kept.test" || hs[0].Source != SourceDashboard {
		t.Fatalf("after a restart: %+v", hs)
	}
	waitFor(t, "the saved host's audit", func() bool { return f2.count("kept.test") >= 1 })
}

// Two monitors on one database (replicas) follow each other's dashboard:
// a host added on one is monitored by the other, a host removed on one is
// dropped by the other.
func TestReplicasFollowEachOthersDashboardHosts(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "serve.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := newFake()
	a := start(t, Config{Audit: f.audit, Saved: st, SavedPoll: 20 * time.Millisecond, Interval: time.Hour})
	b := start(t, Config{Audit: f.audit, Saved: st, SavedPoll: 20 * time.Millisecond, Interval: time.Hour})
	has := func(m *Monitor, target string) bool {
		return slices.ContainsFunc(m.Hosts(), func(h Host) bool { return h.Target == target })
	}
	if err := a.Add("shared.test"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other replica to monitor the added host", func() bool { return has(b, "shared.test") })
	if err := b.Add("own.test"); err != nil {
		t.Fatal(err)
	}
	if !has(b, "own.test") {
		t.Fatal("an added host is not monitored at once")
	}
	if err := a.Remove("shared.test"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other replica to drop the removed host", func() bool { return !has(b, "shared.test") })
	waitFor(t, "the first replica to monitor the other's host", func() bool { return has(a, "own.test") })
	if !has(b, "own.test") {
		t.Errorf("a replica dropped its own added host")
	}
}
