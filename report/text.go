package report

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/report/termsafe"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// textWriter renders each report as it arrives, separated by a blank line.
type textWriter struct {
	w     io.Writer
	style Style
	n     int
}

func (t *textWriter) Write(r *Report) error {
	var b bytes.Buffer
	if t.n > 0 {
		b.WriteByte('\n')
	}
	t.n++
	if err := renderText(&b, termsafe.Clone(r), t.style); err != nil {
		return err
	}
	_, err := t.w.Write(b.Bytes())
	return err
}

func (t *textWriter) Close() error { return nil }

// textRenderer accumulates the text of one report.
type textRenderer struct {
	b   *bytes.Buffer
	st  Style
	r   *Report
	o   *obs.Observation
	err error
	// inSummary: fields are wrapped to fit 80 columns (the summary at the
	// top); later sections keep a field's value on one line.
	inSummary bool
}

func renderText(b *bytes.Buffer, r *Report, st Style) error {
	t := &textRenderer{b: b, st: st, r: r, o: r.Observation, inSummary: true}
	t.summary()
	t.mozilla() // text_mozilla.go
	t.inSummary = false
	if t.o != nil && t.o.Status == obs.StatusOK {
		t.protocols()
		t.suites()
		t.clientSimulations() // text_clients.go
		t.groups()
		t.dhParams()
		t.sigAlgs()
		t.certificates() // text_cert.go; falls back to t.chains()
		t.vulnerabilities()
		t.httpSection()
		t.findings()
	}
	t.probeErrors()
	return t.err
}

// section starts a titled section.
func (t *textRenderer) section(title string) {
	t.b.WriteString("\n" + t.st.bold(title) + "\n")
}

// field writes one "Label   value" line of the summary; an empty label
// continues the previous field. In the summary a long plain value is
// wrapped at summaryWidth under its first line, so it fits 80 columns.
func (t *textRenderer) field(label, value string) {
	t.fieldHang(label, value, 0)
}

// fieldHang is field with the wrapped lines indented hang more columns
// (under the reason of a "B  reason" cap line).
func (t *textRenderer) fieldHang(label, value string, hang int) {
	if t.inSummary && !strings.ContainsAny(value, "\x1b\n") {
		value = strings.Join(wrapKeep(value, summaryWidth-hang), "\n"+strings.Repeat(" ", summaryIndent+hang))
	}
	fmt.Fprintf(t.b, "  %-12s %s\n", label, value)
}

// summaryIndent is the width of a summary label column ("  Label        ");
// summaryWidth the width of the value after it on an 80-column terminal.
const (
	summaryIndent = 15
	summaryWidth  = 80 - summaryIndent - 1
)

// table renders a borderless table with a header line.
func (t *textRenderer) table(header []string, rows [][]string) {
	if t.err != nil {
		return
	}
	tb := tablewriter.NewTable(t.b,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleASCII),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.On},
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
	)
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = h
	}
	tb.Header(hdr...)
	if err := tb.Bulk(rows); err != nil {
		t.err = fmt.Errorf("report: table: %w", err)
		return
	}
	if err := tb.Render(); err != nil {
		t.err = fmt.Errorf("report: table: %w", err)
	}
}

