// Package report renders audit results. Every format is produced from the same
// model, the Report envelope (observation + findings + grade of one target);
// no writer computes findings or verdicts of its own.
//
// Writers are chosen by name (see Formats and NewWriter):
//
//   - "text": human-readable tables, one block per target, written as each
//     report arrives.
//   - "json": one JSON document, always an array of reports (also for a
//     single target, so the shape never depends on the number of targets),
//     in the order the reports were written, each written as it arrives
//     (the closing bracket on Close). Indented, deterministic: the same
//     reports give the same bytes.
//   - "jsonl": one compact JSON report per line, written as each report
//     arrives (for batches: memory does not grow with the list).
//   - "quiet": one line per target: target, grade ("-" when none), status,
//     and the error when the target could not be scanned.
package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	httpcheck "github.com/tlsaudit/tlsaudit/checks/http"
	"github.com/tlsaudit/tlsaudit/checks/mozilla"
	"github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/checks/strength"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// SchemaVersion is the version of the report envelope's JSON schema
// (report/schema/v1.json). It follows the observation schema.
const SchemaVersion = obs.SchemaVersion

// Tool names the program that produced a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Report is the result of auditing one target.
type Report struct {
	SchemaVersion string     `json:"schema_version"`
	Tool          Tool       `json:"tool"`
	Target        obs.Target `json:"target"`
	// Status repeats Observation.Status so batch consumers can filter on it.
	Status      obs.Status       `json:"status"`
	Observation *obs.Observation `json:"observation"`
	// Findings are the check results, in check ID order: every one, or
	// those --findings selects (FindingsOmitted counts the others).
	Findings []checks.Finding `json:"findings"`
	// FindingsOmitted counts by status the findings left out of Findings
	// (absent when none was).
	FindingsOmitted map[checks.Status]int `json:"findings_omitted,omitempty"`
	// Grade is absent when the target could not be graded.
	Grade *grade.Grade `json:"grade,omitempty"`
	// Certificates is the certificate analysis the cert.* checks judged
	// (chains, trust per store, leaf facts, staple, SCTs), absent when no
	// chain was analysed.
	Certificates *certanalysis.Analysis `json:"certificates,omitempty"`
	// Mozilla is the Mozilla Server Side TLS verdict (profiles met,
	// deviations, an optional remediation snippet), absent when the target
	// was not evaluated.
	Mozilla *mozilla.Summary `json:"mozilla,omitempty"`
	// Policy is the verdict of the gates the audit was judged by (grade
	// floor, severity, expiry, Mozilla profile, policy file); absent when
	// none was set or the target was not scanned.
	Policy *policy.Verdict `json:"policy,omitempty"`
	// HTTPHeaders are the HSTS and HPKP headers as typed values (absent
	// when no HTTP answer over TLS completed).
	HTTPHeaders *httpcheck.Facts `json:"http_headers,omitempty"`
	// SuiteStrengths rate every accepted suite (the secure/weak/insecure
	// marks of the text and HTML tables).
	SuiteStrengths []strength.Rating `json:"suite_strengths,omitempty"`
	// Error says why the target could not be scanned (status != ok).
	Error string `json:"error,omitempty"`
}

// New builds the report of one target. o must not be nil; findings and g may
// be (a target that could not be scanned has neither).
func New(tool Tool, o *obs.Observation, findings []checks.Finding, g *grade.Grade) *Report {
	if findings == nil {
		findings = []checks.Finding{}
	}
	return &Report{
		SchemaVersion: SchemaVersion,
		Tool:          tool,
		Target:        o.Target,
		Status:        o.Status,
		Observation:   o,
		Findings:      findings,
		Grade:         g,
		Error:         o.Error,
	}
}

// Failed returns the findings with status fail, most severe first (stable
// within a severity: check ID order is kept).
func (r *Report) Failed() []checks.Finding {
	var out []checks.Finding
	for _, f := range r.Findings {
		if f.Status == checks.StatusFail {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity.Rank() > out[j].Severity.Rank() })
	return out
}

// Style is how text is decorated. The caller decides (terminal, NO_COLOR);
// writers never look at the environment.
type Style struct {
	Color bool
	// Width is the width in columns the text report fits (the terminal's);
	// 0 means 80.
	Width int
	// Verbose: the text report adds the detail sections (every finding,
	// client simulations, signature algorithms, probe errors) after the
	// summary; without it a report of one target is a summary and the
	// tables that decide the grade.
	Verbose bool
	// OpenSSLNames: the cipher suite tables add each suite's OpenSSL name
	// (as sslscan and openssl s_client print it) and its cipher's key bits
	// beside the IANA name.
	OpenSSLNames bool
	// Catalogue finds a check's catalogue entry, from which SARIF rules
	// are described; nil looks the check up among all registered checks.
	Catalogue func(checkID string) (checks.Meta, bool)
}

// columns is the width the text report fits.
func (st Style) columns() int {
	if st.Width <= 0 {
		return 80
	}
	return max(st.Width, 40)
}

// Writer writes reports in one format.
type Writer interface {
	// Write adds the report of one target.
	Write(r *Report) error
	// Close flushes what is buffered. It does not close the underlying io.Writer.
	Close() error
}

var formats = map[string]func(w io.Writer, s Style) Writer{
	"text":  func(w io.Writer, s Style) Writer { return &textWriter{w: w, style: s} },
	"json":  func(w io.Writer, _ Style) Writer { return newJSONArrayWriter(w) },
	"jsonl": func(w io.Writer, _ Style) Writer { return &jsonlWriter{w: w} },
	"quiet": func(w io.Writer, s Style) Writer { return &quietWriter{w: w, style: s} },
}

// Formats lists the format names NewWriter accepts, sorted.
func Formats() []string {
	out := make([]string, 0, len(formats))
	for name := range formats {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// NewWriter returns the writer for a format name.
func NewWriter(format string, w io.Writer, style Style) (Writer, error) {
	mk, ok := formats[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want one of %v)", format, Formats())
	}
	return mk(w, style), nil
}

// TargetName is how a report names its target in one line: the input as the
// user wrote it, or host:port.
func (r *Report) TargetName() string {
	if r.Target.Input != "" {
		return r.Target.Input
	}
	return hostPort(r.Target.Host, r.Target.Port)
}
