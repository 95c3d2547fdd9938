package serve

import (
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func post(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/x-ndjson", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func TestNativeAPIBatchPollReportsAndHistory(t *testing.T) {
	ca := &countingAuditor{}
	res := fakeResolver{"a.test": {netip.MustParseAddr("192.0.2.1")}, "b.test": {netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("192.0.2.3")}}
	ts := startServer(t, sqliteStore(t, t.TempDir()), Config{Audit: ca.audit, Resolver: res, Policy: mustAllow(t, "192.0.2.0/24"), TargetCoolOff: -1})
	code, body := post(t, ts.URL+"/api/tlsaudit/v1/assessments", "{\"host\":\"a.test\"}\n\n{\"host\":\"b.test:8443\"}\n")
	if code != 200 {
		t.Fatalf("submit: %d %s", code, body)
	}
	var sub []AssessmentJSON
	if err := json.Unmarshal(body, &sub); err != nil || len(sub) != 2 || sub[1].Host != "b.test:8443" {
		t.Fatalf("submit answer: %s", body)
	}
	var a AssessmentJSON
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, _, b := get(t, ts.URL+"/api/tlsaudit/v1/assessments/"+itoa(int(sub[1].ID)))
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatal(err)
		}
		if a.State == "ready" || time.Now().After(deadline) {
			break
		}
	}
	if a.State != "ready" || len(a.Endpoints) != 2 || a.Endpoints[1].IP != "192.0.2.3" {
		t.Fatalf("assessment: %+v", a)
	}
	code, _, b := get(t, ts.URL+"/api/tlsaudit/v1/assessments/"+itoa(int(sub[1].ID))+"/reports")
	var reports []struct {
		SchemaVersion string `json:"schema_version"`
		Target        struct {
			Host string `json:"host"`
			IP   string `json:"ip"`
			Port int    `json:"port"`
		} `json:"target"`
	}
	if code != 200 || json.Unmarshal(b, &reports) != nil || len(reports) != 2 || reports[0].Target.Port != 8443 || reports[0].SchemaVersion == "" {
		t.Fatalf("reports: %d %.300s", code, b)
	}
	// A second assessment of a.test makes a history of two.
	post(t, ts.URL+"/api/tlsaudit/v1/assessments", `{"host":"a.test"}`)
	var hist []AssessmentJSON
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, _, b := get(t, ts.URL+"/api/tlsaudit/v1/hosts/a.test/history")
		if err := json.Unmarshal(b, &hist); err != nil {
			t.Fatal(err)
		}
		if len(hist) == 2 && hist[0].State == "ready" || time.Now().After(deadline) {
			break
		}
	}
	if len(hist) != 2 || hist[0].ID <= hist[1].ID {
		t.Fatalf("history: %+v", hist)
	}
	var hosts []HostJSON
	if _, _, b := get(t, ts.URL+"/api/tlsaudit/v1/hosts"); json.Unmarshal(b, &hosts) != nil || len(hosts) != 2 || hosts[0].Host != "a.test" || hosts[0].Assessments != 2 {
		t.Fatalf("hosts: %s", b)
	}
	for _, tc := range []struct {
		body string
		code int
	}{
		{"", 400},
		{"not json", 400},
		{`{"host":"bad host"}`, 400},
		{`{"host":"a.test","extra":1}`, 400},
		{strings.Repeat(`{"host":"a.test"}`+"\n", 1001), 413},
		{strings.Repeat("x", 2<<20), 413},
	} {
		if code, b := post(t, ts.URL+"/api/tlsaudit/v1/assessments", tc.body); code != tc.code || errorsOf(t, b) == nil {
			t.Errorf("body %.40q: %d, want %d", tc.body, code, tc.code)
		}
	}
	if code, _, _ := get(t, ts.URL+"/api/tlsaudit/v1/assessments/999"); code != 404 {
		t.Errorf("unknown id: %d", code)
	}
	if code, _, _ := get(t, ts.URL+"/api/tlsaudit/v1/assessments/x"); code != 400 {
		t.Errorf("bad id: %d", code)
	}
}