func (t *textRenderer) summary() {
	r, o := t.r, t.o
	t.b.WriteString(t.st.bold("Target "+r.TargetName()) + "\n")
	addr := hostPort(r.Target.Host, r.Target.Port)
	if r.Target.IP != "" && r.Target.IP != r.Target.Host {
		addr += " (" + r.Target.IP + ")"
	}
	var extra []string
	if r.Target.SNI != "" {
		extra = append(extra, "SNI "+r.Target.SNI)
	}
	if r.Target.StartTLS != "" {
		extra = append(extra, "STARTTLS "+r.Target.StartTLS)
	}
	if len(extra) > 0 {
		addr += ", " + strings.Join(extra, ", ")
	}
	if r.Target.Host != "" {
		t.field("Address", addr)
	}
	status := string(r.Status)
	if r.Status == obs.StatusOK {
		status = t.st.paint(sgrGreen, status)
	} else {
		status = t.st.paint(sgrRed, status)
	}
	if o != nil && (o.ElapsedMS > 0 || o.Connections > 0) {
		status += fmt.Sprintf(" (%d ms, %s)", o.ElapsedMS, plural(o.Connections, "connection"))
	}
	t.field("Status", status)
	if r.Error != "" {
		t.field("Error", oneLine(r.Error))
	}
	if g := r.Grade; g != nil && g.Letter == "" {
		t.field("Grade", "none: "+strings.TrimPrefix(oneLine(g.Error), "not graded: "))
	} else if g != nil {
		// The sub-scores follow as bars (Scores).
		line := t.st.bold(t.st.grade(g.Letter)) + fmt.Sprintf("  score %d", g.Score)
		if g.RuleSet != "" {
			line += ", rules " + g.RuleSet
		}
		t.field("Grade", line)
		if g.TrustIgnored != "" && g.TrustIgnored != g.Letter {
			t.field("", g.TrustIgnored+" if trust problems are ignored")
		}
		for i, c := range g.Caps {
			t.fieldHang(label(i, "Capped by"), capLine(c.Grade, c.Reason, c.CheckID), len(c.Grade)+2)
		}
		for i, c := range g.Warnings {
			t.fieldHang(label(i, "Warnings"), capLine(c.Grade, c.Reason, c.CheckID), len(c.Grade)+2)
		}
		for i, n := range g.NotAssessed {
			t.fieldHang(label(i, "Not assessed"), oneLine(n), 2)
		}
		t.scores()
	}
	t.failedSummary()
	if o != nil && o.Handshake != nil {
		t.handshake(o.Handshake)
	}
}

// failedSummary counts the failed checks by severity at the top, so a
// report without a grade (a quick scan) still says at once what is wrong.
func (t *textRenderer) failedSummary() {
	groups := failedBySeverity(t.r)
	if len(groups) == 0 {
		return
	}
	var parts, ids []string
	n := 0
	for _, g := range groups {
		parts = append(parts, fmt.Sprintf("%d %s", len(g.Findings), g.Severity))
		n += len(g.Findings)
		if g.Severity == checks.SeverityCritical || g.Severity == checks.SeverityHigh {
			for _, f := range g.Findings {
				if !slices.Contains(ids, f.CheckID) {
					ids = append(ids, f.CheckID)
				}
			}
		}
	}
	line := plural(n, "failed check") + ": " + strings.Join(parts, ", ")
	if len(ids) > 0 {
		line += " (" + strings.Join(ids, ", ") + ")"
	}
	t.field("Failed", line+", see Findings")
}

// label returns name for the first line of a list and "" after.
func label(i int, name string) string {
	if i == 0 {
		return name
	}
	return ""
}

func capLine(grade, reason, checkID string) string {
	s := grade + "  " + reason
	if checkID != "" {
		s += " [" + checkID + "]"
	}
	return s
}

func (t *textRenderer) handshake(h *obs.Handshake) {
	parts := []string{h.Protocol, h.Suite}
	if h.Group != "" {
		parts = append(parts, h.Group)
	}
	if h.ALPN != "" {
		parts = append(parts, "ALPN "+oneLine(h.ALPN))
	}
	t.field("Handshake", strings.Join(parts, ", "))
	var flags []string
	addFlag := func(name string, v *bool) {
		if v != nil {
			flags = append(flags, name+" "+yesNo(*v))
		}
	}
	addFlag("secure renegotiation", h.SecureRenegotiation)
	addFlag("extended master secret", h.ExtendedMasterSecret)
	addFlag("session ticket", h.SessionTicket)
	if h.Compression != nil {
		c := "none"
		if *h.Compression != 0 {
			c = "DEFLATE"
			if *h.Compression != 1 {
				c = strconv.Itoa(int(*h.Compression))
			}
		}
		flags = append(flags, "compression "+c)
	}
	if len(flags) > 0 {
		t.field("", strings.Join(flags, ", "))
	}
	if len(h.Extensions) > 0 {
		t.field("Extensions", strings.Join(h.Extensions, ", "))
	}
}

