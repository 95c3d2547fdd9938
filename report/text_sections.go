package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
)

// Text sections in the SSL Labs order: the summary's score bars and what to
// fix for the next grade, then vulnerabilities and HTTP.

// barWidth is the number of cells of a text score bar.
const barWidth = 20

// scores writes the sub-score bars and the caps holding the grade.
func (t *textRenderer) scores() {
	g := t.r.Grade
	subs := SubScores(g)
	if len(subs) == 0 {
		return
	}
	for i, s := range subs {
		t.field(label(i, "Scores"), fmt.Sprintf("%-16s %s %3d", s.Name, t.bar(s.Score), s.Score))
	}
	t.toImprove(g)
}

// toImprove names what holds the grade. Caps and warnings already listed
// above (Capped by, Warnings) are named by check ID only, not repeated.
func (t *textRenderer) toImprove(g *grade.Grade) {
	listed := map[grade.Cap]bool{}
	for _, c := range g.Caps {
		listed[c] = true
	}
	for _, c := range g.Warnings {
		listed[c] = true
	}
	var ids, lines []string
	for _, c := range g.NextFixes() {
		if listed[c] && c.CheckID != "" {
			ids = append(ids, c.CheckID)
			continue
		}
		line := oneLine(c.Reason)
		if c.CheckID != "" {
			line += " [" + c.CheckID + "]"
		}
		lines = append(lines, line)
	}
	if len(ids) > 0 {
		lines = append([]string{"fix " + strings.Join(ids, ", ") + " (above)"}, lines...)
	}
	for i, l := range lines {
		t.field(label(i, "To improve"), l)
	}
}

// bar colours a score bar like a grade: green from 80, yellow from 50, red below.
func (t *textRenderer) bar(score int) string {
	b := scoreBar(score, barWidth)
	switch {
	case score >= 80:
		return t.st.paint(sgrGreen, b)
	case score >= 50:
		return t.st.paint(sgrYellow, b)
	}
	return t.st.paint(sgrRed, b)
}

// verdict colours a vulnerability verdict.
func (t *textRenderer) verdict(f checks.Finding, failWord string) string {
	v := Verdict(f, failWord)
	switch f.Status {
	case checks.StatusFail, checks.StatusError:
		return t.st.paint(sgrRed, v)
	case checks.StatusPass:
		return t.st.paint(sgrGreen, v)
	case checks.StatusInconclusive:
		return t.st.paint(sgrYellow, v)
	}
	return v
}

// vulnerabilities writes the vuln.* findings (with the attack-named
// findings of other sections), each named by what was tested with its
// state, and with --verbose the raw probe results.
func (t *textRenderer) vulnerabilities() {
	fs := vulnFindings(t.r)
	probes := probeRows(t.r)
	if !t.st.Verbose {
		probes = nil // the raw probe results: --verbose
	}
	if len(fs) == 0 && len(probes) == 0 {
		return
	}
	t.section("Vulnerabilities")
	fs = t.collapseNotAssessed(fs)
	if len(fs) > 0 {
		var rows [][]string
		for _, f := range fs {
			detail := ""
			// The attack-named rows of other sections (SWEET32, RC4...)
			// repeat the suites listed above: their detail is --verbose.
			own := strings.HasPrefix(f.CheckID, "vuln.")
			if t.st.Verbose || own && (f.Status == checks.StatusFail || f.Status == checks.StatusInconclusive || f.Status == checks.StatusError) {
				detail = findingText(f)
			}
			rows = append(rows, []string{vulnName(f), t.vulnState(f, "VULNERABLE"), detail})
		}
		t.tableFit([]string{"Tested", "State", "Detail"}, rows, 2)
	}
	if len(probes) > 0 {
		t.b.WriteString("\n")
		var rows [][]string
		for _, p := range probes {
			ev := evidenceText(p.Fields)
			if p.Reason != "" {
				ev = strings.TrimSuffix(oneLine(p.Reason)+"\n"+ev, "\n")
			}
			rows = append(rows, []string{p.Probe, readableStatus(p.Attempt), ev})
		}
		t.tableFit([]string{"Probe", "Attempt", "Observed"}, rows, 2)
	}
}

