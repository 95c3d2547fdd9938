package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/regress"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// clone deep-copies a report through JSON.
func clone(t *testing.T, r *Report) *Report {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var c Report
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// diffPair builds the fixture pair: modern gets worse (TLS 1.0 with a CBC
// suite, a new medium finding, a new leaf expiring in 10 days, grade B),
// legacy gets better (SSLv2 gone), refused disappears, a new target appears.
func diffPair(t *testing.T) (old, new []*Report) {
	modern, legacy, refused := loadReport(t, "modern"), loadReport(t, "legacy"), loadReport(t, "refused")
	old = []*Report{modern, legacy, refused}

	m := clone(t, modern)
	m.Observation.Started = m.Observation.Started.Add(30 * 24 * time.Hour)
	m.Observation.Protocols[2] = obs.Protocol{Name: "TLSv1.0", Version: 0x0301, Supported: true, Suites: []obs.Suite{
		{ID: 0xc009, Name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"}}}
	m.Observation.Protocols[5].Suites = m.Observation.Protocols[5].Suites[:2] // CHACHA20 no longer accepted
	leaf := &m.Observation.Chains[0].Certificates[0]
	leaf.SHA256 = "ee55ee55ee55ee55ee55ee55ee55ee55"
	leaf.NotAfter = m.Observation.Started.Add(10 * 24 * time.Hour)
	m.Observation.Groups.TLS12 = m.Observation.Groups.TLS12[:1]
	m.Findings = append(m.Findings, checks.Finding{CheckID: "proto.tls10_enabled", Title: "TLS 1.0 supported", Category: "protocol",
		Status: checks.StatusFail, Severity: checks.SeverityMedium, Detail: "TLS 1.0 supported"})
	m.Grade.Letter, m.Grade.Score = "B", 78

	l := clone(t, legacy)
	l.Observation.Protocols[0] = obs.Protocol{Name: "SSLv2", Version: 2}
	var keep []checks.Finding
	for _, f := range l.Findings {
		if f.CheckID == "proto.sslv2_enabled" {
			f.Status = checks.StatusPass
		}
		keep = append(keep, f)
	}
	l.Findings = keep

	fresh := clone(t, modern)
	fresh.Target.Input, fresh.Observation.Target.Input = "fresh.test:443", "fresh.test:443"
	return old, []*Report{m, l, fresh}
}

func writeJSONFixture(t *testing.T, name string, rs []*Report) {
	b, err := marshal(rs, "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, name, b)
}

func TestDiffGolden(t *testing.T) {
	old, new := diffPair(t)
	// The fixture pair is stored for the CLI test (cmd/tlsaudit) and the docs.
	writeJSONFixture(t, "diff.old.json", old)
	writeJSONFixture(t, "diff.new.json", new)

	d := Compare(old, new, DiffOptions{})
	var txt, js bytes.Buffer
	if err := d.WriteText(&txt, Style{}); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "diff.txt", txt.Bytes())
	golden(t, "diff.json", js.Bytes())
	if !d.Regression {
		t.Fatal("the pair has regressions, Compare found none")
	}
}

func TestDiffRules(t *testing.T) {
	old, new := diffPair(t)
	d := Compare(old, new, DiffOptions{})
	if len(d.Targets) != 4 {
		t.Fatalf("%d targets, want 4 (3 old, 1 new)", len(d.Targets))
	}
	find := func(target, kind, subject string) *Change {
		for _, td := range d.Targets {
			if td.Target != target {
				continue
			}
			for i, c := range td.Changes {
				if c.Kind == kind && c.Subject == subject {
					return &td.Changes[i]
				}
			}
		}
		return nil
	}
	tests := []struct {
		target, kind, subject string
		regression            bool
	}{
		{"modern.test:8443", regress.ChangeGrade, "", true},
		{"modern.test:8443", regress.ChangeProtocol, "TLSv1.0", true},
		{"modern.test:8443", regress.ChangeSuite, "TLSv1.0 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", true},
		{"modern.test:8443", regress.ChangeSuite, "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256", false},
		{"modern.test:8443", regress.ChangeGroup, "TLS 1.2 secp256r1", false},
		{"modern.test:8443", regress.ChangeChain, "ECDSA leaf", false},
		{"modern.test:8443", regress.ChangeExpiry, "ECDSA leaf", true},
		{"modern.test:8443", regress.ChangeFinding, "proto.tls10_enabled", true},
		{"legacy.test", regress.ChangeProtocol, "SSLv2", false},
		{"legacy.test", regress.ChangeFinding, "proto.sslv2_enabled", false},
		{"127.0.0.1:1", regress.ChangeTarget, "", false},
		{"fresh.test:443", regress.ChangeTarget, "", false},
	}
	for _, tc := range tests {
		c := find(tc.target, tc.kind, tc.subject)
		if c == nil {
			t.Errorf("%s: no %s change %q", tc.target, tc.kind, tc.subject)
			continue
		}
		if c.Regression != tc.regression {
			t.Errorf("%s: %s %q regression = %v, want %v (%s)", tc.target, tc.kind, tc.subject, c.Regression, tc.regression, c.Why)
		}
	}
	for _, td := range d.Targets {
		if td.Target == "legacy.test" && td.Regression {
			t.Errorf("legacy improved but is marked as a regression: %+v", td.Changes)
		}
	}

	// Same reports: no change at all.
	same := Compare(old, old, DiffOptions{})
	for _, td := range same.Targets {
		if len(td.Changes) > 0 {
			t.Errorf("%s compared with itself: %+v", td.Target, td.Changes)
		}
	}
	// Status ok -> refused is a regression; the grade loss is not repeated.
	gone := clone(t, old[0])
	gone.Status, gone.Grade, gone.Findings, gone.Error = obs.StatusConnectionRefused, nil, nil, "refused"
	gone.Observation = &obs.Observation{Status: obs.StatusConnectionRefused}
	d = Compare(old[:1], []*Report{gone}, DiffOptions{})
	if !d.Regression || d.Targets[0].Changes[0].Kind != regress.ChangeStatus || len(d.Targets[0].Changes) != 1 {
		t.Errorf("scan failure: %+v", d.Targets[0].Changes)
	}
}

func TestDiffExpiryWindow(t *testing.T) {
	old, _ := diffPair(t)
	// modern's leaf expires 89 days after its scan. Scanned again 30 days
	// later (59 days left), it has come within a 60-day window, not a 50-day one.
	later := clone(t, old[0])
	later.Observation.Started = later.Observation.Started.Add(30 * 24 * time.Hour)
	if d := Compare(old[:1], []*Report{later}, DiffOptions{ExpiryWarn: 60 * 24 * time.Hour}); !d.Regression {
		t.Errorf("leaf now 59 days from expiry is no regression with a 60-day window")
	}
	if d := Compare(old[:1], []*Report{later}, DiffOptions{ExpiryWarn: 50 * 24 * time.Hour}); d.Regression {
		t.Errorf("leaf now 59 days from expiry is a regression with a 50-day window")
	}
	// Already within the window in the old scan: no news, no regression.
	if d := Compare(old[:1], []*Report{later}, DiffOptions{ExpiryWarn: 100 * 24 * time.Hour}); d.Regression {
		t.Errorf("leaf within the window in both scans counted as a regression: %+v", d.Targets)
	}
}

func TestReadReports(t *testing.T) {
	for _, file := range []string{"all.jsonl", "modern.json"} {
		f, err := os.Open(filepath.Join(goldenDir, file))
		if err != nil {
			t.Fatal(err)
		}
		rs, err := ReadReports(f)
		f.Close()
		if err != nil || len(rs) == 0 {
			t.Errorf("%s: %d reports, %v", file, len(rs), err)
		}
	}
	one, _ := marshal(loadReport(t, "modern"), "  ")
	if rs, err := ReadReports(bytes.NewReader(one)); err != nil || len(rs) != 1 {
		t.Errorf("single object: %d reports, %v", len(rs), err)
	}
	for _, bad := range []string{"", "  ", "[1,2]", "{\"a\":1}", "[{\"schema_version\":\"1.0\"", "not json"} {
		if _, err := ReadReports(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadReports(%q) accepted it", bad)
		}
	}
}
