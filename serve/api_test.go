package serve

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

func TestV3AnalyzeRoundTripGradesALoopbackServer(t *testing.T) {
	srv, err := tlstest.NewGoServer(nil, tlstest.GoHeader("Strict-Transport-Security", "max-age=31536000"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// The host is the name the certificate carries (a name mismatch would
	// withhold the result), resolved to the loopback server.
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Policy: mustAllow(t, "127.0.0.1"),
		Resolver: fakeResolver{tlstest.DefaultName: {netip.MustParseAddr("127.0.0.1")}}})
	target := net.JoinHostPort(tlstest.DefaultName, strconv.Itoa(srv.Port))
	c := &labsClient{t: t, api: ts.URL + "/api/v3", interval: 100 * time.Millisecond}
	h, _ := c.assess(target, false)
	if h.Status != "READY" || len(h.Endpoints) != 1 {
		t.Fatalf("host = %+v", h)
	}
	ep := h.Endpoints[0]
	if ep.IPAddress != "127.0.0.1" || ep.StatusMessage != "Ready" || ep.Details == nil {
		t.Fatalf("endpoint = %+v", ep)
	}
	// The test PKI's root is in no store the server was given: T, and
	// the grade with trust ignored is the configuration's own.
	if ep.Grade != "T" || ep.GradeTrustIgnored == "" || ep.GradeTrustIgnored == "T" {
		t.Errorf("grade %q / trust ignored %q", ep.Grade, ep.GradeTrustIgnored)
	}
	if len(h.Certs) == 0 || len(ep.Details.CertChains) == 0 || ep.Details.CertChains[0].CertIDs[0] != h.Certs[0].ID {
		t.Errorf("certs %d, chains %+v", len(h.Certs), ep.Details.CertChains)
	}
	if ep.Details.HstsPolicy.Status != "present" || ep.Details.HstsPolicy.MaxAge == nil || *ep.Details.HstsPolicy.MaxAge != 31536000 {
		t.Errorf("hsts = %+v", ep.Details.HstsPolicy)
	}

	// Polling again (no startNew) returns the same finished assessment;
	// fromCache too.
	c2 := &labsClient{t: t, api: ts.URL + "/api/v3", interval: 100 * time.Millisecond}
	h2, _ := c2.assess(target, true)
	if h2.StartTime != h.StartTime || h2.TestTime != h.TestTime {
		t.Errorf("fromCache gave another assessment: %d/%d vs %d/%d", h2.StartTime, h2.TestTime, h.StartTime, h.TestTime)
	}
	code, _, body := get(t, ts.URL+"/api/v3/getEndpointData?host="+target+"&s=127.0.0.1")
	var e Endpoint
	if code != 200 || json.Unmarshal(body, &e) != nil || e.Details == nil || e.Grade != ep.Grade {
		t.Errorf("getEndpointData: %d %.300s", code, body)
	}
	code, _, body = get(t, ts.URL+"/api/v3/getStatusCodes")
	if code != 200 || !strings.Contains(string(body), `"statusDetails"`) {
		t.Errorf("getStatusCodes: %d %s", code, body)
	}
}

// A certificate that does not match the host: without ignoreMismatch the
// endpoint's result is withheld (statusMessage "Certificate not valid for
// domain name", no grade, no details) and the Host lists the certificate's
// names; a new assessment with ignoreMismatch=on proceeds and is graded.
func TestAnalyzeWithholdsAMismatchedEndpointUnlessIgnoreMismatch(t *testing.T) {
	srv := tlstest.NewGoServerT(t, nil)
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Policy: mustAllow(t, "127.0.0.1"), TargetCoolOff: time.Hour})
	c := &labsClient{t: t, api: ts.URL + "/api/v3", interval: 100 * time.Millisecond}
	h, _ := c.assess(srv.Addr, false) // 127.0.0.1:PORT; the certificate names tlsaudit.test
	if h.Status != "READY" || len(h.Endpoints) != 1 {
		t.Fatalf("host = %+v", h)
	}
	ep := h.Endpoints[0]
	if ep.StatusMessage != MsgMismatch || ep.Grade != "" || ep.GradeTrustIgnored != "" || ep.Details != nil {
		t.Errorf("mismatched endpoint = %+v", ep)
	}
	if len(h.CertHostnames) != 1 || h.CertHostnames[0] != tlstest.DefaultName {
		t.Errorf("certHostnames = %q", h.CertHostnames)
	}
	if len(h.Certs) == 0 || h.Certs[0].Issues&8 == 0 {
		t.Errorf("certs = %+v, want the leaf's hostname-mismatch issue (8)", h.Certs)
	}

	// startNew with ignoreMismatch=on: not answered by the withheld one,
	// although it is within the per-target cool-off.
	c.ignoreMismatch = true
	h2, _ := c.assess(srv.Addr, false)
	if h2.StartTime <= h.StartTime {
		t.Fatalf("ignoreMismatch=on returned the withheld assessment (startTime %d)", h2.StartTime)
	}
	ep = h2.Endpoints[0]
	if h2.Status != "READY" || ep.StatusMessage != "Ready" || ep.Grade == "" || ep.Details == nil {
		t.Fatalf("with ignoreMismatch: host %s, endpoint %+v", h2.Status, ep)
	}
	if len(h2.CertHostnames) != 1 {
		t.Errorf("certHostnames = %q, want the certificate's names (it still does not match)", h2.CertHostnames)
	}
	// Later polls, with or without the parameter, get the graded one.
	c.ignoreMismatch = false
	h3, _ := c.assess(srv.Addr, true)
	if h3.StartTime != h2.StartTime || h3.Endpoints[0].Grade != ep.Grade {
		t.Errorf("fromCache: %+v", h3)
	}
}

// ssllabs-scan joins its -api base and the call with "/": the base the
// README gives, ".../api/v3/", makes ".../api/v3//analyze". It is answered
// directly, not redirected (v4's email header included).
func TestAPIBaseWithATrailingSlashIsAnsweredWithoutARedirect(t *testing.T) {
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{NoWorkers: true})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"/api/v3//info", "/api/v4//info", "/api/v3//analyze?host=a.test&all=done", "//api/v3/getStatusCodes"} {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("email", "ops@example.com")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d (Location %q)", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// The web pages' entry point takes ignoreMismatch=on from the page's query,
// as SSL Labs' pages do; without it the assessment stops at a mismatch.
func TestStartForRequestTakesIgnoreMismatchFromThePageQuery(t *testing.T) {
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{NoWorkers: true, CoolOff: -1})
	for host, query := range map[string]string{"a.test": "?d=a.test&ignoreMismatch=on", "b.test": "?d=b.test"} {
		r := httptest.NewRequest("GET", "/analyze"+query, nil)
		a, err := ts.StartForRequest(context.Background(), r, host, true)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Contains(query, "ignoreMismatch"); a.Options.IgnoreMismatch != want {
			t.Errorf("%s: ignore_mismatch %v, want %v", query, a.Options.IgnoreMismatch, want)
		}
	}
}
