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
// a newline, which is taken for a record cut short and ignored.
func ReadDone(r io.Reader) (*Done, error) {
	d := &Done{inputs: map[string]bool{}, endpoints: map[endpoint]struct{}{}}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, complete, err := readLine(br)
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
		if err := json.Unmarshal(line, &rec); err != nil || rec.Status == "" {
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

// readLine returns the next line without its '\n'; complete is false for a
// last line that has no '\n' (io.EOF then follows). At EOF it returns
// (nil, false, nil).
func readLine(br *bufio.Reader) (line []byte, complete bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxRecordLine {
			return nil, false, fmt.Errorf("longer than %d bytes", MaxRecordLine)
		}
		line = append(line, chunk...)
		switch {
		case err == nil:
			return line[:len(line)-1], true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return line, false, nil
		default:
			return nil, false, err
		}
	}
}
