package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/checks/mozilla"
)

func TestMozillaSection(t *testing.T) {
	o := checktest.Observation(t, "modern")
	s, err := mozilla.Summarize(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remediate("nginx", "modern"); err != nil {
		t.Fatal(err)
	}
	r := New(Tool{Name: "tlsaudit"}, o, nil, nil)
	r.Mozilla = s
	var b bytes.Buffer
	if err := renderText(&b, r, Style{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"  Mozilla      intermediate (6.0) — not modern: 4 deviations\n",
		"  Deviations   protocols TLSv1.2 must be disabled (allowed: TLSv1.3)\n",
		"\nRemediation (nginx, Mozilla modern 6.0)\n",
		"  ssl_protocols TLSv1.3;\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"mozilla":{"meets":"intermediate","meets_version":"6.0","results":[{"profile":"modern"`,
		`"remediation":{"server":"nginx","profile":"modern","snippet":"# Mozilla modern`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("JSON lacks %s:\n%s", want, js)
		}
	}
	root := loadSchema(t)
	if errs := root.validate(decodeAny(t, js), ""); len(errs) > 0 {
		t.Errorf("the report with a mozilla section does not match the schema: %q", errs)
	}
}