func (t *textRenderer) protocols() {
	if len(t.o.Protocols) == 0 {
		return
	}
	t.section("Protocols")
	var rows [][]string
	for _, p := range t.o.Protocols {
		offered := "no"
		if p.Supported {
			offered = t.protocolYes(p.Name)
		}
		if p.Error != "" {
			offered = "?"
		}
		rows = append(rows, []string{p.Name, offered, orderText(p.ServerOrder, p.Supported), oneLine(p.Error)})
	}
	t.table([]string{"Protocol", "Offered", "Suite order", "Note"}, rows)
}

// protocolYes colours "yes" by how desirable the protocol is.
func (t *textRenderer) protocolYes(name string) string {
	switch name {
	case "TLSv1.3", "TLSv1.2":
		return t.st.paint(sgrGreen, "yes")
	case "TLSv1.0", "TLSv1.1":
		return t.st.paint(sgrYellow, "yes")
	default:
		return t.st.paint(sgrRed, "yes")
	}
}

func orderText(serverOrder *bool, applies bool) string {
	switch {
	case !applies:
		return ""
	case serverOrder == nil:
		return "-"
	case *serverOrder:
		return "server"
	default:
		return "client"
	}
}

func (t *textRenderer) suites() {
	for _, p := range t.o.Protocols {
		if !p.Supported || len(p.Suites) == 0 {
			continue
		}
		title := "Cipher suites " + p.Name
		switch o := orderText(p.ServerOrder, true); o {
		case "server":
			title += " (server order)"
		case "client":
			title += " (client order: server follows the client)"
		}
		t.section(title)
		var rows [][]string
		for i, s := range p.Suites {
			id := fmt.Sprintf("0x%04x", s.ID)
			if p.Name == "SSLv2" && s.ID24 != 0 {
				id = fmt.Sprintf("0x%06x", s.ID24)
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), s.Name, id, kxText(s.KeyExchange), t.st.strength(SuiteStrength(p.Name, s))})
		}
		t.table([]string{"#", "Suite", "ID", "Key exchange", "Strength"}, rows)
	}
}

func kxText(kx *obs.KeyExchange) string {
	if kx == nil {
		return ""
	}
	parts := []string{kx.Kind}
	if kx.Group != "" {
		parts = append(parts, kx.Group)
	}
	if kx.Bits > 0 {
		parts = append(parts, strconv.Itoa(kx.Bits)+" bits")
	}
	return strings.Join(parts, " ")
}

func (t *textRenderer) groups() {
	g := t.o.Groups
	if g == nil || len(g.TLS12)+len(g.TLS13) == 0 {
		return
	}
	t.section("Groups")
	hrr := map[uint16]bool{}
	for _, h := range g.TLS13HRR {
		hrr[h.ID] = true
	}
	var rows [][]string
	add := func(family string, list []obs.Group, order *bool, hrrNote bool) {
		for i, gr := range list {
			var notes []string
			if gr.PostQuantum {
				notes = append(notes, t.st.paint(sgrGreen, "post-quantum"))
			}
			if hrrNote && hrr[gr.ID] {
				notes = append(notes, "via HelloRetryRequest")
			}
			bits := ""
			if gr.Bits > 0 {
				bits = strconv.Itoa(gr.Bits)
			}
			ord := ""
			if i == 0 {
				ord = orderText(order, true)
			}
			rows = append(rows, []string{family, gr.Name, fmt.Sprintf("0x%04x", gr.ID), bits, ord, strings.Join(notes, ", ")})
		}
	}
	add("TLS 1.2", g.TLS12, g.TLS12ServerOrder, false)
	add("TLS 1.3", g.TLS13, g.TLS13ServerOrder, true)
	t.table([]string{"Protocols", "Group", "ID", "Bits", "Order", "Notes"}, rows)
}

func (t *textRenderer) dhParams() {
	if len(t.o.DH) == 0 {
		return
	}
	t.section("DH parameters")
	var rows [][]string
	for _, d := range t.o.DH {
		bits := strconv.Itoa(d.Bits)
		switch {
		case d.Bits < 1024:
			bits = t.st.paint(sgrRed, bits)
		case d.Bits < 2048:
			bits = t.st.paint(sgrYellow, bits)
		}
		known := d.Known
		if known == "" {
			known = "-"
		}
		rows = append(rows, []string{bits, known, d.Source, strings.Join(d.SeenWith, ", ")})
	}
	t.table([]string{"Bits", "Known prime", "Source", "Seen with"}, rows)
}

