package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/checks/mozilla"
	"github.com/tlsaudit/tlsaudit/report/termsafe"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// bufferedWriter keeps the reports and renders them all on Close, for
// formats that are one document (json, html, junit, sarif).
type bufferedWriter struct {
	w       io.Writer
	reports []*Report
	closed  bool
	render  func(reports []*Report) ([]byte, error)
}

func buffered(w io.Writer, render func([]*Report) ([]byte, error)) *bufferedWriter {
	return &bufferedWriter{w: w, render: render}
}

func (b *bufferedWriter) Write(r *Report) error {
	if b.closed {
		return fmt.Errorf("report: write after close")
	}
	b.reports = append(b.reports, r)
	return nil
}

func (b *bufferedWriter) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	out, err := b.render(b.reports)
	if err != nil {
		return err
	}
	_, err = b.w.Write(out)
	return err
}

// jsonArrayWriter is the json format: one indented array (empty, not
// null, without reports), streamed: each report is encoded and written when
// it arrives, so memory does not grow with the number of targets. The bytes
// are those of encoding the whole array at once.
type jsonArrayWriter struct {
	w      io.Writer
	mu     sync.Mutex
	buf    bytes.Buffer
	enc    *json.Encoder
	n      int
	closed bool
}

func newJSONArrayWriter(w io.Writer) *jsonArrayWriter {
	j := &jsonArrayWriter{w: w}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	j.enc.SetIndent("  ", "  ")
	return j
}

func (j *jsonArrayWriter) Write(r *Report) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return fmt.Errorf("report: write after close")
	}
	j.buf.Reset()
	if j.n == 0 {
		j.buf.WriteString("[\n  ")
	} else {
		j.buf.WriteString(",\n  ")
	}
	if err := j.enc.Encode(r); err != nil {
		return fmt.Errorf("report: encoding JSON: %w", err)
	}
	j.buf.Truncate(j.buf.Len() - 1) // the encoder's newline: a comma or the closing bracket follows
	j.n++
	_, err := j.w.Write(j.buf.Bytes())
	return err
}

func (j *jsonArrayWriter) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	end := "\n]\n"
	if j.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(j.w, end)
	return err
}

// jsonlWriter writes one compact report per line as it arrives. A batch
// writes thousands of records: they are encoded into one reused buffer (as
// marshal does: no HTML escaping), then written whole in one call.
type jsonlWriter struct {
	w   io.Writer
	mu  sync.Mutex
	buf bytes.Buffer
	enc *json.Encoder
	out []byte // the record, reused
}

func (j *jsonlWriter) Write(r *Report) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.enc == nil {
		j.enc = json.NewEncoder(&j.buf)
		j.enc.SetEscapeHTML(false)
	}
	// In two parts (jsonl.go): the report without findings, then the
	// findings where it has "findings":null (the whole report through
	// encoding/json should that text not stand there exactly once).
	j.buf.Reset()
	rest := *r
	rest.Findings = nil
	if err := j.enc.Encode(&rest); err != nil {
		return fmt.Errorf("report: encoding JSON: %w", err)
	}
	b := j.buf.Bytes()
	i := bytes.Index(b, findingsNull)
	if i < 0 || bytes.Contains(b[i+1:], findingsNull) {
		j.buf.Reset()
		if err := j.enc.Encode(r); err != nil {
			return fmt.Errorf("report: encoding JSON: %w", err)
		}
		_, err := j.w.Write(j.buf.Bytes())
		return err
	}
	at := i + len(findingsNull) - len("null")
	out := appendFindings(append(j.out[:0], b[:at]...), r.Findings)
	out = append(out, b[i+len(findingsNull):]...)
	j.out = out
	_, err := j.w.Write(out)
	return err
}

func (j *jsonlWriter) Close() error { return nil }

// marshal encodes v followed by a newline, without HTML escaping (the output
// is not embedded in HTML; '<' in a certificate subject stays readable).
func marshal(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("report: encoding JSON: %w", err)
	}
	return buf.Bytes(), nil
}

// quietWriter writes one line per target: target, grade, status [error].
type quietWriter struct {
	w     io.Writer
	style Style
}

func (q *quietWriter) Write(r *Report) error {
	r = termsafe.Clone(r)
	letter := "-"
	if r.Grade != nil && r.Grade.Letter != "" {
		letter = q.style.grade(r.Grade.Letter)
	}
	fields := []string{r.TargetName(), letter, string(r.Status)}
	if r.Error != "" {
		fields = append(fields, oneLine(r.Error))
	}
	_, err := fmt.Fprintln(q.w, strings.Join(fields, " "))
	return err
}

func (q *quietWriter) Close() error { return nil }

// Prepare does ahead of time the one-time work of rendering format that no
// report's content decides, so that a caller can overlap it with the scan:
// for JSON, building encoding/json's encoders of the report types, which
// encoding/json caches per type for the life of the process. It writes
// nothing, changes no output, and may run while reports are written.
func Prepare(format string) {
	switch format {
	case "json", "jsonl":
		r := &Report{Observation: &obs.Observation{}, Grade: &grade.Grade{}, Certificates: &certanalysis.Analysis{}, Mozilla: &mozilla.Summary{}}
		_ = json.NewEncoder(io.Discard).Encode(r)
	}
}
