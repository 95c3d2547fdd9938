package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGateFlagErrors(t *testing.T) {
	bad := writeFile(t, "ci.yaml", "min_grade: A\nforbiden_suites: ['*_CBC_*']\n")
	badJSON := writeFile(t, "ci.json", "{\n  \"require_mozilla\": \"paranoid\"\n}\n")
	unknownCheck := writeFile(t, "ci.yaml", "deny_checks: [vuln.heartbled]\n")
	cases := []struct {
		name string
		args []string
		line string // the whole stderr
	}{
		{"bad profile", []string{"--mozilla-profile", "strict"}, `tlsaudit: error: invalid --mozilla-profile "strict" (want modern, intermediate, old)` + "\n"},
		{"bad required profile", []string{"--require-mozilla", "Modern"}, `tlsaudit: error: invalid --require-mozilla "Modern" (want modern, intermediate, old)` + "\n"},
		{"bad server", []string{"--remediation", "iis"}, `tlsaudit: error: invalid --remediation "iis" (want nginx, apache, haproxy)` + "\n"},
		{"missing policy", []string{"--policy", "/nonexistent/ci.yaml"}, "tlsaudit: error: --policy: open /nonexistent/ci.yaml: no such file or directory\n"},
		{"unknown key", []string{"--policy", bad}, "tlsaudit: error: " + bad + `:2: unknown key "forbiden_suites" (see docs/policy.md)` + "\n"},
		{"bad value in JSON", []string{"--policy", badJSON}, "tlsaudit: error: " + badJSON + `:2: require_mozilla: unknown Mozilla profile "paranoid" (want modern, intermediate, old)` + "\n"},
		{"unknown check", []string{"--policy", unknownCheck}, "tlsaudit: error: " + unknownCheck + `:1: deny_checks: no check matches "vuln.heartbled"` + "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := useFakes(t, nil, nil)
			r := d.runCmd(t, "", append(tc.args, "ok.test")...)
			r.expect(t, exitUsage)
			if r.stderr != tc.line {
				t.Errorf("stderr %q, want %q", r.stderr, tc.line)
			}
		})
	}
}

func TestMozillaGates(t *testing.T) {
	b := &grade.Grade{Letter: "B", Caps: []grade.Cap{{Grade: "B", Reason: "TLS 1.0 is supported"}}}
	findings := []checks.Finding{{CheckID: "cert.zlint", Title: "zlint", Status: checks.StatusFail, Severity: checks.SeverityHigh}}
	policyFile := writeFile(t, "ci.yaml", "min_grade: A\nrequire_mozilla: intermediate\nfail_on: high\nallow_checks: [cert.zlint]\n")
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr []string // each a whole line
		stdout []string // substrings
	}{
		// The fixture (testdata/golden/modern.input.json): ECDSA leaf valid 121 days,
		// TLS 1.2 with one CBC suite, TLS 1.3.
		{"default: all profiles in the report", []string{"--color", "never"}, exitOK, nil,
			[]string{"  Mozilla      none — not intermediate (6.0): 1 deviation\n",
				"  Deviations   cipher suites not in the profile must be disabled:\n                 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA\n"}},
		{"one profile", []string{"--mozilla-profile", "modern", "--json"}, exitOK, nil,
			[]string{`"mozilla": {`, `"meets": ""`, `"profile": "modern"`}},
		{"remediation for the closest profile", []string{"--remediation", "apache"}, exitOK, nil,
			[]string{"Remediation (apache, Mozilla intermediate 6.0)\n", "  SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:"}},
		{"remediation for the chosen profile", []string{"--remediation", "haproxy", "--mozilla-profile", "modern", "--json"}, exitOK, nil,
			[]string{`"remediation": {`, `"server": "haproxy"`, `"profile": "modern"`, `ssl-min-ver TLSv1.3`}},
		{"remediation for the required profile", []string{"--remediation", "nginx", "--require-mozilla", "intermediate", "--json"}, exitPolicy,
			[]string{"tlsaudit: policy: ok.test: --require-mozilla intermediate (6.0): cipher suites not in the profile must be disabled: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
			[]string{`"server": "nginx"`, `"profile": "intermediate"`, `ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:`}},
		{"require modern", []string{"--require-mozilla", "modern", "--quiet"}, exitPolicy,
			[]string{"tlsaudit: policy: ok.test: --require-mozilla modern (6.0): protocols TLSv1.2 must be disabled (allowed: TLSv1.3)",
				"tlsaudit: policy: ok.test: --require-mozilla modern (6.0): cipher suites not in the profile must be disabled: ",
				"tlsaudit: policy: ok.test: --require-mozilla modern (6.0): CN=modern.test: valid for 121 days; at most 90 allowed"}, nil},
		{"policy file", []string{"--policy", policyFile, "--quiet"}, exitPolicy,
			[]string{"tlsaudit: policy: ok.test: require_mozilla: not intermediate (6.0): 1 deviation: cipher suites not in the profile",
				"tlsaudit: policy: ok.test: min_grade: grade B is below A; capped at B: TLS 1.0 is supported"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := useFakes(t, findings, b)
			r := d.runCmd(t, "", append(tc.args, "ok.test")...)
			r.expect(t, tc.code)
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if r.stderr == "" {
				lines = nil
			}
			if len(lines) < len(tc.stderr) || (tc.stderr == nil && r.stderr != "") {
				t.Errorf("stderr %q, want the lines %q", r.stderr, tc.stderr)
			}
			for _, want := range tc.stderr {
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(l, want)
				}
				if !found {
					t.Errorf("stderr lacks a line %q:\n%s", want, r.stderr)
				}
			}
			if len(lines) != len(tc.stderr) {
				t.Errorf("want exactly one line per deviation or broken rule (%d; cert.zlint is allowed), got:\n%s", len(tc.stderr), r.stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
		})
	}
}
