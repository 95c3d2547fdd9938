package report

import (
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Formats for CI systems: csv, junit and sarif. Each gives one row / test
// case / result per check and target, from the report's findings as they
// are. A target that could not be scanned has no findings; it gets one
// entry for the scan itself (check ID ScanCheckID, status error).

func init() {
	formats["html"] = func(w io.Writer, _ Style) Writer { return buffered(w, renderHTMLBytes) }
	formats["csv"] = func(w io.Writer, _ Style) Writer { return &csvWriter{w: csv.NewWriter(w)} }
	formats["junit"] = func(w io.Writer, _ Style) Writer { return buffered(w, renderJUnit) }
	formats["sarif"] = func(w io.Writer, st Style) Writer { return buffered(w, renderSARIF(st.Catalogue)) }
}

// ScanCheckID names the entry CI formats give a target whose scan did not
// complete (it has no findings of its own).
const ScanCheckID = "scan.status"

// ciEntries are the findings of r, or for a target that was not scanned one
// error entry carrying the scan status and error.
func ciEntries(r *Report) []checks.Finding {
	if len(r.Findings) > 0 || r.Status == obs.StatusOK {
		return r.Findings
	}
	detail := "scan status " + string(r.Status)
	if r.Error != "" {
		detail += ": " + r.Error
	}
	return []checks.Finding{{CheckID: ScanCheckID, Title: "Target scanned", Category: "scan",
		Status: checks.StatusError, Severity: checks.SeverityHigh, Detail: detail}}
}

// TargetURI names a target as an artifact location: tls://host:port.
func TargetURI(t obs.Target) string {
	host := t.Host
	if host == "" {
		return "tls://" + strings.ReplaceAll(t.Input, " ", "%20")
	}
	return "tls://" + hostPort(host, t.Port)
}

// ---- CSV ----

// csvHeader is the CSV column list.
var csvHeader = []string{"target", "host", "port", "scan_status", "grade", "check_id", "title", "category",
	"severity", "status", "subject", "detail", "refs"}

type csvWriter struct {
	w      *csv.Writer
	header bool
}

func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.w.Write(csvHeader)
}

func (c *csvWriter) Write(r *Report) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	letter := ""
	if r.Grade != nil {
		letter = string(r.Grade.Letter)
	}
	for _, f := range ciEntries(r) {
		var refs []string
		for _, ref := range f.Refs {
			refs = append(refs, ref.ID)
		}
		row := []string{r.TargetName(), r.Target.Host, strconv.Itoa(r.Target.Port), string(r.Status), letter,
			f.CheckID, f.Title, f.Category, string(f.Severity), string(f.Status), f.Subject, f.Detail, strings.Join(refs, " ")}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		if err := c.w.Write(row); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

func (c *csvWriter) Close() error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}

// csvCell makes one cell safe: control characters become '?', and a cell
// that a spreadsheet would run as a formula (=, +, -, @ first, OWASP
// "CSV injection") gets a leading apostrophe.
func csvCell(s string) string {
	s = oneLine(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ---- JUnit XML ----

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Time       string          `xml:"time,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// junitSuiteOf is the test suite of one target: one test case per finding.
func junitSuiteOf(r *Report) junitSuite {
	s := junitSuite{Name: r.TargetName()}
	s.Properties = []junitProperty{{"status", string(r.Status)}}
	if r.Grade != nil {
		s.Properties = append(s.Properties, junitProperty{"grade", string(r.Grade.Letter)}, junitProperty{"score", strconv.Itoa(r.Grade.Score)})
	}
	if o := r.Observation; o != nil {
		if !o.Started.IsZero() {
			s.Timestamp = o.Started.UTC().Format("2006-01-02T15:04:05")
		}
		s.Time = fmt.Sprintf("%.3f", float64(o.ElapsedMS)/1000)
	}
	for _, f := range ciEntries(r) {
		name := f.CheckID
		if f.Subject != "" {
			name += " [" + oneLine(f.Subject) + "]"
		}
		c := junitCase{Name: name, Classname: "tlsaudit." + f.Category}
		msg := &junitMessage{Message: oneLine(firstNonEmpty(f.Detail, f.Title)), Type: string(f.Severity), Text: findingBody(f)}
		switch f.Status {
		case checks.StatusFail:
			c.Failure = msg
			s.Failures++
		case checks.StatusError:
			msg.Type = "error"
			c.Error = msg
			s.Errors++
		case checks.StatusNotApplicable, checks.StatusInconclusive:
			c.Skipped = &junitMessage{Message: string(f.Status) + ": " + oneLine(f.Detail)}
			s.Skipped++
		default:
			if f.Detail != "" {
				c.SystemOut = oneLine(f.Detail)
			}
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
	}
	return s
}

// findingBody is the long text of a failed finding: title, subject,
// detail and references, one per line.
func findingBody(f checks.Finding) string {
	lines := []string{oneLine(f.Title) + " (" + string(f.Severity) + ")"}
	if f.Subject != "" {
		lines = append(lines, "subject: "+oneLine(f.Subject))
	}
	if f.Detail != "" {
		lines = append(lines, oneLine(f.Detail))
	}
	for _, r := range f.Refs {
		lines = append(lines, "ref: "+r.ID)
	}
	return strings.Join(lines, "\n")
}

// renderJUnit is the junit format: one test suite per target.
func renderJUnit(reports []*Report) ([]byte, error) {
	doc := junitSuites{Name: "tlsaudit"}
	for _, r := range reports {
		s := junitSuiteOf(r)
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report: encoding JUnit XML: %w", err)
	}
	out := append([]byte(xml.Header), b...)
	return append(out, '\n'), nil
}