// collapseNotAssessed writes one line for the not-applicable findings of
// a section that share their detail (a quick scan gives every vuln and
// HTTP check the same "not assessed" reason) and returns the others; the
// JSON and the other formats keep every finding.
func (t *textRenderer) collapseNotAssessed(fs []checks.Finding) []checks.Finding {
	by := map[string][]string{}
	for _, f := range fs {
		if f.Status == checks.StatusNotApplicable && f.Detail != "" {
			by[f.Detail] = append(by[f.Detail], f.CheckID)
		}
	}
	var keep []checks.Finding
	var notes []string
	for _, f := range fs {
		ids := by[f.Detail]
		if f.Status != checks.StatusNotApplicable || len(ids) < collapseMin {
			keep = append(keep, f)
			continue
		}
		if ids[0] == f.CheckID {
			notes = append(notes, fmt.Sprintf("%d checks n/a: %s", len(ids), oneLine(f.Detail)))
		}
	}
	for _, n := range notes {
		t.b.WriteString("  " + strings.Join(wrapKeep(n, t.st.columns()-4), "\n    ") + "\n")
	}
	if len(notes) > 0 && len(keep) > 0 {
		t.b.WriteString("\n")
	}
	return keep
}

// collapseMin is how many not-applicable findings with one detail are
// written as one line.
const collapseMin = 4

// httpVerboseFields are the members of the HTTP result the text report
// shows only with --verbose: how the request was made, not what came back.
var httpVerboseFields = map[string]bool{
	"attempt.connections": true, "tls_client": true, "tls_version": true, "suite": true,
	"alpn_offered": true, "header_bytes": true, "body_bytes": true,
}

// httpSection writes the http.* findings and the HTTP response seen.
func (t *textRenderer) httpSection() {
	fs := findingsIn(t.r, "http")
	h := httpOf(t.r)
	if len(fs) == 0 && h == nil {
		return
	}
	t.section("HTTP")
	if h != nil {
		var rows [][]string
		for _, f := range h.Request {
			if httpVerboseFields[f.Name] && !t.st.Verbose {
				continue
			}
			rows = append(rows, []string{readableLabel(f.Name), readableValue(f.Value)})
		}
		for _, f := range h.Plain {
			rows = append(rows, []string{plainLabel(f.Name), readableValue(f.Value)})
		}
		t.tableFit([]string{"Response", "Value"}, rows, 1)
		if len(h.Headers) > 0 && t.st.Verbose {
			rows = nil
			for _, f := range h.Headers {
				rows = append(rows, []string{f.Name, f.Value})
			}
			t.b.WriteString("\n")
			t.tableFit([]string{"Header", "Value"}, rows, 1)
		}
		if len(h.Cookies) > 0 {
			rows = nil
			for _, f := range h.Cookies {
				rows = append(rows, []string{f.Name, f.Value})
			}
			t.b.WriteString("\n")
			t.table([]string{"Cookie", "Attributes"}, rows)
		}
		if len(fs) > 0 {
			t.b.WriteString("\n")
		}
	}
	if fs = t.collapseNotAssessed(fs); len(fs) > 0 {
		var rows [][]string
		for _, f := range fs {
			// The evidence of a passing or not applicable check is
			// --verbose, as in the Vulnerabilities table.
			detail := ""
			if t.st.Verbose || f.Status == checks.StatusFail || f.Status == checks.StatusInconclusive || f.Status == checks.StatusError {
				detail = findingText(f)
			}
			// Rows are named by what was tested and say its state, as in
			// the Vulnerabilities table (the check titles name the problem).
			rows = append(rows, []string{vulnName(f), t.vulnState(f, "problem"), t.st.severity(f.Severity), detail})
		}
		if !slices.ContainsFunc(rows, func(r []string) bool { return r[3] != "" }) {
			for i := range rows {
				rows[i] = rows[i][:3]
			}
			t.table([]string{"Check", "Result", "Severity"}, rows)
			return
		}
		t.tableFit([]string{"Check", "Result", "Severity", "Detail"}, rows, 0, 3)
	}
}
