package mozilla

import (
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func TestSummarize(t *testing.T) {
	tls13ECDSA := func(o *obs.Observation) {
		o.Protocols[4].Supported, o.Protocols[4].Suites = false, nil
		c := &o.Chains[0].Certificates[0]
		c.KeyType, c.KeyBits, c.Curve, c.SigAlg = "ECDSA", 256, "P-256", "ECDSA-SHA256"
	}
	cases := []struct {
		name, fixture string
		edit          func(*obs.Observation)
		profiles      []string
		meets, line   string
		next          string
	}{
		{name: "modern server meets intermediate", fixture: "modern", meets: "intermediate", next: "modern",
			line: "intermediate (6.0) — not modern: 4 deviations"},
		{name: "TLS 1.3-only ECDSA server meets modern", fixture: "modern", edit: tls13ECDSA, meets: "modern", line: "modern (6.0)"},
		{name: "legacy server meets none", fixture: "legacy", meets: "", next: "old", line: "none — not old (5.8): "},
		{name: "nothing met: the closest profile", fixture: "modern", edit: func(o *obs.Observation) {
			c := &o.Chains[0].Certificates[0]
			c.KeyType, c.KeyBits, c.Curve, c.SigAlg = "ECDSA", 256, "P-256", "ECDSA-SHA256"
			o.Protocols[4].Suites = append(o.Protocols[4].Suites, obs.Suite{ID: 0xc009})
		}, meets: "", next: "intermediate", line: "none — not intermediate (6.0): 1 deviation"},
		{name: "one profile asked, not met", fixture: "modern", profiles: []string{"modern"}, meets: "", next: "modern",
			line: "none — not modern (6.0): 4 deviations"},
		{name: "one profile asked, met", fixture: "modern", profiles: []string{"intermediate"}, meets: "intermediate", line: "intermediate (6.0)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := checktest.Observation(t, tc.fixture)
			if tc.edit != nil {
				tc.edit(o)
			}
			s, err := Summarize(o, tc.profiles...)
			if err != nil {
				t.Fatal(err)
			}
			if s.Meets != tc.meets {
				t.Errorf("meets %q, want %q", s.Meets, tc.meets)
			}
			if got := s.Line(); !strings.HasPrefix(got, tc.line) {
				t.Errorf("line %q, want prefix %q", got, tc.line)
			}
			next, ok := s.Next()
			if ok != (tc.next != "") || next.Profile != tc.next {
				t.Errorf("next %q (%v), want %q", next.Profile, ok, tc.next)
			}
			want := len(tc.profiles)
			if want == 0 {
				want = 3
			}
			if len(s.Results) != want {
				t.Errorf("%d results, want %d", len(s.Results), want)
			}
		})
	}
}

func TestSummarizeErrors(t *testing.T) {
	if _, err := Summarize(checktest.Observation(t, "modern"), "paranoid"); err == nil || !strings.Contains(err.Error(), "unknown Mozilla profile") {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := Summarize(checktest.Observation(t, "failed")); err == nil {
		t.Error("failed scan accepted")
	}
	o := checktest.Observation(t, "modern")
	o.Mode = obs.ModeQuick
	if _, err := Summarize(o); err == nil || !strings.Contains(err.Error(), "quick scan") {
		t.Errorf("quick scan: %v", err)
	}
}

func TestRemediate(t *testing.T) {
	s, err := Summarize(checktest.Observation(t, "legacy"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remediate("nginx", ""); err != nil {
		t.Fatal(err)
	}
	// The legacy server is closest to old, but the default never adds old's
	// 3DES, CBC and static RSA suites: it targets intermediate.
	if r := s.Remediation; r.Profile != "intermediate" || r.Server != "nginx" || !strings.Contains(r.Snippet, "# Mozilla intermediate configuration") ||
		strings.Contains(r.Snippet, "DES-CBC3-SHA") || strings.Contains(r.Snippet, "AES128-SHA:") {
		t.Errorf("default remediation: %+v", r)
	}
	if err := s.Remediate("nginx", "old"); err != nil || s.Remediation.Profile != "old" || !strings.Contains(s.Remediation.Snippet, "DES-CBC3-SHA") {
		t.Errorf("old asked for: %+v, %v", s.Remediation, err)
	}
	if err := s.Remediate("haproxy", "intermediate"); err != nil {
		t.Fatal(err)
	}
	if r := s.Remediation; r.Profile != "intermediate" || !strings.Contains(r.Snippet, "ssl-min-ver TLSv1.2") {
		t.Errorf("intermediate remediation: %+v", r)
	}
	if err := s.Remediate("lighttpd", "intermediate"); err == nil {
		t.Error("unknown server accepted")
	}
	one, _ := Summarize(checktest.Observation(t, "modern"), "intermediate")
	if err := one.Remediate("nginx", "modern"); err == nil {
		t.Error("remediation for a profile not evaluated accepted")
	}
	if err := one.Remediate("apache", ""); err != nil || one.Remediation.Snippet != "" || one.Remediation.Profile != "intermediate" {
		t.Errorf("compliant remediation: %+v, %v", one.Remediation, err)
	}
}
