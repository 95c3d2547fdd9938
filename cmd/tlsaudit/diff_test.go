package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const diffFixtures = "../../testdata/golden"

func TestDiffCommand(t *testing.T) {
	old := filepath.Join(diffFixtures, "diff.old.json")
	new := filepath.Join(diffFixtures, "diff.new.json")
	want, err := os.ReadFile(filepath.Join(diffFixtures, "diff.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"diff", old, new}, nil, &out, &errb); code != exitPolicy {
		t.Fatalf("diff of a regression: exit %d, want %d; stderr %s", code, exitPolicy, errb.String())
	}
	if out.String() != string(want) {
		t.Errorf("text output differs from testdata/golden/diff.txt:\n%s", out.String())
	}

	out.Reset()
	if code := run([]string{"diff", "--json", old, new}, nil, &out, &errb); code != exitPolicy {
		t.Fatalf("--json: exit %d", code)
	}
	var d struct {
		Regression bool `json:"regression"`
		Targets    []struct {
			Target string `json:"target"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(out.Bytes(), &d); err != nil || !d.Regression || len(d.Targets) != 4 {
		t.Errorf("--json output %v: %s", err, out.String())
	}

	// Improvements only (NEW compared with itself, or OLD → a better NEW): exit 0.
	out.Reset()
	if code := run([]string{"diff", new, new}, nil, &out, &errb); code != exitOK {
		t.Errorf("diff of identical reports: exit %d, want 0\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "0 with changes") {
		t.Errorf("identical reports reported changes:\n%s", out.String())
	}
	// A 1-day window clears the expiry regression; the others remain.
	out.Reset()
	if code := run([]string{"diff", "--expiry-warn", "1d", old, new}, nil, &out, &errb); code != exitPolicy {
		t.Errorf("--expiry-warn 1d: exit %d, want 1 (grade and protocol regressions remain)", code)
	}
}

func TestDiffCommandErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.json")
	if err := os.WriteFile(garbage, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(diffFixtures, "diff.old.json")
	for _, args := range [][]string{
		{"diff"},
		{"diff", good},
		{"diff", good, filepath.Join(dir, "missing.json")},
		{"diff", garbage, good},
		{"diff", "--expiry-warn", "soon", good, good},
		{"diff", "--bogus", good, good},
	} {
		var out, errb bytes.Buffer
		if code := run(args, nil, &out, &errb); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
		if !strings.Contains(errb.String(), "tlsaudit: error:") {
			t.Errorf("%v: no error message on stderr: %q", args, errb.String())
		}
	}
	var out bytes.Buffer
	if code := run([]string{"diff", "--help"}, nil, &out, &out); code != exitOK || !strings.Contains(out.String(), "Usage: tlsaudit diff") {
		t.Errorf("diff --help: exit %d, %q", code, out.String())
	}
}
