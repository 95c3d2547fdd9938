package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit"
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// result is one in-process run of the command.
type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return defaultDeps().runCmd(t, stdin, args...)
}

// runCmd runs the command with dependencies d.
func (d deps) runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := d.run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func (r result) expect(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

// fakeScanner answers from the modern fixture observation for every host
// except those starting with "down" (connection refused); "slowN" hosts
// sleep N milliseconds first.
type fakeScanner struct{ base *obs.Observation }

func (f fakeScanner) Scan(ctx context.Context, t scan.Target) *obs.Observation {
	host := t.Host
	if strings.HasPrefix(host, "slow") {
		n, _ := strconv.Atoi(strings.TrimPrefix(strings.Split(host, ".")[0], "slow"))
		time.Sleep(time.Duration(n) * time.Millisecond)
	}
	o := *f.base
	o.Target = obs.Target{Input: t.Input, Host: t.Host, Port: t.Port, SNI: t.SNI, StartTLS: t.StartTLS}
	if strings.HasPrefix(host, "down") {
		return &obs.Observation{Schema: obs.SchemaVersion, Target: o.Target, Status: obs.StatusConnectionRefused,
			Error: "connect: connection refused"}
	}
	return &o
}

// useFakes returns dependencies with a fake engine, checks and grade.
func useFakes(t *testing.T, findings []checks.Finding, g *grade.Grade) deps {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "golden", "modern.input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Observation *obs.Observation `json:"observation"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	d := defaultDeps()
	d.newScanner = func(*tlsaudit.Engine) scanner { return fakeScanner{fx.Observation} }
	d.evalChecks = func(*obs.Observation, checks.Env) []checks.Finding { return findings }
	d.computeGrade = func(*obs.Observation, []checks.Finding) *grade.Grade { return g }
	return d
}

func decodeJSON(t *testing.T, s string) []report.Report {
	t.Helper()
	var rs []report.Report
	if err := json.Unmarshal([]byte(s), &rs); err != nil {
		t.Fatalf("stdout is not a JSON array of reports: %v\n%s", err, s)
	}
	return rs
}

func TestUsageErrors(t *testing.T) {
	d := useFakes(t, nil, nil)
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"unknown flag", []string{"--bogus", "x.test"}, "flag provided but not defined: --bogus"},
		{"no targets", nil, "no targets given"},
		{"bad format", []string{"--format", "xml", "x.test"}, `unknown --format "xml"`},
		{"json vs format", []string{"--json", "--format", "jsonl", "x.test"}, "--json conflicts with --format jsonl"},
		{"quiet with json", []string{"--quiet", "--json", "x.test"}, "--quiet cannot be combined with --format json"},
		{"bad grade", []string{"--fail-under", "Z", "x.test"}, `invalid --fail-under "Z"`},
		{"T is no gate", []string{"--fail-under", "T", "x.test"}, `invalid --fail-under "T"`},
		{"bad severity", []string{"--fail-on", "dire", "x.test"}, "invalid --fail-on"},
		{"bad expiry", []string{"--expiry-warn", "soon", "x.test"}, `invalid --expiry-warn "soon"`},
		{"negative expiry", []string{"--expiry-warn", "-3d", "x.test"}, "must not be negative"},
		{"zero concurrency", []string{"--concurrency", "0", "x.test"}, "--concurrency and --per-host must be at least 1"},
		{"bad timeout", []string{"--timeout", "0s", "x.test"}, "must be positive"},
		{"bad duration", []string{"--timeout", "fast", "x.test"}, `invalid value "fast" for flag --timeout`},
		{"bad starttls", []string{"--starttls", "gopher", "x.test"}, `unknown --starttls "gopher"`},
		{"bad color", []string{"--color", "sometimes", "x.test"}, `unknown --color "sometimes"`},
		{"missing targets file", []string{"--targets", "/nonexistent/targets.txt"}, "cannot read --targets file"},
		{"demo with targets", []string{"demo", "x.test"}, `demo takes no targets (got "x.test")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := d.runCmd(t, "", tc.args...)
			r.expect(t, exitUsage)
			if r.stdout != "" {
				t.Errorf("stdout not empty on a usage error:\n%s", r.stdout)
			}
			if !strings.HasPrefix(r.stderr, "tlsaudit: error: ") || !strings.Contains(r.stderr, tc.msg) {
				t.Errorf("stderr %q, want a tlsaudit: error: line containing %q", r.stderr, tc.msg)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	r := runCmd(t, "", "--help")
	r.expect(t, exitOK)
	if !strings.HasPrefix(r.stdout, "Usage: tlsaudit") || !strings.Contains(r.stdout, "Exit status:") || r.stderr != "" {
		t.Errorf("--help: stdout %q stderr %q", r.stdout, r.stderr)
	}
	r = runCmd(t, "", "--version")
	r.expect(t, exitOK)
	if !strings.HasPrefix(r.stdout, "tlsaudit ") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("--version: %q", r.stdout)
	}
}

// TestMalformedTargetInList: the malformed target gets one error line on
// stderr and an invalid_target record in its place; the others are audited.
func TestMalformedTargetInList(t *testing.T) {
	d := useFakes(t, nil, nil)
	r := d.runCmd(t, "", "--json", "a.test", "x:99999", "b.test:8443")
	r.expect(t, exitUsage)
	rs := decodeJSON(t, r.stdout)
	if len(rs) != 3 {
		t.Fatalf("%d records, want 3", len(rs))
	}
	want := []struct {
		input  string
		status obs.Status
	}{{"a.test", obs.StatusOK}, {"x:99999", obs.StatusInvalidTarget}, {"b.test:8443", obs.StatusOK}}
	for i, w := range want {
		if rs[i].Target.Input != w.input || rs[i].Status != w.status {
			t.Errorf("record %d: %q %s, want %q %s", i, rs[i].Target.Input, rs[i].Status, w.input, w.status)
		}
	}
	if rs[1].Error != `invalid target "x:99999": port out of range` {
		t.Errorf("invalid record error %q", rs[1].Error)
	}
	if r.stderr != "tlsaudit: error: invalid target \"x:99999\": port out of range\n" {
		t.Errorf("stderr %q, want exactly one error line", r.stderr)
	}
}

// TestClosedPort runs the real engine against a loopback port nobody listens on.
func TestClosedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := runCmd(t, "", "--format", "jsonl", "--timeout", "10s", "--conn-timeout", "2s", addr)
	r.expect(t, exitScan)
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("jsonl record does not parse: %v\n%s", err, r.stdout)
	}
	if rep.Status != obs.StatusConnectionRefused || rep.Target.Input != addr {
		t.Errorf("record target %q status %q (error %q), want %q connection_refused", rep.Target.Input, rep.Status, rep.Error, addr)
	}
	if !strings.Contains(r.stderr, "tlsaudit: error: "+addr+": connection_refused") {
		t.Errorf("stderr %q lacks the connection error", r.stderr)
	}
}

func TestJSONOutput(t *testing.T) {
	g := &grade.Grade{Letter: "A", Score: 90}
	d := useFakes(t, []checks.Finding{{CheckID: "cipher.cbc", Status: checks.StatusFail, Severity: checks.SeverityLow}}, g)
	r := d.runCmd(t, "", "ok.test", "--json")
	r.expect(t, exitOK)
	rs := decodeJSON(t, r.stdout)
	if len(rs) != 1 || rs[0].Grade == nil || rs[0].Grade.Letter != "A" || len(rs[0].Findings) != 1 ||
		rs[0].SchemaVersion != report.SchemaVersion || rs[0].Tool.Name != "tlsaudit" || rs[0].Observation == nil {
		t.Errorf("unexpected report: %+v", rs)
	}
	if r.stderr != "" {
		t.Errorf("stderr not empty: %q", r.stderr)
	}
}

func TestPolicy(t *testing.T) {
	findings := []checks.Finding{
		{CheckID: "proto.tls10_enabled", Title: "TLS 1.0 supported", Status: checks.StatusFail, Severity: checks.SeverityMedium},
		{CheckID: "cert.expires_soon", Title: "Certificate expires soon", Status: checks.StatusFail, Severity: checks.SeverityMedium, Detail: "expires on 2025-06-20: 19 days left"},
		{CheckID: "vuln.heartbleed", Status: checks.StatusPass, Severity: checks.SeverityCritical},
	}
	b := &grade.Grade{Letter: "B", Caps: []grade.Cap{{Grade: "B", Reason: "TLS 1.0 is supported"}}}
	tests := []struct {
		name   string
		g      *grade.Grade
		args   []string
		code   int
		stderr []string
	}{
		{"no gate", b, nil, exitOK, nil},
		{"under A", b, []string{"--fail-under", "A"}, exitPolicy, []string{"tlsaudit: policy: ok.test: grade B is below A (--fail-under); capped at B: TLS 1.0 is supported"}},
		{"B meets B", b, []string{"--fail-under", "B"}, exitOK, nil},
		{"A- meets C", &grade.Grade{Letter: "A-"}, []string{"--fail-under", "C"}, exitOK, nil},
		{"T fails F", &grade.Grade{Letter: "T"}, []string{"--fail-under", "F"}, exitPolicy, []string{"grade T is below F"}},
		{"no grade", nil, []string{"--fail-under", "F"}, exitPolicy, []string{"no grade available (--fail-under F)"}},
		{"fail-on medium", b, []string{"--fail-on", "medium"}, exitPolicy, []string{"medium check proto.tls10_enabled failed: TLS 1.0 supported (--fail-on medium)"}},
		{"fail-on high", b, []string{"--fail-on", "HIGH"}, exitOK, nil},
		{"expiry gate", b, []string{"--expiry-warn", "30d"}, exitPolicy, []string{"certificate expiry: Certificate expires soon: expires on 2025-06-20: 19 days left (--expiry-warn)"}},
		{"scan failure wins", b, []string{"--fail-under", "A+", "down.test"}, exitScan, []string{"tlsaudit: error: down.test: connection_refused"}},
		{"usage wins", b, []string{"--fail-under", "A+", "down.test", "bad:0"}, exitUsage, []string{"invalid target"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := useFakes(t, findings, tc.g)
			args := append([]string{"--quiet"}, tc.args...)
			if !strings.Contains(strings.Join(tc.args, " "), ".test") {
				args = append(args, "ok.test")
			}
			r := d.runCmd(t, "", args...)
			r.expect(t, tc.code)
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr %q lacks %q", r.stderr, s)
				}
			}
			if tc.stderr == nil && r.stderr != "" {
				t.Errorf("stderr not empty: %q", r.stderr)
			}
			if r.stdout == "" {
				t.Error("no output: every target must still get its record")
			}
		})
	}
}

func TestQuiet(t *testing.T) {
	d := useFakes(t, nil, &grade.Grade{Letter: "A+"})
	r := d.runCmd(t, "", "--quiet", "ok.test", "down.test", "bad:x")
	r.expect(t, exitUsage)
	want := "ok.test A+ ok\ndown.test - connection_refused connect: connection refused\n" +
		"bad:x - invalid_target invalid target \"bad:x\": invalid port \"x\"\n"
	if r.stdout != want {
		t.Errorf("quiet output:\n%s\nwant:\n%s", r.stdout, want)
	}
}

// TestTargetsInputs: arguments, "-" (stdin) and --targets, in that order,
// with comments and blank lines skipped.
func TestTargetsInputs(t *testing.T) {
	d := useFakes(t, nil, nil)
	file := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(file, []byte("# list\nf1.test\n\n  f2.test:8443  \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := d.runCmd(t, "s1.test\n# comment\n\ns2.test\n", "a1.test", "-", "--targets", file, "--json")
	r.expect(t, exitOK)
	var got []string
	for _, rep := range decodeJSON(t, r.stdout) {
		got = append(got, rep.Target.Input)
	}
	if want := "a1.test s1.test s2.test f1.test f2.test:8443"; strings.Join(got, " ") != want {
		t.Errorf("targets %v, want %s", got, want)
	}
}

// TestOrderWithConcurrency: text and json keep the input order whatever
// finishes first; jsonl writes every record (as they finish).
func TestOrderWithConcurrency(t *testing.T) {
	d := useFakes(t, nil, nil)
	var args, want []string
	for i := range 12 {
		in := "slow" + strconv.Itoa((12-i)*5) + ".test"
		args = append(args, in)
		want = append(want, in)
	}
	r := d.runCmd(t, "", append([]string{"--json", "--concurrency", "6"}, args...)...)
	r.expect(t, exitOK)
	var got []string
	for _, rep := range decodeJSON(t, r.stdout) {
		got = append(got, rep.Target.Input)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("json order %v, want %v", got, want)
	}
	r = d.runCmd(t, "", append([]string{"--quiet", "--concurrency", "6"}, args...)...)
	r.expect(t, exitOK)
	got = nil
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		got = append(got, strings.Fields(line)[0])
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("quiet order %v, want %v", got, want)
	}
	r = d.runCmd(t, "", append([]string{"--format", "jsonl", "--concurrency", "6"}, args...)...)
	r.expect(t, exitOK)
	if n := strings.Count(r.stdout, "\n"); n != len(args) {
		t.Errorf("jsonl: %d lines, want %d", n, len(args))
	}
}

func TestColor(t *testing.T) {
	d := useFakes(t, nil, &grade.Grade{Letter: "A"})
	tests := []struct {
		name     string
		terminal bool
		noColor  string
		args     []string
		want     bool
	}{
		{"pipe", false, "", nil, false},
		{"terminal", true, "", nil, true},
		{"terminal NO_COLOR", true, "1", nil, false},
		{"never", true, "", []string{"--color", "never"}, false},
		{"always on a pipe", false, "", []string{"--color", "always"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := d
			d.isTerminal = func(io.Writer) bool { return tc.terminal }
			if tc.noColor != "" {
				t.Setenv("NO_COLOR", tc.noColor)
			} else {
				t.Setenv("NO_COLOR", "")
				os.Unsetenv("NO_COLOR")
			}
			r := d.runCmd(t, "", append(tc.args, "ok.test")...)
			r.expect(t, exitOK)
			if got := strings.Contains(r.stdout, "\x1b["); got != tc.want {
				t.Errorf("colour in output = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestChecksCommand(t *testing.T) {
	r := runCmd(t, "", "checks")
	r.expect(t, exitOK)
	if !strings.Contains(r.stdout, "ID") || !strings.Contains(r.stdout, "Severity") || !strings.Contains(r.stdout, checks.IDCertExpired) {
		t.Errorf("checks table lacks header or %s:\n%s", checks.IDCertExpired, r.stdout)
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour in the catalogue written to a pipe")
	}
	r = runCmd(t, "", "checks", "--json")
	r.expect(t, exitOK)
	var metas []checks.Meta
	if err := json.Unmarshal([]byte(r.stdout), &metas); err != nil {
		t.Fatalf("checks --json: %v", err)
	}
	if len(metas) != len(all.Registry().Catalogue()) || len(metas) == 0 {
		t.Errorf("checks --json lists %d checks, registry has %d", len(metas), len(all.Registry().Catalogue()))
	}
	for _, m := range metas {
		if m.ID == "" || m.Severity == "" || m.Title == "" {
			t.Errorf("incomplete catalogue entry %+v", m)
		}
	}
	runCmd(t, "", "checks", "extra").expect(t, exitUsage)
	runCmd(t, "", "checks", "--bogus").expect(t, exitUsage)
}

func TestParseDays(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * 24 * time.Hour, true},
		{"0d", 0, true},
		{"720h", 720 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"d", 0, false},
		{"1.5d", 0, false},
		{"-1d", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range tests {
		got, err := parseDays(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseDays(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
