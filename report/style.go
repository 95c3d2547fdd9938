package report

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/checks/strength"
)

// ANSI SGR codes used by the text report.
const (
	sgrBold   = "1"
	sgrRed    = "31"
	sgrGreen  = "32"
	sgrYellow = "33"
	sgrCyan   = "36"
)

// paint wraps s in an ANSI colour when the style has colour on.
func (st Style) paint(code, s string) string {
	if !st.Color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (st Style) bold(s string) string { return st.paint(sgrBold, s) }

// grade colours a grade letter: A green, B and C yellow, worse red.
func (st Style) grade(letter grade.Letter) string {
	s := string(letter)
	switch {
	case strings.HasPrefix(s, "A"):
		return st.paint(sgrGreen, s)
	case strings.HasPrefix(s, "B"), strings.HasPrefix(s, "C"):
		return st.paint(sgrYellow, s)
	default:
		return st.paint(sgrRed, s)
	}
}

// severity colours a severity name.
func (st Style) severity(s checks.Severity) string {
	switch s {
	case checks.SeverityCritical, checks.SeverityHigh:
		return st.paint(sgrRed, string(s))
	case checks.SeverityMedium:
		return st.paint(sgrYellow, string(s))
	default:
		return st.paint(sgrCyan, string(s))
	}
}

// strength colours a strength marker.
func (st Style) strength(s strength.Level) string {
	switch s {
	case strength.Secure:
		return st.paint(sgrGreen, string(s))
	case strength.Weak:
		return st.paint(sgrYellow, string(s))
	case strength.Insecure:
		return st.paint(sgrRed, string(s))
	}
	return string(s)
}
