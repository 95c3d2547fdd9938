package serve

import (
	"encoding/json"
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
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Policy: mustAllow(t, "127.0.0.1")})
	c := &labsClient{t: t, api: ts.URL + "/api/v3", interval: 100 * time.Millisecond}
	h, _ := c.assess(srv.Addr, false)
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
	h2, _ := c2.assess(srv.Addr, true)
	if h2.StartTime != h.StartTime || h2.TestTime != h.TestTime {
		t.Errorf("fromCache gave another assessment: %d/%d vs %d/%d", h2.StartTime, h2.TestTime, h.StartTime, h.TestTime)
	}
	code, _, body := get(t, ts.URL+"/api/v3/getEndpointData?host="+srv.Addr+"&s=127.0.0.1")
	var e Endpoint
	if code != 200 || json.Unmarshal(body, &e) != nil || e.Details == nil || e.Grade != ep.Grade {
		t.Errorf("getEndpointData: %d %.300s", code, body)
	}
	code, _, body = get(t, ts.URL+"/api/v3/getStatusCodes")
	if code != 200 || !strings.Contains(string(body), `"statusDetails"`) {
		t.Errorf("getStatusCodes: %d %s", code, body)
	}
}
