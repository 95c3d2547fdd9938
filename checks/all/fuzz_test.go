package all

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/checks/mozilla"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// FuzzObservation feeds arbitrary observations (as a hostile server and a
// buggy scanner could combine to produce) through every check, the grade
// and the Mozilla evaluation: nothing may panic, and no check may end in an
// error finding.
func FuzzObservation(f *testing.F) {
	dir := filepath.Join(checktest.RepoRoot(f), "testdata", "observations")
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"status":"ok","protocols":[{"name":"TLSv1.2","supported":true,"server_order":true,"suites":[{"id":10},{"id":65535}]}],"chains":[{"certificates":[]}],"groups":{"tls13":[{"id":0}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var o obs.Observation
		if json.Unmarshal(data, &o) != nil {
			return
		}
		for _, fd := range Registry().Run(&o, checktest.Env()) {
			if fd.Status == checks.StatusError {
				t.Fatalf("%s: %s", fd.CheckID, fd.Detail)
			}
		}
		findings := Registry().Run(&o, checktest.Env())
		for _, rs := range grade.RuleSets() {
			g := grade.Compute(&o, findings, grade.Options{RuleSet: rs})
			if g.Letter == "" && g.Error == "" {
				t.Fatalf("%s: no letter and no error", rs)
			}
		}
		for _, p := range mozilla.Profiles() {
			r, err := mozilla.Evaluate(&o, p)
			if err != nil {
				continue
			}
			for _, s := range mozilla.Servers() {
				if _, err := mozilla.Snippet(r, s); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
