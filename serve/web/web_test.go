package web

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/serve/monitor"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

func get(t *testing.T, h http.Handler, path string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String(), rec.Header()
}

// assertInert checks that no markup from a certificate reached a page.
func assertInert(t *testing.T, page string) {
	t.Helper()
	for _, raw := range []string{"<script>alert", `<script\>alert`, "<img", `\<img`, "onerror=alert(2)>"} {
		if strings.Contains(page, raw) {
			t.Errorf("raw markup %q in the page", raw)
		}
	}
	if !strings.Contains(page, "&lt;script") || !strings.Contains(page, "alert(1)") {
		t.Errorf("the escaped subject is not in the page")
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d script elements, want the page's own only", n)
	}
}

func TestAnalyzePageShowsProgressThenTheReportWithTheHostileSubjectInert(t *testing.T) {
	ca := newCA(t)
	leaf, _ := ca.leaf(t, "evil.test", hostileCN, 90)
	port := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{leaf}})
	b := &memBackend{audit: auditor(ca)}
	p, err := New(Config{Backend: b})
	if err != nil {
		t.Fatal(err)
	}
	host := "evil.test:" + strconv.Itoa(port)
	code, page, hdr := get(t, p, "/ssltest/analyze.html?d="+url.QueryEscape(host))
	if code != 200 || !strings.Contains(page, `id="progress"`) {
		t.Fatalf("first visit: %d, want the progress page:\n%s", code, page)
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'sha256-") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q", csp)
	}
	status := regexp.MustCompile(`data-status="([^"]+)"`).FindStringSubmatch(page)
	if status == nil {
		t.Fatal("no status URL")
	}
	a := waitReady(t, b, host)
	code, js, _ := get(t, p, strings.ReplaceAll(status[1], "&amp;", "&"))
	var st statusJSON
	if code != 200 || json.Unmarshal([]byte(js), &st) != nil || !st.Done || st.State != "ready" || len(st.Endpoints) != 1 || st.Endpoints[0].Grade == "" {
		t.Errorf("status %d %s", code, js)
	}
	code, page, _ = get(t, p, "/ssltest/analyze.html?d="+url.QueryEscape(host))
	if code != 200 || !strings.Contains(page, `id="summary"`) || !strings.Contains(page, "Certificates and trust") {
		t.Fatalf("second visit: %d, want the report:\n%.2000s", code, page)
	}
	if !strings.Contains(strings.ReplaceAll(page, "&#43;", "+"), ">"+a.Grade+"<") {
		t.Errorf("grade %s not shown", a.Grade)
	}
	assertInert(t, page)
	// Scan again starts a new assessment and redirects to it.
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/ssltest/analyze.html?clearCache=on&d="+url.QueryEscape(host), nil))
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "id=2") {
		t.Errorf("scan again: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	waitReady(t, b, host)
}

func TestAnalyzePageRefusesABadHost(t *testing.T) {
	p, _ := New(Config{Backend: &memBackend{}})
	code, page, _ := get(t, p, "/ssltest/analyze.html?d="+url.QueryEscape("<b>x</b>"))
	if code != 400 || strings.Contains(page, "<b>x") {
		t.Errorf("%d\n%s", code, page)
	}
	if code, _, _ := get(t, p, "/ssltest/status.json?id=x"); code != 400 {
		t.Errorf("status.json?id=x: %d", code)
	}
	if code, _, _ := get(t, p, "/ssltest/analyze.html?latest&d=never.test"); code != 404 {
		t.Errorf("latest of a host never assessed: %d", code)
	}
}

// synthetic is a report of host with grade letter and a leaf expiring at notAfter.
func synthetic(host, letter string, notAfter time.Time, at time.Time, failing ...string) *report.Report {
	o := &obs.Observation{Status: obs.StatusOK, Started: at, Target: obs.Target{Input: host, Host: host, IP: "127.0.0.1", Port: 443},
		Protocols: []obs.Protocol{{Name: "TLSv1.2", Supported: true}, {Name: "TLSv1.0", Supported: len(failing) > 0}},
		Chains:    []obs.Chain{{Certificates: []obs.Certificate{{Subject: "CN=" + hostileCN, SHA256: "aa" + notAfter.String(), NotAfter: notAfter}}}}}
	var fs []checks.Finding
	for _, id := range failing {
		fs = append(fs, checks.Finding{CheckID: id, Title: "bad " + id, Status: checks.StatusFail, Severity: checks.SeverityHigh})
	}
	return report.New(report.Tool{Name: "tlsaudit"}, o, fs, &grade.Grade{Letter: grade.Letter(letter), Score: 80})
}

func TestHistoryChartsEveryAssessmentAndDiffsTheLastTwo(t *testing.T) {
	b := &memBackend{}
	t0 := time.Now().Add(-48 * time.Hour)
	b.add("h.test", t0, synthetic("h.test", "A", t0.Add(60*24*time.Hour), t0))
	b.add("h.test", t0.Add(24*time.Hour), synthetic("h.test", "B", t0.Add(60*24*time.Hour), t0.Add(24*time.Hour), "proto.tls10"))
	p, _ := New(Config{Backend: b})
	code, page, _ := get(t, p, "/history?d=h.test")
	if code != 200 {
		t.Fatalf("%d", code)
	}
	if n := strings.Count(page, `class="g point-grade"`); n != 2 {
		t.Errorf("%d grade points, want 2", n)
	}
	if n := strings.Count(page, `class="d point-days"`); n != 2 {
		t.Errorf("%d expiry points, want 2", n)
	}
	if !strings.Contains(page, `id="diff"`) || !strings.Contains(page, "TLSv1.0") || !strings.Contains(page, "proto.tls10") {
		t.Errorf("no diff of the two reports:\n%s", page)
	}
	assertInertOrAbsent(t, page)
}

// assertInertOrAbsent: the page may not show the subject, but never as markup.
func assertInertOrAbsent(t *testing.T, page string) {
	t.Helper()
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img") || strings.Count(page, "<script") != 1 {
		t.Errorf("markup in the page")
	}
}

