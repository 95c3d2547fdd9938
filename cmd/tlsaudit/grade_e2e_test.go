//go:build linux

package main

// End-to-end grade, Mozilla and CI gate tests: real servers on
// 127.0.0.1 (nginx, gnutls-serv) started by the test, audited through the
// whole command in-process with the test PKI's root as --ca-file and the
// certificate name in --sni (no DNS lookup, no traffic off loopback).

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// Mozilla intermediate (6.0) suites and groups, as nginx directives.
const (
	intermediateCiphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" +
		"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
	intermediateCurves = "X25519:prime256v1:secp384r1"
	twoYears           = "max-age=63072000"
)

// gradeServers are the servers of the grade tests, started once.
type gradeServers struct {
	e                                                     *e2eEnv
	modern, noHSTS, tls10, des3, des3Only, rsaKx, expired *tlstest.Server
}

func startGradeServers(t *testing.T) *gradeServers {
	t.Helper()
	e := newE2E(t)
	now := time.Now()
	leaf := e.leaf(t, tlstest.LeafOptions{}) // RSA-2048, 90 days
	nginx := func(o tlstest.NginxOptions) *tlstest.Server {
		if o.Leaves == nil {
			o.Leaves = []*tlstest.Leaf{leaf}
		}
		return tlstest.StartNginxT(t, o)
	}
	return &gradeServers{
		e: e,
		modern: nginx(tlstest.NginxOptions{Protocols: "TLSv1.2 TLSv1.3", Ciphers: intermediateCiphers,
			ECDHCurve: intermediateCurves, HSTS: twoYears}),
		noHSTS: nginx(tlstest.NginxOptions{Protocols: "TLSv1.2 TLSv1.3", Ciphers: intermediateCiphers, ECDHCurve: intermediateCurves}),
		// TLS 1.0 needs a CBC suite: GCM does not exist before TLS 1.2.
		tls10: nginx(tlstest.NginxOptions{Protocols: "TLSv1 TLSv1.2 TLSv1.3", Ciphers: intermediateCiphers + ":ECDHE-RSA-AES128-SHA",
			ECDHCurve: intermediateCurves, HSTS: twoYears}),
		// 3DES first in an enforced server order, TLS 1.2 (Sweet32 → C).
		des3: tlstest.StartGnuTLST(t, tlstest.GnuTLSOptions{Leaves: []*tlstest.Leaf{leaf},
			Priority: "NONE:+VERS-TLS1.2:+3DES-CBC:+AES-128-GCM:+ECDHE-RSA:+RSA:+SHA1:+AEAD:+COMP-NULL:+SIGN-ALL:+CURVE-ALL:%SERVER_PRECEDENCE"}),
		// Only 3DES suites, TLS 1.2: the current clients fail, the legacy
		// ones negotiate 3DES.
		des3Only: tlstest.StartGnuTLST(t, tlstest.GnuTLSOptions{Leaves: []*tlstest.Leaf{leaf},
			Priority: "NONE:+VERS-TLS1.2:+3DES-CBC:+ECDHE-RSA:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+CURVE-ALL"}),
		// Static RSA key exchange only (no forward secrecy → B).
		rsaKx: nginx(tlstest.NginxOptions{Protocols: "TLSv1.2", Ciphers: "AES128-GCM-SHA256:AES256-GCM-SHA384", HSTS: twoYears}),
		expired: nginx(tlstest.NginxOptions{Protocols: "TLSv1.2 TLSv1.3", Ciphers: intermediateCiphers, HSTS: twoYears,
			Leaves: []*tlstest.Leaf{e.leaf(t, tlstest.LeafOptions{NotBefore: now.AddDate(0, 0, -91), NotAfter: now.AddDate(0, 0, -1)})}}),
	}
}

// cliRun is one in-process run of the command against a server.
type cliRun struct {
	code   int
	rep    *report.Report // nil unless --json
	stderr []string       // lines
	stdout string
}

// run audits srv (SNI tlstest.DefaultName unless sni is set) with args.
func (s *gradeServers) run(t *testing.T, srv *tlstest.Server, sni string, args ...string) cliRun {
	t.Helper()
	if sni == "" {
		sni = tlstest.DefaultName
	}
	all := append([]string{"--ca-file", s.e.rootFile, "--sni", sni}, args...)
	res := runCmd(t, "", append(all, srv.Addr)...)
	out := cliRun{code: res.code, stdout: res.stdout}
	if res.stderr != "" {
		out.stderr = strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n")
	}
	if slices.Contains(args, "--json") {
		var reps []*report.Report
		if err := json.Unmarshal([]byte(res.stdout), &reps); err != nil || len(reps) != 1 || reps[0].Status != "ok" {
			t.Fatalf("want one report with status ok (%v); exit %d\nstdout:\n%s\nstderr:\n%s", err, res.code, res.stdout, res.stderr)
		}
		out.rep = reps[0]
	}
	return out
}

