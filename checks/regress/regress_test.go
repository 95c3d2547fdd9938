package regress

import (
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// The rules: a weak protocol or suite enabled, a lower grade, a leaf come
// within the expiry window and a new medium finding are regressions; a
// protocol disabled or a better grade is a change and no regression.
func TestRegressionRules(t *testing.T) {
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	side := func(letter grade.Letter, protos []obs.Protocol, notAfter time.Time, fs ...checks.Finding) Side {
		o := &obs.Observation{Status: obs.StatusOK, Started: start, Protocols: protos,
			Chains: []obs.Chain{{KeyType: "ECDSA", Certificates: []obs.Certificate{{SHA256: "aa", Subject: "CN=x", NotAfter: notAfter}}}}}
		return Side{Target: "x.test:443", Status: obs.StatusOK, Grade: &grade.Grade{Letter: letter, Score: 90}, Obs: o, Findings: fs}
	}
	tls13 := obs.Protocol{Name: "TLSv1.3", Supported: true, Suites: []obs.Suite{{ID: 0x1301, Name: "TLS_AES_128_GCM_SHA256"}}}
	tls10 := obs.Protocol{Name: "TLSv1.0", Supported: true, Suites: []obs.Suite{{ID: 0x002f, Name: "TLS_RSA_WITH_AES_128_CBC_SHA"}}}
	far, near := start.AddDate(1, 0, 0), start.AddDate(0, 0, 10)
	medium := checks.Finding{CheckID: checks.IDProtoTLS10Enabled, Status: checks.StatusFail, Severity: checks.SeverityMedium, Detail: "TLS 1.0"}

	old := side("A", []obs.Protocol{tls13}, far)
	worse := side("B", []obs.Protocol{tls13, tls10}, near, medium)
	d := Compare([]Side{old}, []Side{worse}, Options{})
	want := map[string]bool{ChangeGrade: true, ChangeProtocol: true, ChangeSuite: true, ChangeExpiry: true, ChangeFinding: true}
	got := map[string]bool{}
	for _, c := range d.Targets[0].Changes {
		if c.Regression {
			got[c.Kind] = true
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("no %s regression in %+v", k, d.Targets[0].Changes)
		}
	}
	if !d.Regression {
		t.Error("the diff is not a regression")
	}
	if back := Compare([]Side{worse}, []Side{old}, Options{}); back.Regression {
		t.Errorf("going back to the old report is a regression: %+v", back.Targets[0].Changes)
	}
}
