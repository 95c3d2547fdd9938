package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
)

// catalogueIDWidth is the width of the catalogue's ID column (the longest
// ID has 31 characters).
const catalogueIDWidth = 31

// packItems joins items with ", " into lines of at most width characters,
// never splitting an item (a longer one gets a line of its own).
func packItems(items []string, width int) []string {
	var lines []string
	cur := ""
	for i, it := range items {
		if i < len(items)-1 {
			it += ","
		}
		switch {
		case cur == "":
			cur = it
		case len(cur)+1+len(it) <= width:
			cur += " " + it
		default:
			lines = append(lines, cur)
			cur = it
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// WriteCatalogue writes the checks catalogue (`tlsaudit checks`): a table of
// ID, severity, title and references, or with asJSON an indented
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
	// One entry per check: ID, severity and title on the first line (the
	// category is the ID's prefix), the references indented under it, all
	// within 100 columns; URLs lose their scheme (the JSON keeps it).
	var b bytes.Buffer
	fmt.Fprintf(&b, "%-*s  %-8s  %s\n", catalogueIDWidth, "ID", "Severity", "Title")
	fmt.Fprintf(&b, "%s\n", strings.Repeat("-", 100))
	titleIndent := strings.Repeat(" ", catalogueIDWidth+12)
	for _, m := range metas {
		sev := string(m.Severity)
		title := strings.ReplaceAll(wrap(m.Title, 100-len(titleIndent)), "\n", "\n"+titleIndent)
		fmt.Fprintf(&b, "%-*s  %s%s  %s\n", catalogueIDWidth, m.ID, st.severity(m.Severity),
			strings.Repeat(" ", max(0, 8-len(sev))), title)
		var refs []string
		for _, r := range m.Refs {
			refs = append(refs, strings.TrimPrefix(strings.TrimPrefix(r.ID, "https://"), "http://"))
		}
		for _, l := range packItems(refs, 100-4) {
			b.WriteString("    " + l + "\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}
