package report_test

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/report"
)

// TestCatalogueText: `tlsaudit checks` lists every registered check once,
// sorted by ID, with its references, within 100 columns.
func TestCatalogueText(t *testing.T) {
	metas := all.Registry().Catalogue()
	var b bytes.Buffer
	if err := report.WriteCatalogue(&b, metas, false, report.Style{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	var ids []string
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if n := utf8.RuneCountInString(l); n > 100 {
			t.Errorf("line %d has %d columns: %q", i+1, n, l)
		}
		if i >= 2 && !strings.HasPrefix(l, " ") {
			ids = append(ids, strings.Fields(l)[0])
		}
	}
	if len(ids) != len(metas) || !sort.StringsAreSorted(ids) {
		t.Errorf("listed %d IDs (sorted: %v), the registry has %d", len(ids), sort.StringsAreSorted(ids), len(metas))
	}
	for _, m := range metas {
		for _, r := range m.Refs {
			id := strings.TrimPrefix(r.ID, "https://")
			if !strings.Contains(out, id) {
				t.Errorf("%s: reference %q not listed", m.ID, r.ID)
			}
		}
	}
	b.Reset()
	if err := report.WriteCatalogue(&b, metas, true, report.Style{}); err != nil {
		t.Fatal(err)
	}
	var back []checks.Meta
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back) != len(metas) {
		t.Fatalf("JSON catalogue: %d entries, %v", len(back), err)
	}
	if back[0].Refs == nil && metas[0].Refs != nil {
		t.Errorf("JSON catalogue lost the references of %s", metas[0].ID)
	}
}
