package checks

import (
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func meta(id string, sev Severity) Meta {
	return Meta{ID: id, Title: "t " + id, Description: "d", Severity: sev}
}

func okObs() *obs.Observation { return &obs.Observation{Status: obs.StatusOK} }

func TestRegisterPanics(t *testing.T) {
	for name, id := range map[string]string{"empty": "", "no dot": "proto", "upper": "Proto.X", "dash": "proto.a-b"} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", id)
				}
			}()
			NewRegistry().Register(New(meta(id, SeverityLow), nil))
		})
	}
	r := NewRegistry()
	r.Register(New(meta("proto.a", SeverityLow), nil))
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "duplicate") {
			t.Errorf("duplicate ID: recover() = %v", p)
		}
	}()
	r.Register(New(meta("proto.a", SeverityLow), nil))
}

func TestLifecycle(t *testing.T) {
	r := NewRegistry()
	r.Register(New(meta("cipher.panics", SeverityHigh), func(*obs.Observation, Env) []Finding { panic("boom") }))
	r.Register(New(meta("cipher.fails", SeverityHigh), func(*obs.Observation, Env) []Finding {
		return One(Fail("TLSv1.0", "evidence"))
	}))
	r.Register(New(meta("proto.needs_scan", SeverityLow), func(*obs.Observation, Env) []Finding {
		return One(Pass("ran"))
	}).When(ScanCompleted))

	fs := r.Run(okObs(), Env{})
	if len(fs) != 3 {
		t.Fatalf("got %d findings, want 3: %+v", len(fs), fs)
	}
	// Sorted by ID: cipher.fails, cipher.panics, proto.needs_scan.
	if f := fs[0]; f.Status != StatusFail || f.CheckID != "cipher.fails" || f.Category != "cipher" ||
		f.Severity != SeverityHigh || f.Title != "t cipher.fails" || f.Subject != "TLSv1.0" {
		t.Errorf("fail finding not filled from Meta: %+v", f)
	}
	if f := fs[1]; f.Status != StatusError || !strings.Contains(f.Detail, "boom") || f.CheckID != "cipher.panics" {
		t.Errorf("panic not turned into an error finding: %+v", f)
	}
	if f := fs[2]; f.Status != StatusPass || f.Category != "protocol" {
		t.Errorf("applicable check: %+v", f)
	}

	failed := &obs.Observation{Status: obs.StatusConnectionRefused, Error: "refused"}
	fs = r.Filter(Filter{IncludeIDs: []string{"proto.*"}}).Run(failed, Env{})
	if len(fs) != 1 || fs[0].Status != StatusNotApplicable || !strings.Contains(fs[0].Detail, "connection_refused") {
		t.Errorf("not applicable: %+v", fs)
	}
	if fs := Evaluate(r.All()[0], nil, Env{}); fs[0].Status != StatusNotApplicable {
		t.Errorf("nil observation: %+v", fs)
	}
}

func TestFilter(t *testing.T) {
	r := NewRegistry()
	for _, m := range []Meta{meta("proto.sslv3_enabled", SeverityHigh), meta("proto.tls13_missing", SeverityInfo),
		meta("cipher.rc4", SeverityHigh), meta("kx.weak_curve", SeverityMedium)} {
		r.Register(New(m, nil))
	}
	ids := func(f Filter) string {
		var out []string
		for _, m := range r.Filter(f).Catalogue() {
			out = append(out, m.ID)
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		f    Filter
		want string
	}{
		{Filter{}, "cipher.rc4 kx.weak_curve proto.sslv3_enabled proto.tls13_missing"},
		{Filter{IncludeIDs: []string{"proto.*"}}, "proto.sslv3_enabled proto.tls13_missing"},
		{Filter{IncludeIDs: []string{"cipher.rc4", "kx.weak_curve"}}, "cipher.rc4 kx.weak_curve"},
		{Filter{ExcludeIDs: []string{"proto.*", "kx.weak_curve"}}, "cipher.rc4"},
		{Filter{Categories: []string{"protocol"}}, "proto.sslv3_enabled proto.tls13_missing"},
		{Filter{Categories: []string{"proto", "kx"}}, "kx.weak_curve proto.sslv3_enabled proto.tls13_missing"},
		{Filter{MinSeverity: SeverityMedium}, "cipher.rc4 kx.weak_curve proto.sslv3_enabled"},
		{Filter{MinSeverity: SeverityHigh, Categories: []string{"cipher"}}, "cipher.rc4"},
	}
	for _, c := range cases {
		if got := ids(c.f); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.f, got, c.want)
		}
		if err := c.f.Validate(r); err != nil {
			t.Errorf("%+v: Validate: %v", c.f, err)
		}
	}
	for _, bad := range []Filter{{IncludeIDs: []string{"proto.sslv4"}}, {ExcludeIDs: []string{"[x"}},
		{Categories: []string{"vuln"}}, {MinSeverity: "urgent"}} {
		if err := bad.Validate(r); err == nil {
			t.Errorf("%+v: Validate accepted it", bad)
		}
	}
}

func TestSeverity(t *testing.T) {
	prev := -1
	for _, s := range Severities() {
		if s.Rank() <= prev {
			t.Errorf("%s ranks %d, not above %d", s, s.Rank(), prev)
		}
		prev = s.Rank()
		if got, err := ParseSeverity(" " + strings.ToUpper(string(s))); err != nil || got != s {
			t.Errorf("ParseSeverity(%s) = %q, %v", s, got, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("ParseSeverity accepted an unknown name")
	}
}

func TestNaming(t *testing.T) {
	if got := CategoryOf("proto.x"); got != "protocol" {
		t.Errorf("CategoryOf(proto.x) = %q", got)
	}
	if got := CategoryOf("kx.x"); got != "kx" {
		t.Errorf("CategoryOf(kx.x) = %q", got)
	}
	if got := funcPackage("github.com/a/b/checks/proto.init.0"); got != "github.com/a/b/checks/proto" {
		t.Errorf("funcPackage = %q", got)
	}
	if got := New(meta("proto.x", SeverityLow), nil).Package(); got != "github.com/tlsaudit/tlsaudit/checks" {
		t.Errorf("Package() = %q", got)
	}
}

func TestSharedMakesEachValueOnce(t *testing.T) {
	var s Shared
	n := 0
	mk := func() any { n++; return n }
	if a, b := s.Value("k", mk), s.Value("k", mk); a != 1 || b != 1 {
		t.Errorf("values %v %v, want the first one twice", a, b)
	}
	if v, ok := s.Lookup("k"); !ok || v != 1 {
		t.Errorf("Lookup: %v %v", v, ok)
	}
	if _, ok := s.Lookup("other"); ok {
		t.Error("Lookup found a value never made")
	}
	var none *Shared
	if none.Value("k", mk) != 2 {
		t.Error("the nil Shared kept a value")
	}
}
