package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks/regress"
	"github.com/tlsaudit/tlsaudit/report/termsafe"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Comparison of two sets of reports (`tlsaudit diff OLD.json NEW.json`):
// pure, from the reports' own data (no finding is re-computed).

// DiffOptions tune Compare.
type DiffOptions = regress.Options

// Change, TargetDiff: see package regress.
type (
	Change     = regress.Change
	TargetDiff = regress.TargetDiff
)

// Diff is the comparison of two sets of reports (the verdicts of package
// regress) with its renderings.
type Diff struct {
	regress.Diff
}

// MaxReportInput bounds the bytes ReadReports reads, MaxReportLine one
// JSON Lines record.
const (
	MaxReportInput = 1 << 30
	MaxReportLine  = 64 << 20
)

// ReadReports reads reports as the json format (an array), a single report
// object, or the jsonl format (one per line). See ReadReportsTolerant.
func ReadReports(r io.Reader) ([]*Report, error) {
	out, _, err := ReadReportsTolerant(r)
	return out, err
}

// ReadReportsTolerant is ReadReports that also tells how many partial
// JSON Lines records it skipped: a last line cut short (a run killed while
// writing) and partial records inside the file (output appended after such
// a kill), alone on their line or joined to the next record. It streams:
// memory holds the decoded reports, never the raw input, and input that
// does not start like JSON is refused at its first byte.
func ReadReportsTolerant(r io.Reader) (_ []*Report, skipped int, _ error) {
	lr := &io.LimitedReader{R: r, N: MaxReportInput + 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	var first byte
	for {
		c, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return nil, 0, errors.New("empty input: want reports as JSON (tlsaudit --format json or jsonl)")
		}
		if err != nil {
			return nil, 0, err
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			first = c
			br.UnreadByte()
			break
		}
		if lr.N <= 0 {
			return nil, 0, fmt.Errorf("input larger than the %d-byte cap", int64(MaxReportInput))
		}
	}
	var out []*Report
	var err error
	switch first {
	case '[':
		out, err = readArray(br)
	case '{':
		out, skipped, err = readObjects(br)
	default:
		return nil, 0, fmt.Errorf("not JSON reports: the input starts with byte 0x%02x (want tlsaudit --format json or jsonl)", first)
	}
	if lr.N <= 0 {
		return nil, 0, fmt.Errorf("input larger than the %d-byte cap", int64(MaxReportInput))
	}
	if err != nil {
		return nil, 0, err
	}
	return out, skipped, checkReports(out)
}

// readArray decodes a JSON array of reports one element at a time.
func readArray(r io.Reader) ([]*Report, error) {
	dec := json.NewDecoder(r)
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("not a JSON array of reports: %w", err)
	}
	var out []*Report
	for n := 1; dec.More(); n++ {
		var rep Report
		if err := dec.Decode(&rep); err != nil {
			return nil, fmt.Errorf("not a JSON array of reports: report %d: %w", n, err)
		}
		out = append(out, &rep)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("not a JSON array of reports: %w", err)
	}
	return out, nil
}

// readObjects reads JSON Lines records, or JSON objects over several lines
// (an indented single report) when the first line is not a whole object.
func readObjects(br *bufio.Reader) ([]*Report, int, error) {
	var out []*Report
	skipped := 0
	for n := 1; ; n++ {
		line, complete, err := obs.ReadLine(br, MaxReportLine)
		if err != nil {
			return nil, 0, fmt.Errorf("line %d: %w", n, err)
		}
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 {
			if !complete {
				return out, skipped, nil
			}
			continue
		}
		var rep Report
		err = json.Unmarshal(trimmed, &rep)
		if err != nil && n == 1 && len(out) == 0 && !bytes.HasPrefix(trimmed, []byte(obs.RecordStart)) {
			// Not JSON Lines: one object (or several) spread over lines.
			return readStream(io.MultiReader(bytes.NewReader(line), bytes.NewReader([]byte("\n")), br))
		}
		if err != nil {
			if whole, ok := obs.TornLine(trimmed); ok && json.Unmarshal(whole, &rep) == nil {
				skipped++ // a partial record joined to this one
				out = append(out, &rep)
				continue
			}
			if !complete || bytes.HasPrefix(trimmed, []byte(obs.RecordStart)) {
				skipped++ // a partial record: the last line, or alone on its line
				if !complete {
					return out, skipped, nil
				}
				continue
			}
			return nil, 0, fmt.Errorf("report %d (line %d): %w", len(out)+1, n, err)
		}
		out = append(out, &rep)
		if !complete {
			return out, skipped, nil
		}
	}
}

