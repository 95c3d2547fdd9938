package report

import (
	"bytes"
	"io"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
)

// WriteCatalogue writes the checks catalogue (`tlsaudit checks`): a table of
// ID, severity, category, title and references, or with asJSON an indented
// JSON array of the checks' metadata.
func WriteCatalogue(w io.Writer, metas []checks.Meta, asJSON bool, st Style) error {
	if asJSON {
		if metas == nil {
			metas = []checks.Meta{}
		}
		b, err := marshal(metas, "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	var rows [][]string
	for _, m := range metas {
		var refs []string
		for _, r := range m.Refs {
			refs = append(refs, r.ID)
		}
		rows = append(rows, []string{m.ID, st.severity(m.Severity), m.Category, m.Title, strings.Join(refs, ", ")})
	}
	var b bytes.Buffer
	t := &textRenderer{b: &b, st: st}
	t.table([]string{"ID", "Severity", "Category", "Title", "References"}, rows)
	if t.err != nil {
		return t.err
	}
	_, err := w.Write(b.Bytes())
	return err
}
