package serve

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// errorsOf decodes an SSL Labs error response.
func errorsOf(t *testing.T, body []byte) []apiError {
	t.Helper()
	var e struct {
		Errors []apiError `json:"errors"`
	}
	if err := json.Unmarshal(body, &e); err != nil || len(e.Errors) == 0 {
		t.Fatalf("not an error response: %s", body)
	}
	return e.Errors
}

// countingAuditor records the targets it was asked to audit and returns a
// minimal ok report without any network I/O.
type countingAuditor struct {
	n       atomic.Int64
	targets chan Target
}

func (c *countingAuditor) audit(_ context.Context, t Target) *report.Report {
	c.n.Add(1)
	if c.targets != nil {
		c.targets <- t
	}
	o := &obs.Observation{Schema: obs.SchemaVersion, Status: obs.StatusOK, Target: obs.Target{Host: t.Host, IP: t.IP.String(), Port: t.Port}}
	return report.New(report.Tool{Name: "tlsaudit", Version: "test"}, o, nil, nil)
}

func TestAPIErrorsAreSSLLabsShapedWith400(t *testing.T) {
	ca := &countingAuditor{}
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Audit: ca.audit})
	for _, tc := range []struct {
		path, field, msg string
		hdr              []string
	}{
		{path: "/api/v3/analyze", field: "host", msg: "qp.mandatory"},
		{path: "/api/v3/analyze?host=", field: "host", msg: "qp.mandatory"},
		{path: "/api/v3/analyze?host=bad_%20name", field: "host", msg: "qp.invalid"},
		{path: "/api/v3/analyze?host=example.com:0", field: "host", msg: "qp.invalid"},
		{path: "/api/v3/analyze?host=example.com:70000", field: "host", msg: "qp.invalid"},
		{path: "/api/v3/analyze?host=example.com&startNew=yes", field: "startNew", msg: "qp.invalid"},
		{path: "/api/v3/analyze?host=example.com&startNew=on&fromCache=on", field: "fromCache", msg: "qp.invalid"},
		{path: "/api/v3/analyze?host=example.com&maxAge=-1", field: "maxAge", msg: "qp.invalid"},
		{path: "/api/v3/analyze?host=example.com&all=maybe", field: "all", msg: "qp.invalid"},
		{path: "/api/v3/analyze?host=a.com&host=b.com", field: "host", msg: "more than once"},
		{path: "/api/v3/getEndpointData?host=example.com", field: "s", msg: "qp.mandatory"},
		{path: "/api/v3/getEndpointData?host=example.com&s=notanip", field: "s", msg: "qp.invalid"},
		{path: "/api/v3/getEndpointData?host=never.example&s=192.0.2.1", field: "host", msg: "no assessment"},
		{path: "/api/v3/getRootCertsRaw?trustStore=9", field: "trustStore", msg: "qp.invalid"},
		{path: "/api/v4/info", field: "email", msg: "required"},
		{path: "/api/v4/analyze?host=example.com", field: "email", msg: "invalid", hdr: []string{"email", "not an address"}},
	} {
		code, _, body := get(t, ts.URL+tc.path, tc.hdr...)
		if code != 400 {
			t.Errorf("%s: status %d, want 400 (%s)", tc.path, code, body)
			continue
		}
		es := errorsOf(t, body)
		if es[0].Field != tc.field || !strings.Contains(es[0].Message, tc.msg) {
			t.Errorf("%s: errors %+v, want field %q message ~%q", tc.path, es, tc.field, tc.msg)
		}
	}
	// An unknown call is a 404 with the same shape; an over-long URL 414.
	if code, _, body := get(t, ts.URL+"/api/v3/nope"); code != 404 || errorsOf(t, body) == nil {
		t.Errorf("unknown call: %d", code)
	}
	if code, _, _ := get(t, ts.URL+"/api/v3/analyze?host="+strings.Repeat("a", 5000)); code != 414 {
		t.Errorf("long URL: %d", code)
	}
	if ca.n.Load() != 0 {
		t.Errorf("a refused call started %d audits", ca.n.Load())
	}
}