// readStream decodes concatenated JSON objects.
func readStream(r io.Reader) ([]*Report, int, error) {
	dec := json.NewDecoder(r)
	var out []*Report
	for n := 1; ; n++ {
		var rep Report
		err := dec.Decode(&rep)
		if errors.Is(err, io.EOF) {
			return out, 0, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("report %d: %w", n, err)
		}
		out = append(out, &rep)
	}
}

// checkReports rejects JSON that decoded but is not a report.
func checkReports(rs []*Report) error {
	for i, r := range rs {
		if r == nil || r.SchemaVersion == "" || r.Status == "" {
			return fmt.Errorf("report %d: not a tlsaudit report (no schema_version or status)", i+1)
		}
	}
	return nil
}

// diffKey matches a target across runs: its input, or host:port.
func diffKey(r *Report) string { return r.TargetName() }

// Compare compares the reports of old and new target by target, in the old
// order, then the targets only in new (regress.Compare); the strings of the
// result are sanitised for terminals.
func Compare(old, new []*Report, opt DiffOptions) *Diff {
	sides := func(rs []*Report) []regress.Side {
		out := make([]regress.Side, len(rs))
		for i, r := range rs {
			out[i] = regress.Side{Target: diffKey(r), Status: r.Status, Error: r.Error, Grade: r.Grade, Obs: r.Observation, Findings: r.Findings}
		}
		return out
	}
	return &Diff{Diff: *termsafe.Clone(regress.Compare(sides(old), sides(new), opt))}
}

// WriteText writes the diff for people: one block per target with changes,
// then a summary line.
func (d *Diff) WriteText(w io.Writer, st Style) error {
	d = termsafe.Clone(d)
	var b strings.Builder
	changed, regressed := 0, 0
	for _, td := range d.Targets {
		if len(td.Changes) == 0 {
			continue
		}
		changed++
		if td.Regression {
			regressed++
		}
		b.WriteString(st.bold(oneLine(td.Target)) + "\n")
		for _, c := range td.Changes {
			mark := "~"
			switch {
			case c.Old == "":
				mark = "+"
			case c.New == "" || c.New == "absent":
				mark = "-"
			}
			line := fmt.Sprintf("  %s %-8s", mark, c.Kind)
			if c.Subject != "" {
				line += " " + c.Subject
			}
			line = strings.TrimRight(line, " ")
			switch {
			case c.Old != "" && c.New != "":
				line += ": " + c.Old + " -> " + c.New
			case c.New != "":
				line += ": " + c.New
			case c.Old != "":
				line += ": " + c.Old
			}
			if c.Regression {
				line += "  " + st.paint(sgrRed, "REGRESSION: "+c.Why)
			} else if c.Why != "" {
				line += "  (" + c.Why + ")"
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("\n")
	}
	verdict := st.paint(sgrGreen, "no regression")
	if d.Regression {
		verdict = st.paint(sgrRed, "REGRESSION")
	}
	fmt.Fprintf(&b, "%s compared, %s with changes, %s with a regression: %s\n",
		plural(len(d.Targets), "target"), strconv.Itoa(changed), strconv.Itoa(regressed), verdict)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the diff as indented JSON.
func (d *Diff) WriteJSON(w io.Writer) error {
	b, err := marshal(d, "  ")
	if err != nil {
		return err
	}
	return writeAll(w, b)
}
