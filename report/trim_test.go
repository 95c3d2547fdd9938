package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
)

// TestTrimKeepsTheReportAndCountsWhatItLeavesOut: the selected findings
// stay in order, the others are counted by status, the compact record has
// no DER, no observation target and no certificate analysis, and the
// original report is unchanged.
func TestTrimKeepsTheReportAndCountsWhatItLeavesOut(t *testing.T) {
	r := loadReport(t, "legacy")
	before, _ := json.Marshal(r)
	counts := map[checks.Status]int{}
	for _, f := range r.Findings {
		counts[f.Status]++
	}
	tr := Trim(r, TrimOptions{Findings: FindingsFail, Compact: true})
	if after, _ := json.Marshal(r); string(after) != string(before) {
		t.Fatal("Trim changed the report it was given")
	}
	if len(tr.Findings) != counts[checks.StatusFail] || len(tr.Findings) == 0 {
		t.Errorf("%d findings kept, want the %d failed", len(tr.Findings), counts[checks.StatusFail])
	}
	for st, n := range counts {
		if st != checks.StatusFail && tr.FindingsOmitted[st] != n {
			t.Errorf("omitted %s: %d, want %d", st, tr.FindingsOmitted[st], n)
		}
	}
	b, _ := json.Marshal(tr)
	if strings.Contains(string(b), `"der"`) || tr.Certificates != nil || tr.Observation.Target.Host != "" {
		t.Error("the compact record keeps DER, the certificate analysis or the observation's target")
	}
	for _, e := range loadSchema(t).validate(decodeAny(t, b), "compact") {
		t.Error(e)
	}
	nonpass := Trim(r, TrimOptions{Findings: FindingsNonPass})
	for _, f := range nonpass.Findings {
		if f.Status == checks.StatusPass || f.Status == checks.StatusNotApplicable {
			t.Errorf("nonpass kept a %s finding", f.Status)
		}
	}
	if Trim(r, TrimOptions{Findings: FindingsAll}) != r {
		t.Error("trimming nothing copied the report")
	}
}

// TestSARIFFingerprintIsStable: the fingerprint names the check, the
// endpoint and the subject, not the detail text (days left, counts).
func TestSARIFFingerprintIsStable(t *testing.T) {
	a := sarifFingerprint("cert.expiring", "tls://a.test:443", "CN=a.test")
	if b := sarifFingerprint("cert.expiring", "tls://a.test:443", "CN=a.test"); b[sarifFingerprintKey] != a[sarifFingerprintKey] {
		t.Error("same finding, different fingerprints")
	}
	for _, other := range []map[string]string{
		sarifFingerprint("cert.expired", "tls://a.test:443", "CN=a.test"),
		sarifFingerprint("cert.expiring", "tls://b.test:443", "CN=a.test"),
		sarifFingerprint("cert.expiring", "tls://a.test:443", "CN=b.test"),
	} {
		if other[sarifFingerprintKey] == a[sarifFingerprintKey] {
			t.Error("different findings share a fingerprint")
		}
	}
}