func (t *textRenderer) sigAlgs() {
	s := t.o.SignatureAlgorithms
	if s == nil || len(s.TLS12)+len(s.TLS13) == 0 && s.Error == "" {
		return
	}
	t.section("Signature algorithms")
	var rows [][]string
	for _, fam := range []struct {
		name string
		list []obs.SigAlg
	}{{"TLS 1.2", s.TLS12}, {"TLS 1.3", s.TLS13}} {
		for _, a := range fam.list {
			rows = append(rows, []string{fam.name, a.Name, fmt.Sprintf("0x%04x", a.ID)})
		}
	}
	if len(rows) > 0 {
		t.table([]string{"Protocols", "Algorithm", "ID"}, rows)
	}
	if s.Error != "" {
		t.b.WriteString("  note: " + oneLine(s.Error) + "\n")
	}
}

func (t *textRenderer) chains() {
	for i, ch := range t.o.Chains {
		title := fmt.Sprintf("Certificate chain %d (%s, %s key", i+1, ch.Protocol, ch.KeyType)
		if len(ch.OCSPStaple) > 0 {
			title += ", OCSP stapled"
		}
		if len(ch.SCTs) > 0 {
			title += ", " + plural(len(ch.SCTs), "SCT")
		}
		t.section(title + ")")
		var rows [][]string
		for j, c := range ch.Certificates {
			rows = append(rows, []string{strconv.Itoa(j), certName(c.Subject, c), certName(c.Issuer, c), keyText(c), c.SigAlg, t.expiry(c)})
		}
		t.table([]string{"#", "Subject", "Issuer", "Key", "Signature", "Expires"}, rows)
	}
}

func certName(name string, c obs.Certificate) string {
	if c.ParseError != "" && name == "" {
		return "(unparsable: " + oneLine(c.ParseError) + ")"
	}
	return oneLine(name)
}

