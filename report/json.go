package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// jsonWriter buffers the reports and writes one indented array on Close.
type jsonWriter struct {
	w       io.Writer
	reports []*Report
	closed  bool
}

func (j *jsonWriter) Write(r *Report) error {
	if j.closed {
		return fmt.Errorf("report: write after close")
	}
	j.reports = append(j.reports, r)
	return nil
}

func (j *jsonWriter) Close() error {
	if j.closed {
		return nil
	}
	j.closed = true
	reports := j.reports
	if reports == nil {
		reports = []*Report{}
	}
	b, err := marshal(reports, "  ")
	if err != nil {
		return err
	}
	_, err = j.w.Write(b)
	return err
}

// jsonlWriter writes one compact report per line as it arrives.
type jsonlWriter struct {
	w io.Writer
}

func (j *jsonlWriter) Write(r *Report) error {
	b, err := marshal(r, "")
	if err != nil {
		return err
	}
	_, err = j.w.Write(b)
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
