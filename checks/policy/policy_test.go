package policy

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	_ "github.com/tlsaudit/tlsaudit/checks/all" // the registry Validate checks against
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func TestExampleLoads(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(checktest.RepoRoot(t), "docs", "policy.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(data)
	if err != nil {
		t.Fatalf("docs/policy.example.yaml: %v", err)
	}
	if err := p.Validate(checks.Default); err != nil {
		t.Fatalf("docs/policy.example.yaml: %v", err)
	}
	if p.MinProtocol != "TLSv1.2" || len(p.ForbiddenSuites) != 3 || p.HSTS == nil || p.HSTS.MinMaxAge != 15552000 ||
		p.MinKeySize != (KeySizes{RSA: 2048, EC: 256, DH: 2048}) || p.RequireMozilla != "intermediate" || p.MinGrade != "A" ||
		p.failOn != checks.SeverityHigh || !slices.Equal(p.AllowChecks, []string{"cert.zlint"}) {
		t.Errorf("example parsed as %+v", p)
	}
	// The example is strict: the modern fixture (RSA leaf, TLS 1.2 CBC suites) breaks some rules.
	vs := p.Evaluate(Input{Obs: checktest.Observation(t, "modern"), Now: time.Now()})
	if len(vs) == 0 {
		t.Error("the modern fixture meets the strict example policy")
	}
}

func TestLoadJSON(t *testing.T) {
	p, err := Load([]byte(`{"min_protocol": "1.2", "forbidden_suites": ["*RC4*"], "min_key_size": {"rsa": 3072}, "hsts": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.minProto != protoRank("TLSv1.2") || p.MinKeySize.RSA != 3072 || p.HSTS.MinMaxAge != 15552000 {
		t.Errorf("parsed as %+v", p)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"empty", "  \n", 0, "empty policy"},
		{"not a mapping", "- a\n- b\n", 1, "a policy is a mapping"},
		{"syntax", "min_grade: A\nforbidden_suites: [a\n", -1, "did not find expected"},
		{"unknown key", "min_grade: A\nmin_protcol: TLSv1.2\n", 2, `unknown key "min_protcol"`},
		{"unknown nested key", "min_key_size:\n  rsa: 2048\n  dsa: 1024\n", 3, `unknown key "dsa"`},
		{"wrong type", "min_grade: A\nmin_days_to_expiry: soon\n", 2, "cannot unmarshal"},
		{"bad protocol", "version: 1\nmin_protocol: TLSv2\n", 2, `min_protocol: unknown protocol "TLSv2"`},
		{"bad forbidden protocol", "forbidden_protocols: [SSLv3, QUIC]\n", 1, `unknown protocol "QUIC"`},
		{"suite typo", "\nforbidden_suites: [\"*_CBC_*\", \"TLS_RSA_WTH_*\"]\n", 2, `"TLS_RSA_WTH_*" matches no known`},
		{"bad suite pattern", "forbidden_suites: [\"[\"]\n", 1, "bad suite pattern"},
		{"bad profile", "require_mozilla: paranoid\n", 1, `unknown Mozilla profile "paranoid"`},
		{"bad grade", "min_grade: T\n", 1, `invalid grade "T"`},
		{"bad severity", "fail_on: severe\n", 1, `unknown severity "severe"`},
		{"bad check pattern", "allow_checks: [\"cert.[\"]\n", 1, "bad check ID pattern"},
		{"negative", "min_days_to_expiry: -1\n", 1, "must not be negative"},
		{"version", "version: 2\n", 1, "unsupported policy version 2"},
		{"duplicate key", "min_grade: A\nmin_grade: B\n", 2, "already defined"},
		{"JSON syntax", "{\"min_grade\": \"A\"\n", -1, "did not find expected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(tc.src))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if (pe.Line != tc.line && !(tc.line < 0 && pe.Line > 0)) || !strings.Contains(pe.Msg, tc.msg) || strings.Contains(pe.Msg, "\n") {
				t.Errorf("error %q at line %d, want line %d containing %q", pe.Msg, pe.Line, tc.line, tc.msg)
			}
		})
	}
	p, err := Load([]byte("deny_checks: [vuln.heartbled]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(checks.Default); err == nil || !strings.Contains(err.Error(), `line 1: deny_checks: no check matches "vuln.heartbled"`) {
		t.Errorf("Validate: %v", err)
	}
}

func TestProtocolName(t *testing.T) {
	for in, want := range map[string]string{"TLSv1.2": "TLSv1.2", "tls1.2": "TLSv1.2", "TLS12": "TLSv1.2", "1.3": "TLSv1.3",
		"TLSv1": "TLSv1.0", "TLS1.0": "TLSv1.0", "SSLv3": "SSLv3", "ssl2": "SSLv2", "tls_1_1": "TLSv1.1"} {
		if got, ok := ProtocolName(in); !ok || got != want {
			t.Errorf("ProtocolName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "TLSv2", "QUIC", "1.4"} {
		if got, ok := ProtocolName(bad); ok {
			t.Errorf("ProtocolName(%q) = %q, accepted", bad, got)
		}
	}
}

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func withLeaf(keyType string, bits int, notAfter time.Time) func(o *obs.Observation) {
	return func(o *obs.Observation) {
		c := &o.Chains[0].Certificates[0]
		c.KeyType, c.KeyBits, c.NotAfter = keyType, bits, notAfter
	}
}

func withHTTP(hsts ...string) func(o *obs.Observation) {
	return func(o *obs.Observation) {
		o.HTTP = &obs.HTTP{Attempt: obs.Attempt{Status: obs.AttemptCompleted}, URL: "https://modern.test/", StatusCode: 200,
			StrictTransportSecurity: hsts}
	}
}

func TestEvaluate(t *testing.T) {
	failed := func(id string, sev checks.Severity) checks.Finding {
		return checks.Finding{CheckID: id, Title: "Title of " + id, Status: checks.StatusFail, Severity: sev, Detail: "evidence"}
	}
	cases := []struct {
		name, policy, fixture string
		edit                  func(o *obs.Observation)
		findings              []checks.Finding
		grade                 *grade.Grade
		want                  []string // "rule: evidence substring", in order; nil: no violation
	}{
		{name: "min_protocol met", policy: "min_protocol: TLSv1.2", fixture: "modern"},
		{name: "min_protocol broken", policy: "min_protocol: TLSv1.2", fixture: "legacy",
			want: []string{"min_protocol: TLSv1.0, TLSv1.1 accepted (policy: TLSv1.2 or newer)"}},
		{name: "min_protocol TLS 1.3", policy: "min_protocol: TLSv1.3", fixture: "modern", want: []string{"min_protocol: TLSv1.2 accepted"}},
		{name: "forbidden_protocols", policy: "forbidden_protocols: [TLSv1.1, SSLv3]", fixture: "legacy",
			want: []string{"forbidden_protocols: TLSv1.1 accepted (forbidden: TLSv1.1, SSLv3)"}},
		{name: "forbidden protocol probe failed", policy: "forbidden_protocols: [TLSv1.0]", fixture: "modern",
			edit: func(o *obs.Observation) { o.Protocols[2].Error = "connection reset" },
			want: []string{"forbidden_protocols: not assessed: cannot tell whether TLSv1.0 is accepted (probe failed: connection reset)"}},
		{name: "forbidden_suites IANA wildcard", policy: `forbidden_suites: ["*_cbc_*"]`, fixture: "legacy",
			want: []string{"forbidden_suites: TLSv1.0: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}},
		{name: "forbidden_suites OpenSSL name", policy: `forbidden_suites: ["DES-CBC3-SHA"]`, fixture: "legacy",
			want: []string{"forbidden_suites: TLSv1.0: TLS_RSA_WITH_3DES_EDE_CBC_SHA"}},
		{name: "forbidden_suites none accepted", policy: `forbidden_suites: ["*RC4*", "*3DES*"]`, fixture: "modern"},
		{name: "require_forward_secrecy", policy: "require_forward_secrecy: true", fixture: "legacy",
			want: []string{"require_forward_secrecy: suites without forward secrecy accepted: TLSv1.0: TLS_RSA_WITH_"}},
		{name: "require_forward_secrecy met", policy: "require_forward_secrecy: true", fixture: "modern"},
		{name: "require_aead", policy: "require_aead: true", fixture: "legacy", want: []string{"require_aead: non-AEAD suites accepted: TLSv1.0: "}},
		{name: "hsts missing", policy: "hsts: {}", fixture: "modern", edit: withHTTP(),
			want: []string{"hsts: no Strict-Transport-Security header (HTTP 200 from https://modern.test/)"}},
		{name: "hsts short", policy: "hsts: {min_max_age: 31536000}", fixture: "modern", edit: withHTTP("max-age=15552000"),
			want: []string{"hsts: max-age=15552000 (180 days) is under the policy's 31536000 (365 days)"}},
		{name: "hsts invalid", policy: "hsts: {}", fixture: "modern", edit: withHTTP("max-age=abc"), want: []string{"hsts: invalid Strict-Transport-Security header"}},
		{name: "hsts without includeSubDomains", policy: "hsts: {include_subdomains: true}", fixture: "modern",
			edit: withHTTP("max-age=63072000"), want: []string{"hsts: includeSubDomains missing"}},
		{name: "hsts met", policy: "hsts: {include_subdomains: true}", fixture: "modern", edit: withHTTP("max-age=63072000; includeSubDomains")},
		{name: "hsts not probed fails closed", policy: "hsts: {}", fixture: "modern", want: []string{"hsts: not assessed: no HTTP request was made"}},
		{name: "min_key_size RSA", policy: "min_key_size: {rsa: 3072}", fixture: "modern",
			want: []string{"min_key_size: CN=modern.test: RSA 2048 bits (policy: at least 3072)"}},
		{name: "min_key_size EC", policy: "min_key_size: {rsa: 4096, ec: 384}", fixture: "modern", edit: withLeaf("ECDSA", 256, time.Time{}),
			want: []string{"min_key_size: CN=modern.test: EC 256 bits (policy: at least 384)"}},
		{name: "min_key_size DH", policy: "min_key_size: {dh: 2048}", fixture: "legacy", want: []string{"min_key_size: DHE 1024-bit prime (modp1024)"}},
		{name: "min_key_size met", policy: "min_key_size: {rsa: 2048, ec: 256, dh: 2048}", fixture: "modern"},
		{name: "min_days_to_expiry", policy: "min_days_to_expiry: 30", fixture: "modern", edit: withLeaf("RSA", 2048, now.AddDate(0, 0, 10)),
			want: []string{"min_days_to_expiry: CN=modern.test expires 2026-06-11 (in 10 days); the policy wants at least 30 days"}},
		{name: "min_days_to_expiry expired", policy: "min_days_to_expiry: 1", fixture: "modern", edit: withLeaf("RSA", 2048, now.AddDate(0, 0, -3)),
			want: []string{"min_days_to_expiry: CN=modern.test expired 2026-05-29 (3 days ago)"}},
		{name: "min_days_to_expiry met", policy: "min_days_to_expiry: 30", fixture: "modern", edit: withLeaf("RSA", 2048, now.AddDate(0, 0, 90))},
		{name: "require_mozilla", policy: "require_mozilla: modern", fixture: "modern",
			want: []string{"require_mozilla: not modern (6.0): 4 deviations: protocols TLSv1.2 must be disabled"}},
		{name: "require_mozilla met", policy: "require_mozilla: intermediate", fixture: "modern"},
		{name: "min_grade", policy: "min_grade: A", fixture: "legacy",
			grade: &grade.Grade{Letter: "B", Caps: []grade.Cap{{Grade: "B", Reason: "TLS 1.0 is enabled"}}},
			want:  []string{"min_grade: grade B is below A; capped at B: TLS 1.0 is enabled"}},
		{name: "min_grade A+ explains warnings", policy: "min_grade: A+", fixture: "modern",
			grade: &grade.Grade{Letter: "A-", Warnings: []grade.Cap{{Grade: "A-", Reason: "no HSTS header"}}},
			want:  []string{"min_grade: grade A- is below A+; warning (A-): no HSTS header"}},
		{name: "min_grade T", policy: "min_grade: F", fixture: "modern", grade: &grade.Grade{Letter: "T"}, want: []string{"min_grade: grade T is below F"}},
		{name: "min_grade no grade", policy: "min_grade: C", fixture: "modern", want: []string{"min_grade: no grade (not graded); the policy wants C"}},
		{name: "min_grade met", policy: "min_grade: A-", fixture: "modern", grade: &grade.Grade{Letter: "A"}},
		{name: "fail_on with allow_checks", policy: "fail_on: medium\nallow_checks: [cert.zlint]", fixture: "modern",
			findings: []checks.Finding{failed("cert.zlint", checks.SeverityHigh), failed("cipher.cbc", checks.SeverityLow), failed("kx.weak_curve", checks.SeverityMedium),
				{CheckID: "vuln.heartbleed", Status: checks.StatusPass, Severity: checks.SeverityCritical}},
			want: []string{"fail_on: kx.weak_curve Title of kx.weak_curve: evidence (medium)"}},
		{name: "deny_checks whatever the severity", policy: "deny_checks: [\"cipher.*\"]\nfail_on: critical", fixture: "modern",
			findings: []checks.Finding{failed("cipher.cbc", checks.SeverityLow), failed("cert.zlint", checks.SeverityHigh)},
			want:     []string{"deny_checks: cipher.cbc Title of cipher.cbc: evidence"}},
		{name: "require_stores", policy: "require_stores: [apple, java, windows]", fixture: "modern",
			findings: []checks.Finding{
				{CheckID: "cert.store_trust", Status: checks.StatusPass, Subject: "store apple", Detail: "trusted by apple"},
				{CheckID: "cert.store_trust", Status: checks.StatusFail, Subject: "store java, RSA chain", Detail: "not trusted by java: unknown issuer"},
				{CheckID: "cert.store_trust", Status: checks.StatusPass, Subject: "store java, ECDSA chain", Detail: "trusted by java"}},
			want: []string{"require_stores: java: not trusted by java: unknown issuer",
				"require_stores: windows: not assessed: no verdict of this store"}},
		{name: "require_stores: a public store's verdict on a private PKI", policy: "require_stores: [mozilla]", fixture: "modern",
			findings: []checks.Finding{{CheckID: "cert.store_trust", Status: checks.StatusNotApplicable, Subject: "store mozilla",
				Detail: "not trusted by mozilla: unknown issuer; expected: private PKI trusted via --ca-file"}},
			want: []string{"require_stores: mozilla: not trusted by mozilla: unknown issuer; expected: private PKI"}},
		{name: "require_stores met", policy: "require_stores: [apple]", fixture: "modern",
			findings: []checks.Finding{{CheckID: "cert.store_trust", Status: checks.StatusPass, Subject: "store apple"}}},
		{name: "quick scan fails closed", policy: "min_protocol: TLSv1.2\nrequire_aead: true\nmin_key_size: {rsa: 2048}", fixture: "modern",
			edit: func(o *obs.Observation) { o.Mode = obs.ModeQuick },
			want: []string{"min_protocol: not assessed: a quick scan", "require_aead: not assessed: a quick scan"}},
		{name: "failed scan: nothing", policy: "min_grade: A", fixture: "failed"},
		{name: "several rules, one line each", policy: "min_protocol: TLSv1.2\nrequire_aead: true\nmin_key_size: {dh: 2048}", fixture: "legacy",
			want: []string{"min_protocol: ", "require_aead: ", "min_key_size: "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Load([]byte(tc.policy))
			if err != nil {
				t.Fatal(err)
			}
			o := checktest.Observation(t, tc.fixture)
			if tc.edit != nil {
				tc.edit(o)
			}
			vs := p.Evaluate(Input{Obs: o, Findings: tc.findings, Grade: tc.grade, Now: now})
			if len(vs) != len(tc.want) {
				t.Fatalf("%d violations, want %d: %q", len(vs), len(tc.want), vs)
			}
			for i, v := range vs {
				if !strings.HasPrefix(v.String(), tc.want[i]) && !strings.Contains(v.String(), tc.want[i]) {
					t.Errorf("violation %d %q, want %q", i, v, tc.want[i])
				}
				if strings.Contains(v.String(), "\n") || v.Rule == "" || v.Evidence == "" {
					t.Errorf("violation %q is not one explained line", v)
				}
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"min_protocol: TLSv1.2\nforbidden_suites: ['*_CBC_*']\nhsts: {min_max_age: 1}\n",
		`{"min_grade": "A", "min_key_size": {"rsa": 2048}, "deny_checks": ["vuln.*"]}`,
		"- a\n", "a: [b\n", "&a [*a]\n", "min_key_size: {rsa: 99999999999999999999}\n",
	} {
		f.Add([]byte(s))
	}
	o := &obs.Observation{Status: obs.StatusOK, Protocols: []obs.Protocol{{Name: "TLSv1.2", Version: 0x0303, Supported: true,
		Suites: []obs.Suite{{ID: 0xc02f}, {ID: 0x000a}}}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Load(data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || strings.Contains(pe.Error(), "\n") {
				t.Fatalf("error %q (%T) is not one *Error line", err, err)
			}
			return
		}
		for _, v := range p.Evaluate(Input{Obs: o, Now: now}) {
			if v.Rule == "" {
				t.Fatalf("violation without a rule: %+v", v)
			}
		}
	})
}

func TestVerdictListsEveryRuleWithItsResult(t *testing.T) {
	p, err := Load([]byte("min_protocol: TLSv1.2\nrequire_aead: true\nhsts: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.RuleNames(); !slices.Equal(got, []string{"min_protocol", "require_aead", "hsts"}) {
		t.Errorf("RuleNames %q", got)
	}
	g := Gates{FailOn: checks.SeverityHigh, File: p}
	v := g.Evaluate(Input{Obs: checktest.Observation(t, "legacy"), Now: now})
	want := []RuleResult{{"fail_on", "pass", "flag"}, {"min_protocol", "fail", "policy"}, {"require_aead", "fail", "policy"}, {"hsts", "fail", "policy"}}
	if v == nil || !slices.Equal(v.Rules, want) {
		t.Errorf("rules %+v, want %+v", v, want)
	}
}

// A second YAML document would be ignored by a single decode: the whole
// file is refused, whether the extra document is valid or not.
func TestLoadRejectsMultiDocumentFiles(t *testing.T) {
	for _, in := range []string{
		"version: 1\n---\nmin_grade: A\n",
		"version: 1\n---\nmin_grade: A\n---\nbogus: [\n",
		"version: 1\n--- \nbogus: [\n",
	} {
		_, err := Load([]byte(in))
		if err == nil || !strings.Contains(err.Error(), "more than one YAML document") {
			t.Errorf("Load(%q) = %v, want a multi-document error", in, err)
		}
	}
	if _, err := Load([]byte("---\nversion: 1\n...\n")); err != nil {
		t.Errorf("one explicit document: %v", err)
	}
}
