package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
)

func allReports(t testing.TB) []*Report {
	t.Helper()
	var all []*Report
	for _, name := range cases {
		all = append(all, loadReport(t, name))
	}
	return all
}

// wantEntries counts the entries CI formats must give: one per finding,
// one per unscanned target.
func wantEntries(all []*Report) int {
	n := 0
	for _, r := range all {
		n += len(ciEntries(r))
	}
	return n
}

func TestCSVParses(t *testing.T) {
	all := allReports(t)
	recs, err := csv.NewReader(bytes.NewReader(render(t, "csv", Style{}, all...))).ReadAll()
	if err != nil {
		t.Fatalf("csv output does not parse: %v", err)
	}
	if strings.Join(recs[0], ",") != strings.Join(csvHeader, ",") {
		t.Errorf("header %v", recs[0])
	}
	if got, want := len(recs)-1, wantEntries(all); got != want {
		t.Fatalf("%d rows, want %d (one per finding and unscanned target)", got, want)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	seen := map[string]bool{}
	for _, rec := range recs[1:] {
		seen[rec[col["target"]]+" "+rec[col["check_id"]]+" "+rec[col["status"]]] = true
		for _, cell := range rec {
			if strings.ContainsAny(cell, "\x1b\r\n") {
				t.Errorf("cell %q holds a control character", cell)
			}
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q would run as a spreadsheet formula", cell)
			}
		}
	}
	for _, want := range []string{"legacy.test cipher.export fail", "modern.test:8443 vuln.heartbleed not_applicable",
		"127.0.0.1:1 scan.status error", "x:99999 scan.status error"} {
		if !seen[want] {
			t.Errorf("no row %q", want)
		}
	}
	if got := string(render(t, "csv", Style{})); got != strings.Join(csvHeader, ",")+"\n" {
		t.Errorf("csv without reports = %q, want the header", got)
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "@SUM(A1)": "'@SUM(A1)", "-x": "'-x", "a\x1bb": "a?b", "ok": "ok", "": ""} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJUnitParses(t *testing.T) {
	all := allReports(t)
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
				} `xml:"failure"`
				Error   *struct{} `xml:"error"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	out := render(t, "junit", Style{}, all...)
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("junit output does not parse: %v", err)
	}
	if len(doc.Suites) != len(all) {
		t.Fatalf("%d suites, want %d", len(doc.Suites), len(all))
	}
	var fail, errs, skip, tests int
	for i, s := range doc.Suites {
		if s.Name != all[i].TargetName() {
			t.Errorf("suite %d named %q, want %q", i, s.Name, all[i].TargetName())
		}
		want := ciEntries(all[i])
		if len(s.Cases) != len(want) || s.Tests != len(want) {
			t.Fatalf("suite %s: %d cases (tests=%d), want %d", s.Name, len(s.Cases), s.Tests, len(want))
		}
		for j, c := range s.Cases {
			f := want[j]
			tests++
			switch f.Status {
			case checks.StatusFail:
				fail++
				if c.Failure == nil || c.Failure.Type != string(f.Severity) {
					t.Errorf("%s %s: want a failure of type %s", s.Name, c.Name, f.Severity)
				}
			case checks.StatusError:
				errs++
				if c.Error == nil {
					t.Errorf("%s %s: want an error", s.Name, c.Name)
				}
			case checks.StatusNotApplicable, checks.StatusInconclusive:
				skip++
				if c.Skipped == nil {
					t.Errorf("%s %s: want skipped", s.Name, c.Name)
				}
			default:
				if c.Failure != nil || c.Error != nil || c.Skipped != nil {
					t.Errorf("%s %s: a passed check must be a plain test case", s.Name, c.Name)
				}
			}
		}
	}
	if doc.Tests != tests || doc.Failures != fail || doc.Errors != errs || doc.Skipped != skip {
		t.Errorf("totals tests=%d failures=%d errors=%d skipped=%d, counted %d %d %d %d",
			doc.Tests, doc.Failures, doc.Errors, doc.Skipped, tests, fail, errs, skip)
	}
	if bytes.ContainsRune(out, 0x1b) {
		t.Errorf("junit output holds an ESC byte from the server")
	}
}

// TestSARIFStructure checks the fields SARIF 2.1.0 requires (and those
// code-scanning consumers read) on the golden reports.
func TestSARIFStructure(t *testing.T) {
	all := allReports(t)
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name           string `json:"name"`
					InformationURI string `json:"informationUri"`
					Rules          []struct {
						ID               string         `json:"id"`
						ShortDescription map[string]any `json:"shortDescription"`
						HelpURI          string         `json:"helpUri"`
						Default          struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				ExecutionSuccessful *bool `json:"executionSuccessful"`
				Notifications       []struct {
					Level   string         `json:"level"`
					Message map[string]any `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results []struct {
				RuleID    string         `json:"ruleId"`
				RuleIndex *int           `json:"ruleIndex"`
				Kind      string         `json:"kind"`
				Level     string         `json:"level"`
				Message   map[string]any `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	out := render(t, "sarif", Style{}, all...)
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&log); err != nil {
		t.Fatalf("sarif output does not parse: %v", err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-schema-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("version %q schema %q runs %d", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name == "" || !strings.HasPrefix(d.InformationURI, "https://") {
		t.Errorf("driver name %q informationUri %q", d.Name, d.InformationURI)
	}
	levels := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	kinds := map[string]bool{"pass": true, "open": true, "informational": true, "notApplicable": true, "review": true, "fail": true}
	for i, r := range d.Rules {
		if r.ID == "" || r.ShortDescription["text"] == "" || !strings.HasPrefix(r.HelpURI, "https://") || !levels[r.Default.Level] {
			t.Errorf("rule %d incomplete: %+v", i, r)
		}
		if i > 0 && d.Rules[i-1].ID >= r.ID {
			t.Errorf("rules not sorted by ID: %s before %s", d.Rules[i-1].ID, r.ID)
		}
	}
	var scanned int
	for _, r := range all {
		scanned += len(r.Findings)
	}
	if len(run.Results) != scanned {
		t.Fatalf("%d results, want one per finding (%d)", len(run.Results), scanned)
	}
	for i, res := range run.Results {
		if res.RuleIndex == nil || *res.RuleIndex >= len(d.Rules) || d.Rules[*res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex does not point at rule %s", i, res.RuleID)
		}
		if !levels[res.Level] || !kinds[res.Kind] || (res.Kind != "fail" && res.Level != "none") {
			t.Errorf("result %d: kind %q level %q", i, res.Kind, res.Level)
		}
		if res.Message["text"] == "" || len(res.Locations) != 1 || !strings.HasPrefix(res.Locations[0].PhysicalLocation.ArtifactLocation.URI, "tls://") {
			t.Errorf("result %d: message or location missing: %+v", i, res)
		}
	}
	if len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful == nil || *run.Invocations[0].ExecutionSuccessful {
		t.Fatalf("invocations %+v: want one, unsuccessful (two targets failed)", run.Invocations)
	}
	var notes []string
	for _, n := range run.Invocations[0].Notifications {
		notes = append(notes, n.Message["text"].(string))
	}
	if got := strings.Join(notes, "|"); !strings.Contains(got, "connection_refused") || !strings.Contains(got, "invalid_target") {
		t.Errorf("notifications %q do not name the failed scans", got)
	}
}

func TestTargetURI(t *testing.T) {
	r := loadReport(t, "modern")
	if got := TargetURI(r.Target); got != "tls://modern.test:8443" {
		t.Errorf("TargetURI = %s", got)
	}
	r.Target.Host, r.Target.Port = "2001:db8::1", 443
	if got := TargetURI(r.Target); got != "tls://[2001:db8::1]:443" {
		t.Errorf("TargetURI(v6) = %s", got)
	}
}

// TestDeterministic renders every format many times: map iteration order
// (random per range in Go) must never reach the output.
func TestDeterministic(t *testing.T) {
	all := allReports(t)
	for _, format := range Formats() {
		first := render(t, format, Style{Color: true}, all...)
		for i := 0; i < 20; i++ {
			if again := render(t, format, Style{Color: true}, all...); !bytes.Equal(first, again) {
				t.Fatalf("%s: rendering %d differs from the first", format, i+2)
			}
		}
	}
}

func TestRefURL(t *testing.T) {
	tests := map[checks.Ref]string{
		{Kind: "cve", ID: "CVE-2014-0160"}:        "https://nvd.nist.gov/vuln/detail/CVE-2014-0160",
		{Kind: "rfc", ID: "RFC 5280 6.1"}:         "https://www.rfc-editor.org/rfc/rfc5280",
		{Kind: "cwe", ID: "CWE-327"}:              "https://cwe.mitre.org/data/definitions/327.html",
		{Kind: "url", ID: "https://example.org/"}: "https://example.org/",
		{Kind: "url", ID: "javascript:alert(1)"}:  "",
		{Kind: "cabf", ID: "BR 6.3.2"}:            "",
	}
	for ref, want := range tests {
		if got := RefURL(ref); got != want {
			t.Errorf("RefURL(%+v) = %q, want %q", ref, got, want)
		}
	}
}

// TestSARIFRulesFromCatalogue: a registered check's catalogue entry gives
// the rule its description and help link.
func TestSARIFRulesFromCatalogue(t *testing.T) {
	catalogue := func(id string) (checks.Meta, bool) {
		if id != "cipher.export" {
			return checks.Meta{}, false
		}
		return checks.Meta{ID: id, Title: "Export suites", Description: "Export-grade suites are accepted.", Category: "cipher",
			Severity: checks.SeverityCritical, Refs: []checks.Ref{{Kind: "cve", ID: "CVE-2015-0204"}}}, true
	}
	log := SARIF([]*Report{loadReport(t, "legacy")}, catalogue).(sarifLog)
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		if r.ID != "cipher.export" {
			continue
		}
		if r.FullDescription == nil || r.FullDescription.Text != "Export-grade suites are accepted." ||
			r.HelpURI != "https://nvd.nist.gov/vuln/detail/CVE-2015-0204" || r.DefaultConfiguration.Level != "error" ||
			r.Properties.SecuritySeverity != "9.5" {
			t.Errorf("rule from the catalogue: %+v", r)
		}
		return
	}
	t.Fatal("no rule cipher.export")
}