func TestNewAssessmentsOverTheClientLimitAre429(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	audit := func(ctx context.Context, t Target) *report.Report {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return (&countingAuditor{}).audit(ctx, t)
	}
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Audit: audit, MaxAssessments: 2, Workers: 1,
		Resolver: fakeResolver{"a.test": {netip.MustParseAddr("192.0.2.1")}, "b.test": {netip.MustParseAddr("192.0.2.2")}, "c.test": {netip.MustParseAddr("192.0.2.3")}},
		Policy:   mustAllow(t, "192.0.2.0/24")})
	for _, h := range []string{"a.test", "b.test"} {
		if code, hdr, body := get(t, ts.URL+"/api/v3/analyze?host="+h+"&startNew=on"); code != 200 || hdr.Get("X-Max-Assessments") != "2" {
			t.Fatalf("%s: %d %s", h, code, body)
		}
	}
	code, hdr, body := get(t, ts.URL+"/api/v3/analyze?host=c.test&startNew=on")
	if code != 429 || !strings.Contains(errorsOf(t, body)[0].Message, "maxAssessments") {
		t.Fatalf("third: %d %s", code, body)
	}
	_ = hdr
	// Following an assessment already started is never refused.
	if code, hdr, _ := get(t, ts.URL+"/api/v3/analyze?host=a.test"); code != 200 || hdr.Get("X-Current-Assessments") != "2" {
		t.Errorf("poll: %d, current %q", code, hdr.Get("X-Current-Assessments"))
	}
	var info Info
	_, _, body = get(t, ts.URL+"/api/v3/info")
	if json.Unmarshal(body, &info) != nil || info.CurrentAssessments != 2 || info.MaxAssessments != 2 || info.NewAssessmentCoolOff < 1 {
		t.Errorf("info = %s", body)
	}
}

func TestNewAssessmentWithinTheCoolOffIs429(t *testing.T) {
	ca := &countingAuditor{}
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Audit: ca.audit, CoolOff: time.Hour,
		Resolver: fakeResolver{"a.test": {netip.MustParseAddr("192.0.2.1")}, "b.test": {netip.MustParseAddr("192.0.2.2")}},
		Policy:   mustAllow(t, "192.0.2.0/24")})
	if code, _, body := get(t, ts.URL+"/api/v3/analyze?host=a.test"); code != 200 {
		t.Fatalf("first: %d %s", code, body)
	}
	code, _, body := get(t, ts.URL+"/api/v3/analyze?host=b.test")
	if code != 429 || !strings.Contains(errorsOf(t, body)[0].Message, "CoolOff") {
		t.Fatalf("second: %d %s", code, body)
	}
}

func TestAPIKeyIsRequiredInHeaderOrPath(t *testing.T) {
	ca := &countingAuditor{}
	key := "0123456789abcdef0123"
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Audit: ca.audit, APIKeys: []string{key}})
	if code, _, _ := get(t, ts.URL+"/api/v3/info"); code != 401 {
		t.Errorf("no key: %d", code)
	}
	if code, _, _ := get(t, ts.URL+"/api/v3/info", "X-API-Key", "wrong-key-wrong-key"); code != 401 {
		t.Errorf("wrong key: %d", code)
	}
	if code, _, _ := get(t, ts.URL+"/k/wrong-key-wrong-key/api/v3/info"); code != 401 {
		t.Errorf("wrong key in path: %d", code)
	}
	if code, _, body := get(t, ts.URL+"/api/v3/info", "X-API-Key", key); code != 200 {
		t.Errorf("key header: %d %s", code, body)
	}
	if code, _, body := get(t, ts.URL+"/k/"+key+"/api/v3/info"); code != 200 {
		t.Errorf("key in path: %d %s", code, body)
	}
	if code, _, body := get(t, ts.URL+"/k/"+key+"/api/v4/info", "email", "ops@example.org"); code != 200 {
		t.Errorf("v4 with key in path: %d %s", code, body)
	}
}

