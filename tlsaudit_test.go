package tlsaudit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func recorded(t *testing.T, name string) *obs.Observation {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name+".input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Observation *obs.Observation `json:"observation"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	return fx.Observation
}

func TestAuditObservationJudgesARecordedObservation(t *testing.T) {
	r, err := AuditObservation(recorded(t, "legacy"), Options{Gates: policy.Gates{FailUnder: "A"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != obs.StatusOK || len(r.Findings) == 0 || r.Grade == nil || r.Grade.Letter == "" {
		t.Fatalf("status %s, %d findings, grade %+v", r.Status, len(r.Findings), r.Grade)
	}
	if r.Mozilla == nil {
		t.Error("no Mozilla verdict")
	}
	if r.Policy == nil || r.Policy.Passed || len(r.Policy.Violations) == 0 || r.Policy.Violations[0].Rule != "fail_under" {
		t.Errorf("policy verdict %+v, want a broken fail_under", r.Policy)
	}
}

func TestNoGatesGiveNoPolicyVerdict(t *testing.T) {
	r, err := AuditObservation(recorded(t, "modern"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Policy != nil {
		t.Errorf("policy verdict %+v without gates", r.Policy)
	}
}

func TestFailedScanIsJudgedAsNotScanned(t *testing.T) {
	r, err := AuditObservation(recorded(t, "refused"), Options{Gates: policy.Gates{FailOn: checks.SeverityLow}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status == obs.StatusOK || len(r.Findings) != 0 || r.Grade != nil || r.Policy != nil {
		t.Errorf("refused target judged: %+v", r)
	}
}

func TestEngineRejectsUnknownMozillaProfile(t *testing.T) {
	if _, err := New(Options{MozillaProfile: "Modern"}); err == nil {
		t.Error("unknown profile accepted")
	}
	if _, err := Audit(t.Context(), "bad host:99999", Options{}); err == nil {
		t.Error("invalid target accepted")
	}
}
