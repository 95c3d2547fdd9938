package main

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/report"
)

// TestHTMLFlag: --html FILE writes the page atomically next to the normal
// output, which is unchanged.
func TestHTMLFlag(t *testing.T) {
	d := useFakes(t, []checks.Finding{{CheckID: "cipher.cbc", Title: "CBC", Status: checks.StatusFail, Severity: checks.SeverityLow}},
		&grade.Grade{Letter: "A", Score: 90})
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	r := d.runCmd(t, "", "--json", "--html", page, "ok.test", "down.test")
	r.expect(t, exitScan)
	if rs := decodeJSON(t, r.stdout); len(rs) != 2 {
		t.Fatalf("stdout has %d reports, want 2", len(rs))
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatalf("--html wrote no file: %v", err)
	}
	html := string(b)
	for _, want := range []string{"<!DOCTYPE html>", "ok.test", "down.test", "connection_refused", report.RenderedMarker[:len("data-rendered")]} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory, want only the report (no temporary file left)", len(entries))
	}

	r = d.runCmd(t, "", "--html", filepath.Join(dir, "missing", "r.html"), "ok.test")
	r.expect(t, exitWrite) // the report could not be written; the target was audited
	if !strings.Contains(r.stderr, "writing the report") {
		t.Errorf("unwritable --html: stderr %q", r.stderr)
	}
}

// TestCIFormats: --format csv, junit, sarif and html give parseable output
// with one entry per finding.
func TestCIFormats(t *testing.T) {
	findings := []checks.Finding{
		{CheckID: "cipher.cbc", Title: "CBC", Category: "cipher", Status: checks.StatusFail, Severity: checks.SeverityLow},
		{CheckID: "proto.sslv3_enabled", Title: "SSLv3", Category: "protocol", Status: checks.StatusPass, Severity: checks.SeverityHigh},
	}
	d := useFakes(t, findings, &grade.Grade{Letter: "A", Score: 90})

	r := d.runCmd(t, "", "--format", "csv", "ok.test")
	r.expect(t, exitOK)
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Errorf("csv: %d records, %v\n%s", len(recs), err, r.stdout)
	}

	r = d.runCmd(t, "", "--format", "junit", "ok.test")
	r.expect(t, exitOK)
	var suites struct {
		Tests int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &suites); err != nil || suites.Tests != 2 {
		t.Errorf("junit: tests=%d, %v", suites.Tests, err)
	}

	// SARIF carries the results that are not passes unless asked for all.
	for _, tc := range []struct {
		args []string
		want int
	}{{[]string{"--format", "sarif", "ok.test", "--findings", "all"}, 2}, {[]string{"--format", "sarif", "ok.test"}, 1}} {
		r = d.runCmd(t, "", tc.args...)
		r.expect(t, exitOK)
		var log struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []json.RawMessage `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &log); err != nil || log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != tc.want {
			t.Errorf("sarif %v: %v, %d results, want %d", tc.args, err, len(log.Runs[0].Results), tc.want)
		}
	}

	r = d.runCmd(t, "", "--format", "html", "ok.test")
	r.expect(t, exitOK)
	if !strings.HasPrefix(r.stdout, "<!DOCTYPE html>") {
		t.Errorf("html to stdout: %.80q", r.stdout)
	}

	r = d.runCmd(t, "", "--format", "xml", "ok.test")
	r.expect(t, exitUsage)
	if !strings.Contains(r.stderr, "sarif") {
		t.Errorf("unknown format message does not list the formats: %q", r.stderr)
	}
}
