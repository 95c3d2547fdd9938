package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func testReport(letter string, notAfter time.Time) *report.Report {
	o := &obs.Observation{Status: obs.StatusOK, Target: obs.Target{Host: "www.example.test", IP: "127.0.0.1", Port: 8443},
		Chains: []obs.Chain{{KeyType: "ECDSA", Certificates: []obs.Certificate{
			{Subject: "CN=<script>alert(1)</script>", NotAfter: notAfter},
			{Subject: "CN=Test CA", NotAfter: notAfter.Add(365 * 24 * time.Hour)},
		}}}}
	return report.New(report.Tool{Name: "tlsaudit"}, o, []checks.Finding{
		{CheckID: "proto.tls10", Status: checks.StatusFail, Severity: checks.SeverityMedium},
		{CheckID: "proto.tls11", Status: checks.StatusFail, Severity: checks.SeverityMedium},
		{CheckID: "cipher.rc4", Status: checks.StatusPass, Severity: checks.SeverityHigh},
	}, &grade.Grade{Letter: grade.Letter(letter), Score: 87})
}

// scrape serves the metrics and parses what a Prometheus server would read.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, rec.Body.String())
	}
	return fams
}

func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestMetricsExposeExpiryGradeAndFindingsPerEndpoint(t *testing.T) {
	notAfter := time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC)
	m := New(func() int { return 3 })
	m.Record(testReport("A-", notAfter), 2, 1500*time.Millisecond)
	fams := scrape(t, m)

	na := fams[NameCertNotAfter]
	if na == nil || len(na.Metric) != 2 {
		t.Fatalf("%s: want 2 series (leaf and CA), got %v", NameCertNotAfter, na)
	}
	for _, s := range na.Metric {
		l := labelsOf(s)
		if l["host"] != "www.example.test" || l["address"] != "127.0.0.1" || l["port"] != "8443" || l["chain"] != "0" || l["key_type"] != "ECDSA" {
			t.Errorf("labels %v", l)
		}
		if l["position"] == "0" && s.GetGauge().GetValue() != float64(notAfter.Unix()) {
			t.Errorf("leaf not_after = %v, want %d", s.GetGauge().GetValue(), notAfter.Unix())
		}
	}
	if v := fams[NameEarliestExpiry].Metric[0].GetGauge().GetValue(); v != float64(notAfter.Unix()) {
		t.Errorf("earliest expiry %v", v)
	}
	gi := fams[NameGradeInfo].Metric
	if len(gi) != 1 || labelsOf(gi[0])["grade"] != "A-" || gi[0].GetGauge().GetValue() != 1 {
		t.Errorf("grade info %v", gi)
	}
	if v := fams[NameGradeRank].Metric[0].GetGauge().GetValue(); v != 6 {
		t.Errorf("grade rank %v, want 6", v)
	}
	if v := fams[NameGradeScore].Metric[0].GetGauge().GetValue(); v != 87 {
		t.Errorf("grade score %v", v)
	}
	bySev := map[string]float64{}
	for _, s := range fams[NameFailingFindings].Metric {
		bySev[labelsOf(s)["severity"]] = s.GetGauge().GetValue()
	}
	if bySev["medium"] != 2 || bySev["high"] != 0 || len(bySev) != 5 {
		t.Errorf("failing findings by severity %v", bySev)
	}
	if v := fams[NamePolicyViolations].Metric[0].GetGauge().GetValue(); v != 2 {
		t.Errorf("policy violations %v", v)
	}
	if v := fams[NameScanSuccess].Metric[0].GetGauge().GetValue(); v != 1 {
		t.Errorf("scan success %v", v)
	}
	if v := fams[NameQueueDepth].Metric[0].GetGauge().GetValue(); v != 3 {
		t.Errorf("queue depth %v", v)
	}
	h := fams[NameAssessmentSeconds].Metric[0].GetHistogram()
	if h.GetSampleCount() != 1 || h.GetSampleSum() != 1.5 {
		t.Errorf("duration histogram count %d sum %v", h.GetSampleCount(), h.GetSampleSum())
	}
	res := fams[NameAssessments].Metric
	if len(res) != 1 || labelsOf(res[0])["result"] != "ok" || res[0].GetCounter().GetValue() != 1 {
		t.Errorf("assessments by result %v", res)
	}
}

func TestMetricsReplaceAnEndpointsSeriesOnANewReport(t *testing.T) {
	m := New(nil)
	m.Record(testReport("A", time.Now().Add(90*24*time.Hour)), 0, 0)
	m.Record(testReport("B", time.Now().Add(90*24*time.Hour)), 0, 0)
	fams := scrape(t, m)
	gi := fams[NameGradeInfo].Metric
	if len(gi) != 1 || labelsOf(gi[0])["grade"] != "B" {
		t.Fatalf("after a new grade the old letter's series stays: %v", gi)
	}
	if c := fams[NameAssessments].Metric[0].GetCounter().GetValue(); c != 2 {
		t.Errorf("assessments %v, want 2", c)
	}

	failed := report.New(report.Tool{}, &obs.Observation{Status: obs.StatusConnectionRefused,
		Target: obs.Target{Host: "www.example.test", IP: "127.0.0.1", Port: 8443}}, nil, nil)
	m.Record(failed, 0, 0)
	fams = scrape(t, m)
	if fams[NameGradeInfo] != nil {
		t.Errorf("a failed scan keeps the grade series")
	}
	if v := fams[NameScanSuccess].Metric[0].GetGauge().GetValue(); v != 0 {
		t.Errorf("scan success after a refused connection: %v", v)
	}
	m.Forget("www.example.test")
	if fams = scrape(t, m); fams[NameScanSuccess] != nil {
		t.Errorf("a forgotten host keeps its series")
	}
}