func TestDecoderAnalysesAPastedChainAndDoesNotEchoIt(t *testing.T) {
	ca := newCA(t)
	_, der := ca.leaf(t, "d.test", hostileCN, 10)
	p, _ := New(Config{Backend: &memBackend{}})
	form := url.Values{"pem": {pemOf(der, ca.der)}, "host": {"d.test"}}
	req := httptest.NewRequest("POST", "/decoder", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	page := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(page, `id="decoded"`) {
		t.Fatalf("%d\n%s", rec.Code, page)
	}
	for _, want := range []string{"tlsaudit web test CA", "matches d.test", "cert.expires_soon"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if b64 := pemOf(der)[40:100]; strings.Contains(page, b64) {
		t.Errorf("the pasted text is echoed back")
	}
	assertInert(t, page)
}

// fakeMonitor is a Monitor with fixed hosts.
type fakeMonitor struct {
	hosts []monitor.Host
	added []string
}

func (f *fakeMonitor) Hosts() []monitor.Host { return f.hosts }
func (f *fakeMonitor) Add(t string) error {
	if err := monitor.ValidTarget(t); err != nil {
		return err
	}
	f.added = append(f.added, t)
	return nil
}
func (f *fakeMonitor) Remove(string) error { return nil }
func (f *fakeMonitor) Trigger(string) bool { return true }

func TestDashboardSortsByDaysToExpiryOrGradeAndShowsFailingRules(t *testing.T) {
	now := time.Now()
	m := &fakeMonitor{hosts: []monitor.Host{
		{Target: "late-a.test", Source: monitor.SourceFile, LastRun: now, Reports: []*report.Report{synthetic("late-a.test", "A", now.Add(80*24*time.Hour), now)}},
		{Target: "soon-b.test", Source: monitor.SourceDashboard, LastRun: now, Reports: []*report.Report{synthetic("soon-b.test", "B", now.Add(5*24*time.Hour+time.Hour), now)},
			Violations: []policyfile.Violation{{Rule: "min_grade", Evidence: "grade B is below A <b>"}}},
		{Target: "mid-f.test", Source: monitor.SourceFile, LastRun: now, Reports: []*report.Report{synthetic("mid-f.test", "F", now.Add(40*24*time.Hour), now)}},
	}}
	p, _ := New(Config{Backend: &memBackend{}, Monitor: m})
	order := func(page string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`>([a-z-]+\.test)</a>`).FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		return out
	}
	_, page, _ := get(t, p, "/dashboard")
	if got := strings.Join(order(page), " "); got != "soon-b.test mid-f.test late-a.test" {
		t.Errorf("by expiry: %s", got)
	}
	if !strings.Contains(page, "min_grade") || !strings.Contains(page, "below A &lt;b&gt;") || !strings.Contains(page, ">5</span>") {
		t.Errorf("failing rule or days missing:\n%s", page)
	}
	_, page, _ = get(t, p, "/dashboard?sort=grade")
	if got := strings.Join(order(page), " "); got != "mid-f.test soon-b.test late-a.test" {
		t.Errorf("by grade: %s", got)
	}

	post := func(origin string, form url.Values, hdr ...string) int {
		req := httptest.NewRequest("POST", "/dashboard", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		return rec.Code
	}
	if c := post("http://evil.example", url.Values{"action": {"add"}, "target": {"x.test"}}); c != http.StatusForbidden {
		t.Errorf("cross-site add: %d", c)
	}
	if c := post("http://example.com", url.Values{"action": {"add"}, "target": {"new.test:8443"}}); c != http.StatusSeeOther || len(m.added) != 1 {
		t.Errorf("same-origin add: %d %v", c, m.added)
	}
	if c := post("null", url.Values{"action": {"add"}, "target": {"x.test"}}, "Sec-Fetch-Site", "cross-site"); c != http.StatusForbidden {
		t.Errorf("cross-site add by Sec-Fetch-Site: %d", c)
	}
	// A browser posting the page's own form under "Referrer-Policy:
	// no-referrer" sends "Origin: null" and Sec-Fetch-Site same-origin.
	if c := post("null", url.Values{"action": {"add"}, "target": {"own.test"}}, "Sec-Fetch-Site", "same-origin"); c != http.StatusSeeOther || len(m.added) != 2 {
		t.Errorf("the page's own form: %d %v", c, m.added)
	}
	if c := post("", url.Values{"action": {"add"}, "target": {"bad host"}}); c != http.StatusBadRequest {
		t.Errorf("bad target: %d", c)
	}
}

func TestEveryPageIsSelfContained(t *testing.T) {
	p, _ := New(Config{Backend: &memBackend{}, Monitor: &fakeMonitor{}})
	for _, path := range []string{"/", "/decoder", "/dashboard", "/history?d=x.test", "/nope"} {
		_, page, hdr := get(t, p, path)
		if strings.Contains(page, "src=\"http") || strings.Contains(page, "href=\"http") || strings.Contains(page, "<link") {
			t.Errorf("%s loads something from elsewhere", path)
		}
		if hdr.Get("Content-Security-Policy") != CSP || !strings.Contains(page, "<style>") {
			t.Errorf("%s: CSP or inline style missing", path)
		}
		io.Discard.Write([]byte(page))
	}
}

func TestPagesReachedThroughTheKeyPathLinkThroughIt(t *testing.T) {
	p, _ := New(Config{Backend: &memBackend{}, Monitor: &fakeMonitor{}})
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-API-Key", "0123456789abcdef0123")
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	page := rec.Body.String()
	if !strings.Contains(page, `action="/k/0123456789abcdef0123/ssltest/analyze.html"`) || !strings.Contains(page, `href="/k/0123456789abcdef0123/dashboard"`) {
		t.Errorf("links do not keep the key path:\n%s", page)
	}
	if strings.Contains(page, `href="/dashboard"`) {
		t.Errorf("a link leaves the key path")
	}
}

func TestAnalyzePageShowsOneEndpointWithS(t *testing.T) {
	b := &memBackend{}
	now := time.Now()
	r1 := synthetic("two.test", "A", now.Add(90*24*time.Hour), now)
	r2 := synthetic("two.test", "C", now.Add(90*24*time.Hour), now, "proto.tls10")
	r2.Target.IP = "127.0.0.2"
	a := b.add("two.test", now, r1, r2)
	p, _ := New(Config{Backend: b})
	_, all, _ := get(t, p, "/ssltest/analyze.html?d=two.test")
	_, one, _ := get(t, p, "/ssltest/analyze.html?d=two.test&s=127.0.0.2&id="+strconv.FormatInt(a.ID, 10))
	if n := strings.Count(all, `<section class="card"`); n != 2 {
		t.Errorf("without s: %d report sections, want 2", n)
	}
	if n := strings.Count(one, `<section class="card"`); n != 1 || !strings.Contains(one, "127.0.0.2</a> (shown)") {
		t.Errorf("with s: %d report sections", n)
	}
}

// refusingBackend starts nothing (for the fuzz target).
type refusingBackend struct{ memBackend }

func (*refusingBackend) Start(context.Context, *http.Request, string, bool) (*Assessment, error) {
	return nil, errors.New("refused <b>")
}

func FuzzPagesQuery(f *testing.F) {
	b := &refusingBackend{}
	b.add("h.test", time.Now(), synthetic("h.test", "A", time.Now().Add(time.Hour), time.Now()))
	p, _ := New(Config{Backend: b, Monitor: &fakeMonitor{}})
	for _, s := range []string{"/ssltest/analyze.html?d=h.test&s=1.2.3.4", "/history?d=h.test&a=1&b=x", "/ssltest/status.json?id=1", "/dashboard?sort=grade", "/ssltest/analyze.html?d=%3Cscript%3E"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(u.Path, "/") {
			return
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.URL = u
		p.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Security-Policy") == CSP && strings.Count(rec.Body.String(), "<script") != 1 {
			t.Fatalf("%s: %d script elements", target, strings.Count(rec.Body.String(), "<script"))
		}
	})
}

// The progress view shows each running endpoint's progress and ETA (the
// SSL Labs API's estimates), in the page and in the status it polls.
func TestProgressViewShowsEachEndpointsProgressAndETA(t *testing.T) {
	started := time.Now().Add(-5 * time.Second)
	a := summaryOf(&store.Assessment{ID: 7, Host: "h.test", State: store.StateRunning, Endpoints: []store.Endpoint{
		{IP: "192.0.2.1", State: store.EndpointRunning, StartedAt: started.UnixMilli(), ExpectedMs: 20000},
		{IP: "192.0.2.2", State: store.EndpointPending},
	}})
	if ep := a.Endpoints[0]; ep.Progress < 24 || ep.Progress > 30 || ep.ETA < 13 || ep.ETA > 15 {
		t.Errorf("running endpoint 5 s into 20: progress %d, eta %d", ep.Progress, ep.ETA)
	}
	if ep := a.Endpoints[1]; ep.Progress != -1 || ep.ETA != -1 {
		t.Errorf("pending endpoint: progress %d, eta %d", ep.Progress, ep.ETA)
	}
	b := &memBackend{}
	b.all = append(b.all, a)
	b.next = 7
	p, _ := New(Config{Backend: b})
	code, page, _ := get(t, p, "/ssltest/analyze.html?d=h.test")
	if code != 200 || !regexp.MustCompile(`running 2[4-9]%, about 1[3-5] s left<progress max="100" value="2[4-9]">`).MatchString(page) {
		t.Errorf("progress page: %d\n%s", code, page)
	}
	_, js, _ := get(t, p, "/ssltest/status.json?id=7")
	var st statusJSON
	if err := json.Unmarshal([]byte(js), &st); err != nil || len(st.Endpoints) != 2 || st.Endpoints[0].Progress < 24 || st.Endpoints[0].ETA < 13 || st.Endpoints[1].Progress != -1 {
		t.Errorf("status.json: %s (%v)", js, err)
	}
}