func ruleIDs(cs []grade.Cap) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Rule)
	}
	return out
}

func TestGradeE2E(t *testing.T) {
	s := startGradeServers(t)
	cases := []struct {
		name     string
		srv      *tlstest.Server
		sni      string
		letter   string
		caps     []string // rules, in order (nil: none)
		warnings []string
		reason   string // substring of some cap or warning reason
		score    int    // 0: not asserted
		// semantics asserted when set (suite rules: offered or negotiated).
		semantics grade.Semantics
	}{
		// Mozilla intermediate on nginx, HSTS 2 years: nothing caps it, no
		// warning (TLS 1.3 on, HSTS ≥ 180 days), so A+.
		{name: "modern nginx with HSTS: A+", srv: s.modern, letter: "A+"},
		// 2009r: a missing HSTS header is a warning, and a warning makes A-.
		{name: "modern nginx without HSTS: A-", srv: s.noHSTS, letter: "A-", warnings: []string{"hsts_missing"},
			reason: "no HSTS header: send Strict-Transport-Security"},
		{name: "TLS 1.0 enabled: B", srv: s.tls10, letter: "B", caps: []string{"tls10"},
			reason: "TLS 1.0 is enabled: disable TLS 1.0 and TLS 1.1 (RFC 8996)"},
		// SSL Labs semantics: suite rules judge what the simulated reference
		// clients negotiate. The captured current clients do not offer 3DES,
		// but the synthesised legacy ones (IE 11, Java 8, Safari 10, ...) do,
		// and the enforced server order gives it to them: Sweet32 caps at C
		// (SSL Labs gives C). Score: (80+20)/2 = 50 for ciphers, total
		// 0.3·100 + 0.3·90 + 0.4·50 = 77.
		{name: "3DES first in server order, negotiated by legacy clients: C", srv: s.des3, letter: "C", caps: []string{"sweet32"},
			score: 77, semantics: grade.Negotiated},
		{name: "3DES only, TLS 1.2: C (Sweet32)", srv: s.des3Only, letter: "C", caps: []string{"sweet32", "no_aead"},
			reason: "64-bit block ciphers (3DES) are usable with TLS 1.1 or later"},
		{name: "RSA key exchange only: B", srv: s.rsaKx, letter: "B", caps: []string{"no_forward_secrecy"},
			reason: "no suite has forward secrecy: enable ECDHE suites"},
		// An expired leaf also fails path validation (cert.untrusted): both are T.
		{name: "expired certificate: T", srv: s.expired, letter: "T", caps: []string{"untrusted", "expired"}, reason: "the certificate has expired: renew it"},
		{name: "wrong host: M", srv: s.modern, sni: "other.test", letter: "M", caps: []string{"hostname_mismatch"},
			reason: "the certificate does not match the host name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.run(t, tc.srv, tc.sni, "--json")
			r.expectCode(t, exitOK)
			g := r.rep.Grade
			if g == nil || string(g.Letter) != tc.letter {
				t.Fatalf("grade %+v, want %s", g, tc.letter)
			}
			if tc.score != 0 && g.Score != tc.score {
				t.Errorf("score %d, want %d (%+v)", g.Score, tc.score, g)
			}
			if tc.semantics != "" && g.Semantics != tc.semantics {
				t.Errorf("semantics %q, want %q", g.Semantics, tc.semantics)
			}
			// Warnings (no TLS 1.3, HSTS) are listed whatever the letter.
			gotCaps, gotWarn := ruleIDs(g.Caps), ruleIDs(g.Warnings)
			if !slices.Equal(gotCaps, tc.caps) {
				t.Errorf("caps %q, want %q: %+v", gotCaps, tc.caps, g.Caps)
			}
			if tc.warnings != nil && !slices.Equal(gotWarn, tc.warnings) {
				t.Errorf("warnings %q, want %q: %+v", gotWarn, tc.warnings, g.Warnings)
			}
			if (tc.letter == "A+" || tc.letter == "A") && len(gotWarn) > 0 {
				t.Errorf("an %s with warnings %+v", tc.letter, g.Warnings)
			}
			all := append(append([]grade.Cap{}, g.Caps...), g.Warnings...)
			if tc.reason != "" && !slices.ContainsFunc(all, func(c grade.Cap) bool { return strings.Contains(c.Reason, tc.reason) }) {
				t.Errorf("no cap or warning reason contains %q: %+v", tc.reason, all)
			}
			if r.rep.Mozilla == nil || len(r.rep.Mozilla.Results) != 3 {
				t.Errorf("no Mozilla section with three profiles: %+v", r.rep.Mozilla)
			}
		})
	}
}

