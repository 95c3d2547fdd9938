package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// FuzzReadReports: `tlsaudit diff` reads files it did not write; any input
// gives reports or an error, never a panic, and comparing what was read
// with itself finds no change.
func FuzzReadReports(f *testing.F) {
	for _, name := range []string{"modern", "legacy", "refused"} {
		b, _ := marshal([]*Report{loadReport(f, name)}, "")
		f.Add(b)
	}
	f.Add([]byte(`{"schema_version":"1.0","status":"ok"}`))
	f.Add([]byte(`[{"schema_version":"1.0","status":"ok","observation":{"protocols":[{"name":"SSLv3","supported":true,"suites":[{"id":5}]}]}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ReadReports(bytes.NewReader(data))
		if err != nil {
			return
		}
		d := Compare(rs, rs, DiffOptions{})
		var b bytes.Buffer
		if err := d.WriteText(&b, Style{}); err != nil {
			t.Fatal(err)
		}
		for _, td := range d.Targets {
			for _, c := range td.Changes {
				if c.Regression {
					t.Fatalf("reports compared with themselves regress: %+v", c)
				}
			}
		}
	})
}

// FuzzRender: a report built from arbitrary observation JSON (what a hostile
// server can put in strings, lists and probe results) renders in every
// format without a panic, and the HTML never carries raw markup from it.
func FuzzRender(f *testing.F) {
	for _, name := range []string{"modern", "legacy"} {
		b, _ := json.Marshal(loadReport(f, name).Observation)
		f.Add(b, "<script>x</script>")
	}
	f.Fuzz(func(t *testing.T, data []byte, s string) {
		var o obs.Observation
		if json.Unmarshal(data, &o) != nil {
			return
		}
		fs := []checks.Finding{{CheckID: "vuln.x", Title: s, Category: "vuln", Status: checks.StatusFail, Severity: "high", Subject: s, Detail: s},
			{CheckID: "http.y", Title: s, Category: "http", Status: checks.Status(s), Severity: checks.Severity(s), Refs: []checks.Ref{{Kind: "url", ID: s}}}}
		r := New(Tool{Name: "tlsaudit", Version: s}, &o, fs, nil)
		for _, format := range Formats() {
			var b bytes.Buffer
			w, _ := NewWriter(format, &b, Style{Color: true})
			if err := w.Write(r); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if format == "html" && bytes.Count(b.Bytes(), []byte("<script")) != 1 {
				t.Fatalf("html: markup from the input became a script element")
			}
		}
	})
}
