package checks

import (
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// A quick observation (one handshake) is judged only by certificate checks;
// the others are not applicable rather than passing on data never gathered.
func TestQuickMode(t *testing.T) {
	r := NewRegistry()
	tls10Absent := func(o *obs.Observation, env Env) []Finding {
		for _, p := range o.Protocols {
			if p.Name == "TLSv1.0" && p.Supported {
				return One(Fail("", "TLS 1.0 enabled"))
			}
		}
		return One(Pass("TLS 1.0 disabled"))
	}
	r.Register(New(Meta{ID: "proto.tls10_enabled", Title: "t", Description: "d", Severity: SeverityMedium}, tls10Absent).When(ScanCompleted))
	r.Register(New(Meta{ID: "cert.expired", Title: "t", Description: "d", Severity: SeverityHigh}, func(o *obs.Observation, env Env) []Finding {
		return One(Fail("leaf", "expired"))
	}).When(ScanCompleted))

	o := &obs.Observation{Status: obs.StatusOK, Mode: obs.ModeQuick, Protocols: []obs.Protocol{{Name: "TLSv1.3", Supported: true}}}
	got := map[string]Finding{}
	for _, f := range r.Run(o, Env{}) {
		got[f.CheckID] = f
	}
	if f := got["proto.tls10_enabled"]; f.Status != StatusNotApplicable || !strings.Contains(f.Detail, "quick scan") {
		t.Errorf("proto check on a quick scan: %+v, want not_applicable naming the quick scan", f)
	}
	if f := got["cert.expired"]; f.Status != StatusFail {
		t.Errorf("cert check on a quick scan: %+v, want it evaluated", f)
	}

	o.Mode = obs.ModeFull
	for _, f := range r.Run(o, Env{}) {
		if f.Status != StatusPass && f.CheckID == "proto.tls10_enabled" {
			t.Errorf("full scan: %+v", f)
		}
	}
}
