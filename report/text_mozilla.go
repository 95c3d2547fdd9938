package report

import (
	"fmt"
	"strings"
)

// mozilla writes the Mozilla Server Side TLS verdict at the end of the
// summary: the profile met, the deviations from the next stricter one (or
// from the one asked for), and the remediation snippet when one was asked
// for (--remediation).
func (t *textRenderer) mozilla() {
	s := t.r.Mozilla
	if s == nil {
		return
	}
	line := s.Line()
	if s.Meets != "" {
		line = t.st.paint(sgrGreen, line)
	} else {
		line = t.st.paint(sgrYellow, line)
	}
	t.field("Mozilla", line)
	if next, ok := s.Next(); ok {
		// Two chains with the same leaf name give the same line twice:
		// it is shown once, counted.
		var lines []string
		count := map[string]int{}
		for _, d := range next.Deviations {
			d = oneLine(d)
			if count[d] == 0 {
				lines = append(lines, d)
			}
			count[d]++
		}
		for i, d := range lines {
			if count[d] > 1 {
				d += fmt.Sprintf(" (%d times)", count[d])
			}
			t.fieldHang(label(i, "Deviations"), d, 2)
		}
	}
	rem := s.Remediation
	if rem == nil {
		return
	}
	title := "Remediation (" + rem.Server + ", Mozilla " + rem.Profile
	if r, ok := s.Result(rem.Profile); ok {
		title += " " + r.Version
	}
	t.section(title + ")")
	if rem.Snippet == "" {
		t.b.WriteString("  nothing to change: the endpoint meets the " + rem.Profile + " profile\n")
		return
	}
	for _, l := range strings.Split(strings.TrimRight(rem.Snippet, "\n"), "\n") {
		t.b.WriteString(verbatim + "  " + l + "\n") // a configuration line: copied as it is, never wrapped
	}
}
