package metrics

import (
	"os"
	"regexp"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDocumentedAlertRulesUseExportedMetrics: every metric the example
// alert rules (docs/prometheus/alerts.yml) query is one this package
// exports, so renaming a metric cannot silently break them.
func TestDocumentedAlertRulesUseExportedMetrics(t *testing.T) {
	data, err := os.ReadFile("../../docs/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, n := range []string{NameCertNotAfter, NameEarliestExpiry, NameGradeInfo, NameGradeRank, NameGradeScore,
		NameFailingFindings, NamePolicyViolations, NameScanSuccess, NameLastAssessment, NameAssessments,
		NameAssessmentSeconds, NameQueueDepth} {
		exported[n] = true
	}
	name := regexp.MustCompile(`tlsaudit_[a-z_]+`)
	rules := 0
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			rules++
			if r.Alert == "" || r.Expr == "" {
				t.Errorf("rule %+v lacks alert or expr", r)
			}
			for _, m := range name.FindAllString(r.Expr, -1) {
				if !exported[m] {
					t.Errorf("alert %s queries %s, which is not exported", r.Alert, m)
				}
			}
		}
	}
	for _, want := range []string{"TLSCertificateExpiresSoon", "TLSGradeBelowA", "TLSScanFailing"} {
		found := false
		for _, g := range doc.Groups {
			for _, r := range g.Rules {
				found = found || r.Alert == want
			}
		}
		if !found {
			t.Errorf("no %s rule", want)
		}
	}
	if rules < 3 {
		t.Errorf("%d rules", rules)
	}
}
