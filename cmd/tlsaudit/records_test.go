package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestQuickJSONLRecordsAreSmall: a --quick batch's jsonl records (the
// demo's two loopback servers, audited for real) are compact by default,
// median at most 2 KB, and complete when asked.
func TestQuickJSONLRecordsAreSmall(t *testing.T) {
	r := runCmd(t, "", "demo", "--quick", "--format", "jsonl")
	r.expect(t, exitOK)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d records, want 2:\n%s", len(lines), r.stdout)
	}
	var sizes []int
	for _, l := range lines {
		sizes = append(sizes, len(l)+1)
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		o := rec["observation"].(map[string]any)
		if _, dup := o["target"]; dup {
			t.Error("compact record repeats the target in the observation")
		}
		if strings.Contains(l, `"der"`) {
			t.Error("compact record carries certificate DER")
		}
		for _, f := range rec["findings"].([]any) {
			if st := f.(map[string]any)["status"]; st != "fail" {
				t.Errorf("default jsonl record carries a %v finding", st)
			}
		}
		if rec["findings_omitted"] == nil {
			t.Error("record does not count the findings it left out")
		}
	}
	slices.Sort(sizes)
	if median := sizes[len(sizes)/2]; median > 2048 {
		t.Errorf("median record %d bytes, want at most 2048 (sizes %v)", median, sizes)
	}
	t.Logf("compact --quick records: %v bytes", sizes)

	full := runCmd(t, "", "demo", "--quick", "--format", "jsonl", "--findings", "all", "--compact=false")
	full.expect(t, exitOK)
	if !strings.Contains(full.stdout, `"der"`) || !strings.Contains(full.stdout, `"status":"pass"`) ||
		!strings.Contains(full.stdout, `"certificates":{`) || strings.Contains(full.stdout, "findings_omitted") {
		t.Errorf("--findings all --compact=false is not the full record")
	}
	// Other formats are full by default.
	js := runCmd(t, "", "demo", "--quick", "--json")
	if !strings.Contains(js.stdout, `"status": "pass"`) || !strings.Contains(js.stdout, `"der"`) {
		t.Errorf("--json is not the full report by default")
	}
	bad := runCmd(t, "", "demo", "--findings", "some")
	bad.expect(t, exitUsage)
	if !strings.Contains(bad.stderr, "unknown --findings") {
		t.Errorf("stderr %q", bad.stderr)
	}
}

// TestSARIFValidatesWithMultitool: the SARIF of a real audit (the demo's
// loopback servers) passes Microsoft's SARIF multitool validation without
// an error, carries only non-pass results, a fingerprint on each, and a
// version that starts with a number. .ci/run installs the multitool from
// npm (@microsoft/sarif-multitool).
func TestSARIFValidatesWithMultitool(t *testing.T) {
	tool, err := exec.LookPath("sarif-multitool")
	if err != nil {
		t.Fatal("sarif-multitool is not installed: run 'npm install -g @microsoft/sarif-multitool' (.ci/run does)")
	}
	r := runCmd(t, "", "demo", "--format", "sarif")
	r.expect(t, exitOK)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "demo.sarif"), filepath.Join(dir, "validation.sarif")
	if err := os.WriteFile(in, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool, "validate", "--output", out, in)
	cmd.Env = append(os.Environ(), "DOTNET_CLI_TELEMETRY_OPTOUT=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sarif-multitool validate: %v\n%s", err, msg)
	}
	var val struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text      string   `json:"text"`
					Arguments []string `json:"arguments"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &val); err != nil || len(val.Runs) == 0 {
		t.Fatalf("validation log: %v", err)
	}
	for _, res := range val.Runs[0].Results {
		if res.Level == "error" {
			t.Errorf("SARIF validation error %s: %s %v", res.RuleID, res.Message.Text, res.Message.Arguments)
		}
	}

	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version string `json:"version"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				Kind                string            `json:"kind"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if v := run.Tool.Driver.Version; v == "" || v[0] < '0' || v[0] > '9' {
		t.Errorf("driver version %q does not start with a number", v)
	}
	if len(run.Results) == 0 {
		t.Fatal("no results for the demo's weak server")
	}
	for _, res := range run.Results {
		if res.Kind == "pass" || res.Kind == "notApplicable" {
			t.Errorf("a %s result in the default SARIF", res.Kind)
		}
		if res.PartialFingerprints["tlsauditFinding/v1"] == "" {
			t.Errorf("a result without a partial fingerprint")
		}
	}
}
