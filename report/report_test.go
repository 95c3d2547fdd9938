package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const goldenDir = "../testdata/golden"

// cases are the fixture names: testdata/golden/<case>.input.json holds a
// hand-built observation with its findings and grade.
var cases = []string{"modern", "legacy", "refused", "invalid"}

var testTool = Tool{Name: "tlsaudit", Version: "test"}

type fixture struct {
	Observation *obs.Observation `json:"observation"`
	Findings    []checks.Finding `json:"findings"`
	Grade       *grade.Grade     `json:"grade"`
	// Certificates is the certificate analysis the caller carries (optional).
	Certificates *certanalysis.Analysis `json:"certificates"`
}

func loadReport(t testing.TB, name string) *Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name+".input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s.input.json: %v", name, err)
	}
	r := New(testTool, f.Observation, f.Findings, f.Grade)
	r.Certificates = f.Certificates
	return r
}

func render(t *testing.T, format string, style Style, reports ...*Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(format, &buf, style)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if err := w.Write(r); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/golden/<file>, or rewrites it with -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, file)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report/ -update to accept):\n--- got ---\n%s\n--- want ---\n%s", file, got, want)
	}
}

// noCatalogue describes SARIF rules from findings alone.
func noCatalogue(string) (checks.Meta, bool) { return checks.Meta{}, false }

func TestGolden(t *testing.T) {
	// SARIF rules come from the catalogue; golden files must not change
	// with it (the end-to-end test links every check in).
	var all []*Report
	for _, name := range cases {
		r := loadReport(t, name)
		all = append(all, r)
		t.Run(name, func(t *testing.T) {
			// The full report (--verbose) at 100 columns, and the default
			// report at 80 and 120, each fitting its width.
			golden(t, name+".txt", render(t, "text", Style{Width: 100, Verbose: true}, r))
			for _, cols := range []int{80, 120} {
				out := render(t, "text", Style{Width: cols}, r)
				golden(t, fmt.Sprintf("%s.%d.txt", name, cols), out)
				assertFits(t, out, cols)
			}
			golden(t, name+".json", render(t, "json", Style{}, r))
		})
	}
	golden(t, "legacy.color.txt", render(t, "text", Style{Color: true, Width: 100, Verbose: true}, all[1]))
	golden(t, "all.jsonl", render(t, "jsonl", Style{}, all...))
	golden(t, "all.quiet.txt", render(t, "quiet", Style{}, all...))
	golden(t, "all.txt", render(t, "text", Style{Width: 100, Verbose: true}, all...))
	golden(t, "modern.html", render(t, "html", Style{}, all[0]))
	golden(t, "all.html", render(t, "html", Style{}, all...))
	golden(t, "all.csv", render(t, "csv", Style{}, all...))
	golden(t, "all.junit.xml", render(t, "junit", Style{}, all...))
	golden(t, "all.sarif.json", render(t, "sarif", Style{Catalogue: noCatalogue}, all...))
}

// assertFits fails for each line of out wider than cols (colours aside).
func assertFits(t *testing.T, out []byte, cols int) {
	t.Helper()
	for i, l := range strings.Split(string(out), "\n") {
		if w := cellWidth(l); w > cols {
			t.Errorf("line %d is %d columns wide, more than %d: %q", i+1, w, cols, l)
		}
	}
}

// TestJSONRoundTrip: the JSON output decodes back into the same reports, and
// rendering twice gives the same bytes.
func TestJSONRoundTrip(t *testing.T) {
	var all []*Report
	for _, name := range cases {
		all = append(all, loadReport(t, name))
	}
	out := render(t, "json", Style{}, all...)
	if again := render(t, "json", Style{}, all...); !bytes.Equal(out, again) {
		t.Fatal("json output differs between two renderings")
	}
	var back []*Report
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("json output does not parse: %v", err)
	}
	if !reflect.DeepEqual(back, all) {
		t.Errorf("json round trip changed the reports")
	}

	lines := strings.Split(strings.TrimSuffix(string(render(t, "jsonl", Style{}, all...)), "\n"), "\n")
	if len(lines) != len(all) {
		t.Fatalf("jsonl: %d lines for %d reports", len(lines), len(all))
	}
	for i, line := range lines {
		var r Report
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("jsonl line %d: %v", i+1, err)
		}
		if r.Status != all[i].Status || r.Target != all[i].Target {
			t.Errorf("jsonl line %d: target %+v status %s, want %+v %s", i+1, r.Target, r.Status, all[i].Target, all[i].Status)
		}
	}
}

func TestJSONEmpty(t *testing.T) {
	if got := string(render(t, "json", Style{})); got != "[]\n" {
		t.Errorf("json with no reports = %q, want []", got)
	}
	if got := string(render(t, "jsonl", Style{})); got != "" {
		t.Errorf("jsonl with no reports = %q, want nothing", got)
	}
}

// TestEnvelope pins the envelope's top-level JSON names (renaming one is a
// schema break) and the empty findings list of an unscanned target.
func TestEnvelope(t *testing.T) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(render(t, "jsonl", Style{}, loadReport(t, "refused")), &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	want := []string{"error", "findings", "observation", "schema_version", "status", "target", "tool"}
	if !sameSet(keys, want) {
		t.Errorf("envelope keys %v, want %v", keys, want)
	}
	if string(m["findings"]) != "[]" {
		t.Errorf("findings = %s, want []", m["findings"])
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, s := range a {
		seen[s] = true
	}
	for _, s := range b {
		if !seen[s] {
			return false
		}
	}
	return true
}

// TestTextNoServerControlBytes: control characters from the server (here an
// ANSI clear-screen in a certificate subject) never reach the terminal, and
// without colour the output has no escape at all.
func TestTextNoServerControlBytes(t *testing.T) {
	out := render(t, "text", Style{}, loadReport(t, "legacy"))
	if bytes.ContainsRune(out, 0x1b) {
		t.Errorf("plain text output contains an ESC byte")
	}
	colored := render(t, "text", Style{Color: true}, loadReport(t, "legacy"))
	if bytes.Contains(colored, []byte("\x1b[2J")) {
		t.Errorf("server-supplied escape sequence reached the coloured output")
	}
	if !bytes.Contains(colored, []byte("\x1b[")) {
		t.Errorf("coloured output has no colour")
	}
}

func TestUnknownFormat(t *testing.T) {
	_, err := NewWriter("xml", &bytes.Buffer{}, Style{})
	if err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Fatalf("NewWriter(xml) error = %v", err)
	}
	if got := strings.Join(Formats(), ","); got != "csv,html,json,jsonl,junit,quiet,sarif,text" {
		t.Errorf("Formats() = %s", got)
	}
}

func TestFailedOrder(t *testing.T) {
	r := loadReport(t, "legacy")
	var got []string
	for _, f := range r.Failed() {
		got = append(got, f.CheckID)
	}
	want := []string{"cipher.export", "proto.sslv2_enabled", "cert.expired", "kx.weak_dh", "proto.tls13_missing"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Failed() = %v, want %v", got, want)
	}
}

func TestWrap(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"short text", "short text"},
		{"aaa bbb ccc ddd", "aaa bbb\nccc ddd"},
		{"aaaaaaaaaaaa bb", "aaaaaaaaaaaa\nbb"},
		{"  spaced   out  ", "spaced out"},
	}
	for _, tc := range tests {
		if got := wrap(tc.in, 10); got != tc.want {
			t.Errorf("wrap(%q, 10) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