func (r cliRun) expectCode(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstderr:\n%s\nstdout:\n%s", r.code, code, strings.Join(r.stderr, "\n"), r.stdout)
	}
}

// expectLines asserts the exit code and that stderr has exactly one line
// per want, each starting with "tlsaudit: policy: <addr>: " + want.
func (r cliRun) expectLines(t *testing.T, code int, addr string, want ...string) {
	t.Helper()
	r.expectCode(t, code)
	if len(r.stderr) != len(want) {
		t.Fatalf("%d stderr lines, want %d (%q):\n%s", len(r.stderr), len(want), want, strings.Join(r.stderr, "\n"))
	}
	for i, w := range want {
		if prefix := "tlsaudit: policy: " + addr + ": " + w; !strings.HasPrefix(r.stderr[i], prefix) {
			t.Errorf("stderr line %d %q, want prefix %q", i, r.stderr[i], prefix)
		}
	}
}

func TestGatesE2E(t *testing.T) {
	s := startGradeServers(t)
	t.Run("--fail-under A against a B server", func(t *testing.T) {
		s.run(t, s.tls10, "", "--quiet", "--fail-under", "A").expectLines(t, exitPolicy, s.tls10.Addr,
			"grade B is below A (--fail-under); capped at B: TLS 1.0 is enabled: disable TLS 1.0 and TLS 1.1 (RFC 8996)")
		s.run(t, s.tls10, "", "--quiet", "--fail-under", "B").expectLines(t, exitOK, "")
	})
	t.Run("--fail-on high", func(t *testing.T) {
		// An expired leaf fails path validation too: two critical findings, two lines.
		s.run(t, s.expired, "", "--quiet", "--fail-on", "high").expectLines(t, exitPolicy, s.expired.Addr,
			"critical check cert.expired failed: Certificate expired [leaf CN=tlsaudit.test, O=tlsaudit]: expired on ",
			"critical check cert.untrusted failed: ")
		s.run(t, s.modern, "", "--quiet", "--fail-on", "high").expectLines(t, exitOK, "")
	})
	t.Run("--expiry-warn 365d against a 90-day certificate", func(t *testing.T) {
		s.run(t, s.modern, "", "--quiet", "--expiry-warn", "365d").expectLines(t, exitPolicy, s.modern.Addr, "certificate expiry: ")
		s.run(t, s.modern, "", "--quiet", "--expiry-warn", "30d").expectLines(t, exitOK, "")
	})
	t.Run("--require-mozilla modern against an intermediate server", func(t *testing.T) {
		r := s.run(t, s.modern, "", "--json", "--require-mozilla", "modern", "--remediation", "nginx")
		moz := r.rep.Mozilla
		if moz == nil || moz.Meets != "intermediate" {
			t.Fatalf("Mozilla section %+v, want intermediate met", moz)
		}
		modern, _ := moz.Result("modern")
		var want []string
		for _, d := range modern.Deviations {
			want = append(want, "--require-mozilla modern (6.0): "+d)
		}
		if len(want) == 0 || !slices.Contains(modern.Deviations, "protocols TLSv1.2 must be disabled (allowed: TLSv1.3)") {
			t.Errorf("modern deviations %q", modern.Deviations)
		}
		r.expectLines(t, exitPolicy, s.modern.Addr, want...)
		if rem := moz.Remediation; rem == nil || rem.Profile != "modern" || !strings.Contains(rem.Snippet, "ssl_protocols TLSv1.3;") {
			t.Errorf("remediation %+v, want the nginx snippet for modern", rem)
		}
		s.run(t, s.modern, "", "--quiet", "--require-mozilla", "intermediate").expectLines(t, exitOK, "")
	})
	t.Run("text report: Mozilla line and remediation", func(t *testing.T) {
		// TLS 1.0 and a CBC suite break intermediate; old (5.8) allows both
		// but wants the server to enforce its cipher order (nginx does not by default).
		r := s.run(t, s.tls10, "", "--color", "never")
		r.expectCode(t, exitOK)
		for _, want := range []string{"  Mozilla      none — not old (5.8): 1 deviation\n",
			"  Deviations   TLSv1.2: the server must enforce its cipher order\n"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("text report lacks %q:\n%s", want, r.stdout)
			}
		}
		r = s.run(t, s.tls10, "", "--color", "never", "--mozilla-profile", "intermediate", "--remediation", "haproxy")
		r.expectCode(t, exitOK)
		for _, want := range []string{"  Mozilla      none — not intermediate (6.0): 2 deviations\n",
			"  Deviations   protocols TLSv1.0 must be disabled (allowed: TLSv1.2, TLSv1.3)\n",
			"\nRemediation (haproxy, Mozilla intermediate 6.0)\n",
			"      ssl-default-bind-options prefer-client-ciphers ssl-min-ver TLSv1.2 no-tls-tickets\n",
			"      ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("text report lacks %q:\n%s", want, r.stdout)
			}
		}
	})

	// One policy file per rule type, against a server that breaks it and
	// (when there is one) a server that meets it.
	policies := []struct {
		name, policy string
		bad          *tlstest.Server
		line         string // the stderr lines (after the target) for bad, "\n"-separated
		good         *tlstest.Server
	}{
		{"min_protocol", "min_protocol: TLSv1.2", s.tls10, "min_protocol: TLSv1.0 accepted (policy: TLSv1.2 or newer)", s.modern},
		{"forbidden_protocols", "forbidden_protocols: [TLSv1.0, TLSv1.1]", s.tls10, "forbidden_protocols: TLSv1.0 accepted", s.modern},
		{"forbidden_suites OpenSSL", `forbidden_suites: ["DES-CBC3-SHA"]`, s.des3, "forbidden_suites: TLSv1.2: TLS_RSA_WITH_3DES_EDE_CBC_SHA", s.modern},
		{"forbidden_suites wildcard", `forbidden_suites: ["*_CBC_*"]`, s.tls10, "forbidden_suites: TLSv1.0: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", s.modern},
		{"require_forward_secrecy", "require_forward_secrecy: true", s.rsaKx, "require_forward_secrecy: suites without forward secrecy accepted: TLSv1.2: TLS_RSA_WITH_AES_", s.modern},
		{"require_aead", "require_aead: true", s.tls10, "require_aead: non-AEAD suites accepted: TLSv1.0: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", s.modern},
		{"hsts missing", "hsts: {min_max_age: 15552000}", s.noHSTS, "hsts: no Strict-Transport-Security header (HTTP 200", s.modern},
		{"hsts short", "hsts: {min_max_age: 94608000}", s.modern, "hsts: max-age=63072000 (730 days) is under the policy's 94608000 (1095 days)", nil},
		{"min_key_size", "min_key_size: {rsa: 3072}", s.modern, "min_key_size: CN=" + tlstest.DefaultName, nil},
		{"min_days_to_expiry", "min_days_to_expiry: 365", s.modern, "min_days_to_expiry: CN=" + tlstest.DefaultName, nil},
		{"require_mozilla", "require_mozilla: modern", s.modern, "require_mozilla: not modern (6.0): ", nil},
		{"min_grade", "min_grade: A+", s.noHSTS, "min_grade: grade A- is below A+; warning (A-): no HSTS header", s.modern},
		{"fail_on", "fail_on: critical", s.expired, "fail_on: cert.expired \nfail_on: cert.untrusted ", s.modern},
		{"fail_on with allow_checks", "fail_on: critical\nallow_checks: [cert.*]\nmin_days_to_expiry: 1", s.expired, "min_days_to_expiry: ", nil},
		{"deny_checks", "deny_checks: [http.hsts_missing]", s.noHSTS, "deny_checks: http.hsts_missing ", s.modern},
	}
	for _, pc := range policies {
		t.Run("--policy "+pc.name, func(t *testing.T) {
			file := writeFile(t, "policy.yaml", pc.policy+"\n")
			s.run(t, pc.bad, "", "--quiet", "--policy", file).expectLines(t, exitPolicy, pc.bad.Addr, strings.Split(pc.line, "\n")...)
			if pc.good != nil {
				s.run(t, pc.good, "", "--quiet", "--policy", file).expectLines(t, exitOK, "")
			}
		})
	}
	t.Run("--policy the example file", func(t *testing.T) {
		r := s.run(t, s.tls10, "", "--quiet", "--policy", "../../docs/policy.example.yaml")
		r.expectCode(t, exitPolicy)
		if len(r.stderr) < 4 {
			t.Errorf("the strict example policy broke only %d rules on the TLS 1.0 server:\n%s", len(r.stderr), strings.Join(r.stderr, "\n"))
		}
	})
	t.Run("--policy malformed", func(t *testing.T) {
		file := writeFile(t, "policy.yaml", "min_grade: A\nmin_protocol: [TLSv1.2\n")
		res := runCmd(t, "", "--policy", file, s.modern.Addr)
		res.expect(t, exitUsage)
		if want := fmt.Sprintf("tlsaudit: error: %s:", file); !strings.HasPrefix(res.stderr, want) || strings.Count(res.stderr, "\n") != 1 {
			t.Errorf("stderr %q, want one line starting %q", res.stderr, want)
		}
	})
}
