package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func TestReadableNames(t *testing.T) {
	for in, want := range map[string]string{
		"attempt.status":               "attempt status",
		"tls_version":                  "TLS version",
		"attempts[0].echoed_id_length": "attempts #1 echoed ID length",
		"alpn_offered":                 "ALPN offered",
		"":                             "",
	} {
		if got := readableName(in); got != want {
			t.Errorf("readableName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := readableLabel("attempt.status"); got != "Probe" {
		t.Errorf("readableLabel(attempt.status) = %q", got)
	}
	if got := readableLabel("status_code"); got != "Status code" {
		t.Errorf("readableLabel(status_code) = %q", got)
	}
}

func TestEvidenceText(t *testing.T) {
	got := evidenceText([]field{
		{Name: "baseline", Value: "TLSv1.2"},
		{Name: "tests[0].name", Value: "long_hello_300"},
		{Name: "tests[0].accepted", Value: "true"},
		{Name: "attempts[1].resumed", Value: "false"},
	})
	want := "baseline TLSv1.2\nlong_hello_300: accepted yes\nattempts #2: resumed no"
	if got != want {
		t.Errorf("evidenceText = %q, want %q", got, want)
	}
}

// rawName matches a flattened JSON member name shown as such:
// "attempt.status", "tests[0]", "random_tail=".
var rawName = regexp.MustCompile(`\b(attempt\.status|plain_http\.|[a-z_]+\[[0-9]+\]|[a-z]+_[a-z_]+=)`)

// TestTextNoRawFieldNames: the HTTP and probe tables of a text report word
// their members; no flattened JSON name is left.
func TestTextNoRawFieldNames(t *testing.T) {
	var b bytes.Buffer
	if err := renderText(&b, loadReport(t, "modern"), Style{Width: 100, Verbose: true}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if m := rawName.FindAllString(out, -1); len(m) > 0 {
		t.Errorf("text report shows raw member names %q:\n%s", m, out)
	}
	for _, want := range []string{"\n Probe ", "\n Plain HTTP probe ", "version_0x0305: accepted yes, negotiated TLSv1.3"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

func TestWrapKeep(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"A+  score 94 (protocol", 12, []string{"A+  score 94", "(protocol"}},
		{"Key exchange     ██████████░░  90", 40, []string{"Key exchange     ██████████░░  90"}},
		{"averyveryverylongword tail", 5, []string{"averyveryverylongword", "tail"}},
	} {
		got := wrapKeep(c.in, c.width)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrapKeep(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

// TestSummaryFits80: the summary at the top of each text report (up to the
// first section) fits an 80-column terminal, and what holds the grade is
// not listed twice.
func TestSummaryFits80(t *testing.T) {
	for _, name := range cases {
		var b bytes.Buffer
		if err := renderText(&b, loadReport(t, name), Style{}); err != nil {
			t.Fatal(err)
		}
		summary, _, _ := strings.Cut(b.String(), "\n\n")
		for _, l := range strings.Split(summary, "\n") {
			if n := utf8.RuneCountInString(l); n > 80 && strings.Contains(strings.TrimSpace(l), " ") {
				t.Errorf("%s: summary line of %d columns: %q", name, n, l)
			}
		}
		if name == "legacy" && !strings.Contains(summary, "To improve   fix proto.sslv2_enabled, cipher.export (above)\n") {
			t.Errorf("legacy: To improve does not refer to the caps above:\n%s", summary)
		}
	}
}

// TestTablesFit100: the vulnerability, probe, HTTP and findings tables
// wrap their title and detail columns to fit 100 columns.
func TestTablesFit100(t *testing.T) {
	for _, name := range []string{"modern", "legacy"} {
		var b bytes.Buffer
		if err := renderText(&b, loadReport(t, name), Style{Color: true}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		i := strings.Index(out, "Vulnerabilities")
		if i < 0 {
			t.Fatalf("%s: no Vulnerabilities section:\n%s", name, out)
		}
		rest, _, _ := strings.Cut(out[i:], "Probe errors")
		for _, l := range strings.Split(rest, "\n") {
			l = ansiSeq.ReplaceAllString(strings.TrimRight(l, " "), "")
			if n := utf8.RuneCountInString(l); n > 100 {
				t.Errorf("%s: line of %d columns: %q", name, n, l)
			}
		}
	}
}

// TestQuickScanTextIsShort: the checks a quick scan cannot assess are one
// line per section, and the failed checks are counted at the top.
func TestQuickScanTextIsShort(t *testing.T) {
	var fs []checks.Finding
	for _, id := range []string{"vuln.a", "vuln.b", "vuln.c", "vuln.d", "http.a", "http.b", "http.c", "http.d"} {
		fs = append(fs, checks.Finding{CheckID: id, Title: "title of " + id, Status: checks.StatusNotApplicable,
			Severity: checks.SeverityHigh, Detail: "not assessed: a quick scan"})
	}
	fs = append(fs, checks.Finding{CheckID: "vuln.e", Title: "title of vuln.e", Status: checks.StatusNotApplicable,
		Severity: checks.SeverityLow, Detail: "no CBC suite"})
	fs = append(fs, checks.Finding{CheckID: "cert.self_signed", Title: "Self-signed", Status: checks.StatusFail,
		Severity: checks.SeverityCritical, Detail: "the leaf is self-signed"})
	r := New(testTool, &obs.Observation{Status: obs.StatusOK}, fs, nil)
	var b bytes.Buffer
	if err := renderText(&b, r, Style{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"  Failed       1 failed check: 1 critical (cert.self_signed), see Findings\n",
		"\nVulnerabilities\n  4 checks n/a: not assessed: a quick scan\n\n",
		"title of vuln.e", "\nHTTP\n  4 checks n/a: not assessed: a quick scan\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "title of vuln.a") || strings.Contains(out, "title of http.a") {
		t.Errorf("not-assessed checks listed one by one:\n%s", out)
	}
}

func TestSummaryWording(t *testing.T) {
	r := New(testTool, &obs.Observation{Status: obs.StatusOK, Connections: 1, ElapsedMS: 3}, nil,
		&grade.Grade{Error: "not graded: a quick scan sees one handshake only"})
	var b bytes.Buffer
	if err := renderText(&b, r, Style{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(3 ms, 1 connection)\n", "  Grade        none: a quick scan sees one handshake only\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestShortenDetail(t *testing.T) {
	long := strings.Repeat("e_some_lint (BRs: 7.1.2.3); ", 30)
	got := shorten(long, 100)
	if len(got) > 130 || !strings.HasSuffix(got, " more (see --json)") || !strings.HasPrefix(got, "e_some_lint (BRs: 7.1.2.3); ") {
		t.Errorf("shorten = %q", got)
	}
	if got := shorten("short", 100); got != "short" {
		t.Errorf("shorten(short) = %q", got)
	}
	if got := shorten(strings.Repeat("word ", 40), 50); !strings.HasSuffix(got, " … (see --json)") || len(got) > 70 {
		t.Errorf("shorten(words) = %q", got)
	}
}