func TestV4EmailMustBeOnTheConfiguredList(t *testing.T) {
	ca := &countingAuditor{}
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Audit: ca.audit, Emails: []string{"ops@example.org"}})
	if code, _, body := get(t, ts.URL+"/api/v4/info", "email", "ops@example.org"); code != 200 {
		t.Errorf("listed: %d %s", code, body)
	}
	code, _, body := get(t, ts.URL+"/api/v4/info", "email", "eve@example.org")
	if code != 400 || errorsOf(t, body)[0].Field != "email" {
		t.Errorf("unlisted: %d %s", code, body)
	}
}

// assessOnce starts an assessment of host and waits for it to finish.
func assessOnce(t *testing.T, ts *testServer, host string) *Host {
	t.Helper()
	c := &labsClient{t: t, api: ts.URL + "/api/v3", interval: 50 * time.Millisecond}
	h, _ := c.assess(host, false)
	return h
}

func TestSSRFTargetsAreRefusedUnlessAllowed(t *testing.T) {
	ca := &countingAuditor{}
	res := fakeResolver{
		"rebind.test":   {netip.MustParseAddr("127.0.0.1")},
		"metadata.test": {netip.MustParseAddr("169.254.169.254")},
		"mixed.test":    {netip.MustParseAddr("10.0.0.7"), netip.MustParseAddr("192.0.2.9")},
	}
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Audit: ca.audit, Resolver: res, TargetCoolOff: -1})
	for _, tc := range []struct{ host, why string }{
		{"127.0.0.1", "loopback"},
		{"127.0.0.1:8443", "loopback"},
		{"[::1]:443", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"192.168.1.1", "private"},
		{"169.254.169.254", "link-local"},
		{"metadata.test", "link-local"},
		{"fd00::1", "private"},
		{"fe80::1", "link-local"},
		{"224.0.0.1", "multicast"},
		{"0.0.0.0", "unspecified"},
		{"100.64.0.1", "reserved"},
		{"rebind.test", "loopback"},
	} {
		h := assessOnce(t, ts, tc.host)
		if h.Status != "ERROR" || !strings.Contains(h.StatusMessage, tc.why) || !strings.Contains(h.StatusMessage, "--allow-targets") {
			t.Errorf("%s: status %s %q, want ERROR naming %q", tc.host, h.Status, h.StatusMessage, tc.why)
		}
	}
	if n := ca.n.Load(); n != 0 {
		t.Fatalf("%d refused targets were audited", n)
	}
	// A name with one public and one private address: only the public one
	// is assessed, and it is dialled by address.
	ca.targets = make(chan Target, 4)
	h := assessOnce(t, ts, "mixed.test")
	if h.Status != "READY" || len(h.Endpoints) != 1 || h.Endpoints[0].IPAddress != "192.0.2.9" {
		t.Fatalf("mixed.test: %+v", h)
	}
	if got := <-ca.targets; got.IP != netip.MustParseAddr("192.0.2.9") || got.Host != "mixed.test" {
		t.Errorf("dialled %+v", got)
	}
}

func TestAllowTargetsOpensPrefixesAndNames(t *testing.T) {
	p := mustAllow(t, "10.0.0.0/8, 127.0.0.1, intranet.test")
	for _, tc := range []struct {
		name string
		addr string
		ok   bool
	}{
		{"", "10.9.9.9", true},
		{"", "127.0.0.1", true},
		{"", "127.0.0.2", false},
		{"", "::ffff:10.0.0.1", true},
		{"intranet.test", "192.168.0.1", true},
		{"other.test", "192.168.0.1", false},
		{"", "169.254.169.254", false},
		{"", "8.8.8.8", true},
	} {
		if got := p.Refused(tc.name, netip.MustParseAddr(tc.addr)) == ""; got != tc.ok {
			t.Errorf("%s/%s: allowed %v, want %v", tc.name, tc.addr, got, tc.ok)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "bad name", "host:80"} {
		if _, err := ParseAllow(bad); err == nil {
			t.Errorf("ParseAllow(%q) accepted", bad)
		}
	}
}
