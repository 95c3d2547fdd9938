// Package checktest helps test checks from fixture observations, in the
// manner of zlint's test.TestLint: load testdata/observations/<name>.json,
// run one registered check through the framework lifecycle, compare.
package checktest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Short names for the statuses, for test tables.
const (
	Pass = checks.StatusPass
	Fail = checks.StatusFail
	NA   = checks.StatusNotApplicable
	Inc  = checks.StatusInconclusive
)

// Now is the fixed clock of check tests.
var Now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// Env returns the test environment (fixed clock).
func Env() checks.Env { return checks.Env{Now: Now} }

// RepoRoot walks up from the working directory to the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("checktest: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Observation loads testdata/observations/<name>.json, rejecting unknown
// fields so fixtures stay in step with the obs model.
func Observation(t testing.TB, name string) *obs.Observation {
	t.Helper()
	path := filepath.Join(RepoRoot(t), "testdata", "observations", name+".json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("checktest: fixture %s: %v", name, err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var o obs.Observation
	if err := dec.Decode(&o); err != nil {
		t.Fatalf("checktest: fixture %s: %v", path, err)
	}
	return &o
}

// Run runs the check id of cs (a category's Checks) on o, as checks.Run
// does. It fails the test if cs has no such check (its file does not
// register it).
func Run(t testing.TB, cs []checks.Check, id string, o *obs.Observation) []checks.Finding {
	t.Helper()
	for _, c := range cs {
		if c.Meta().ID == id {
			return checks.Evaluate(c, o, Env())
		}
	}
	t.Fatalf("checktest: no check %q (its file must register it)", id)
	return nil
}

// Case is one row of a check test table.
type Case struct {
	Fixture    string        // testdata/observations/<Fixture>.json
	Want       checks.Status // status of the (single) finding
	WantDetail string        // substring of its Detail ("" = any)
	// WantSeverity, when set, is the expected finding severity.
	WantSeverity checks.Severity
	// Edit, when set, modifies the loaded observation first.
	Edit func(o *obs.Observation)
}

// RunTable runs the check id of cs against each case as a subtest named
// after the map key.
func RunTable(t *testing.T, cs []checks.Check, id string, cases map[string]Case) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := Observation(t, tc.Fixture)
			if tc.Edit != nil {
				tc.Edit(o)
			}
			fs := Run(t, cs, id, o)
			if len(fs) != 1 {
				t.Fatalf("%s on %s: got %d findings, want 1: %+v", id, tc.Fixture, len(fs), fs)
			}
			f := fs[0]
			if f.Status != tc.Want {
				t.Errorf("%s on %s: status %q, want %q (detail: %s)", id, tc.Fixture, f.Status, tc.Want, f.Detail)
			}
			if !strings.Contains(f.Detail, tc.WantDetail) {
				t.Errorf("%s on %s: detail %q does not contain %q", id, tc.Fixture, f.Detail, tc.WantDetail)
			}
			if tc.WantSeverity != "" && f.Severity != tc.WantSeverity {
				t.Errorf("%s on %s: severity %q, want %q", id, tc.Fixture, f.Severity, tc.WantSeverity)
			}
			if f.CheckID != id || f.Title == "" {
				t.Errorf("%s: metadata not filled in: %+v", id, f)
			}
		})
	}
}
