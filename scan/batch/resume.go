package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// MaxRecordLine bounds one line of a JSON Lines file read by ReadDone.
const MaxRecordLine = 64 << 20

// Done is what an earlier JSON Lines output (tlsaudit --format jsonl) already
// holds, for --resume. A record is final unless its status is "canceled"
// (written when a run was interrupted): final records are kept, canceled
// ones are redone.
type Done struct {
	// Records is the number of records read.
	Records int
	// Truncated: the file ended in a partial line (a run killed while
	// writing), which was ignored.
	Truncated bool
	// Torn counts the partial records found inside the file (a run killed
	// while writing, then resumed with its output appended to the same
	// file): alone on their line, or joined to the record after them. The
	// partial record is ignored, a whole one after it kept.
	Torn int

	inputs    map[string]bool // input target → every record of it is final
	endpoints map[endpoint]struct{}
}

type endpoint struct{ input, ip string }

// record is the part of a report that resuming needs.
type record struct {
	Target struct {
		Input string `json:"input"`
		IP    string `json:"ip"`
	} `json:"target"`
	Status obs.Status `json:"status"`
}

// ReadDone reads a JSON Lines file of reports. Blank lines are skipped; a
// line that is not a JSON report is an error, except a final line without
// a newline, which is taken for a record cut short and ignored, and a
// record cut short followed by a whole one on the same line (see Torn).
func ReadDone(r io.Reader) (*Done, error) {
	d := &Done{inputs: map[string]bool{}, endpoints: map[endpoint]struct{}{}}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, complete, err := obs.ReadLine(br, MaxRecordLine)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			if !complete {
				return d, nil
			}
			continue
		}
		var rec record
		err = json.Unmarshal(line, &rec)
		if err != nil || rec.Status == "" {
			if whole, ok := obs.TornLine(line); ok {
				var rec2 record
				if json.Unmarshal(whole, &rec2) == nil && rec2.Status != "" {
					d.Torn++
					rec, err = rec2, nil
				}
			}
		}
		if err != nil && complete && bytes.HasPrefix(line, []byte(obs.RecordStart)) {
			d.Torn++ // a partial record whose line a resumed run ended
			continue
		}
		if err != nil || rec.Status == "" {
			if !complete {
				d.Truncated = true
				return d, nil
			}
			if err == nil {
				err = errors.New("no status field")
			}
			return nil, fmt.Errorf("line %d: not a tlsaudit JSON Lines report: %v", n, err)
		}
		d.add(rec)
		if !complete {
			return d, nil
		}
	}
}

func (d *Done) add(rec record) {
	d.Records++
	in := rec.Target.Input
	final := rec.Status != obs.StatusCanceled
	if prev, seen := d.inputs[in]; seen {
		final = final && prev
	}
	d.inputs[in] = final
	if rec.Status != obs.StatusCanceled {
		d.endpoints[endpoint{in, rec.Target.IP}] = struct{}{}
	}
}

// Complete reports whether every record of the input target is final: it
// is skipped without being resolved again.
func (d *Done) Complete(input string) bool {
	if d == nil {
		return false
	}
	return d.inputs[input]
}

// HasEndpoint reports whether a final record exists for the input target at
// this address (ip "" for a record without one, such as resolve_error).
func (d *Done) HasEndpoint(input, ip string) bool {
	if d == nil {
		return false
	}
	_, ok := d.endpoints[endpoint{input, ip}]
	return ok
}