func keyText(c obs.Certificate) string {
	parts := []string{c.KeyType}
	if c.Curve != "" {
		parts = append(parts, c.Curve)
	} else if c.KeyBits > 0 {
		parts = append(parts, strconv.Itoa(c.KeyBits))
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

// expiry shows NotAfter and the days left at the time of the scan (not the
// time of rendering: the report of a stored observation does not change).
func (t *textRenderer) expiry(c obs.Certificate) string {
	if c.NotAfter.IsZero() {
		return ""
	}
	s := c.NotAfter.UTC().Format("2006-01-02")
	if t.o.Started.IsZero() {
		return s
	}
	days := obs.DaysLeft(c.NotAfter, t.o.Started)
	switch {
	case c.NotAfter.Before(t.o.Started):
		return s + " " + t.st.paint(sgrRed, fmt.Sprintf("(expired %d days before the scan)", -days))
	case !c.NotBefore.IsZero() && c.NotBefore.After(t.o.Started):
		return s + " " + t.st.paint(sgrRed, "(not yet valid)")
	default:
		return s + fmt.Sprintf(" (%d days)", days)
	}
}

func (t *textRenderer) findings() {
	counts := map[checks.Status]int{}
	for _, f := range t.r.Findings {
		counts[f.Status]++
	}
	if len(t.r.Findings) == 0 {
		return
	}
	failed := t.r.Failed()
	t.section(fmt.Sprintf("Findings: %d failed, %d passed, %d inconclusive, %d not applicable, %s",
		counts[checks.StatusFail], counts[checks.StatusPass], counts[checks.StatusInconclusive],
		counts[checks.StatusNotApplicable], plural(counts[checks.StatusError], "error")))
	var rows [][]string
	for _, f := range failed {
		rows = append(rows, []string{t.st.severity(f.Severity), f.CheckID, oneLine(f.Subject), findingText(f)})
	}
	for _, f := range t.r.Findings {
		if f.Status == checks.StatusError {
			rows = append(rows, []string{t.st.paint(sgrRed, "error"), f.CheckID, oneLine(f.Subject), findingText(f)})
		}
	}
	if len(rows) > 0 {
		t.tableFit([]string{"Severity", "Check", "Subject", "Detail"}, rows, 2, 3)
	}
}

// findingText is the evidence of a finding, or its title when it has none,
// on one line (tableFit wraps it to the room left).
func findingText(f checks.Finding) string {
	if f.Detail == "" {
		return oneLine(f.Title)
	}
	return shorten(oneLine(f.Detail), maxDetail)
}

// maxDetail is the length a finding's detail is cut at in text output (a
// zlint finding can list dozens of lints); JSON keeps it whole.
const maxDetail = 320

// shorten cuts s after at most n bytes at a "; " or a space, saying how
// much is left out.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndex(s[:n], "; ")
	if cut < n/2 {
		cut = strings.LastIndexByte(s[:n], ' ')
	}
	if cut <= 0 {
		cut = n
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	rest := strings.Count(s[cut:], "; ")
	if rest > 0 {
		return s[:cut] + fmt.Sprintf("; … %d more (see --json)", rest)
	}
	return s[:cut] + " … (see --json)"
}

// textWidth is the width tableFit fits a table to; minFlexWidth the least
// a wrapped column gets however wide the others are.
const (
	textWidth    = 100
	minFlexWidth = 24
)

// ansiSeq matches the colour sequences of a styled cell.
var ansiSeq = regexp.MustCompile("\x1b\\[[0-9;]*m")

// cellWidth is the widest line of a cell as displayed.
func cellWidth(s string) int {
	w := 0
	for _, l := range strings.Split(ansiSeq.ReplaceAllString(s, ""), "\n") {
		w = max(w, utf8.RuneCountInString(l))
	}
	return w
}

// tableFit renders a table whose flex columns (text whose paragraphs are
// separated by newlines) are wrapped so that the table fits textWidth
// columns: with two flex columns the first (a title) gets at most two
// fifths of the room, the last (a detail) the rest.
func (t *textRenderer) tableFit(header []string, rows [][]string, flex ...int) {
	isFlex := map[int]bool{}
	for _, c := range flex {
		isFlex[c] = true
	}
	natural := make([]int, len(header))
	for c, h := range header {
		natural[c] = cellWidth(h)
		for _, r := range rows {
			natural[c] = max(natural[c], cellWidth(r[c]))
		}
	}
	avail := textWidth
	for c := range header {
		avail -= 2 // a space each side
		if !isFlex[c] {
			avail -= natural[c]
		}
	}
	for i, c := range flex {
		w := max(avail, minFlexWidth)
		if i < len(flex)-1 {
			w = min(natural[c], max(avail*2/5, minFlexWidth))
		}
		used := cellWidth(header[c])
		for _, r := range rows {
			paras := strings.Split(r[c], "\n")
			for j, p := range paras {
				paras[j] = wrap(p, w)
			}
			r[c] = strings.Join(paras, "\n")
			used = max(used, cellWidth(r[c]))
		}
		// A word longer than w (a URL, a name) widens the column: the
		// next flex column gets what is left.
		avail -= used
	}
	t.table(header, rows)
}

// wrap breaks s into lines of at most width bytes at spaces (a longer word
// stays whole).
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		switch {
		case i == 0:
		case n+1+len(w) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// wrapKeep breaks s at the last space before width characters (runes, so
// score bars count as drawn), keeping runs of spaces that align columns.
// A word longer than width stays whole.
func wrapKeep(s string, width int) []string {
	var lines []string
	for utf8.RuneCountInString(s) > width {
		cut, n := -1, 0
		for i, r := range s {
			if n > width {
				break
			}
			if r == ' ' {
				cut = i
			}
			n++
		}
		if cut <= 0 {
			cut = strings.IndexByte(s, ' ')
			if cut < 0 {
				break
			}
		}
		lines = append(lines, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
	}
	return append(lines, s)
}

func (t *textRenderer) probeErrors() {
	if t.o == nil || len(t.o.Errors) == 0 {
		return
	}
	t.section("Probe errors")
	var rows [][]string
	for _, e := range t.o.Errors {
		rows = append(rows, []string{e.Probe, oneLine(e.Error)})
	}
	t.table([]string{"Probe", "Error"}, rows)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// oneLine makes server-controlled text safe for one table cell or line
// (see package termsafe).
func oneLine(s string) string { return termsafe.String(s) }
