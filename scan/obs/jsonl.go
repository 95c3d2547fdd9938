package obs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// RecordStart is how every JSON Lines report record begins: the report
// envelope's first field.
const RecordStart = `{"schema_version":`

// TornLine splits a JSON Lines line that is not a record but ends in one:
// the start of a record cut short (a run killed while writing) followed,
// on the same line, by a whole record (the next run appending to the same
// file). It returns that last record, or false when the line holds no
// record start after its first byte.
func TornLine(line []byte) ([]byte, bool) {
	i := bytes.LastIndex(line, []byte(RecordStart))
	if i <= 0 {
		return nil, false
	}
	return line[i:], true
}

// ReadLine reads one JSON Lines line (without its newline) of at most max
// bytes; complete is false for a last line without a newline.
func ReadLine(br *bufio.Reader, max int) (line []byte, complete bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > max {
			return nil, false, fmt.Errorf("longer than %d bytes", max)
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
