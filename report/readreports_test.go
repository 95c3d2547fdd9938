package report

import (
	"io"
	"strings"
	"testing"
)

// countingZeros is /dev/zero that counts what was read from it.
type countingZeros struct{ n int64 }

func (z *countingZeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

// Input that does not start like JSON is refused at its first bytes, not
// read whole (diff of /dev/zero read 2 GB before failing).
func TestReadReportsRefusesNonJSONWithoutReadingIt(t *testing.T) {
	z := &countingZeros{}
	_, err := ReadReports(z)
	if err == nil || !strings.Contains(err.Error(), "starts with byte 0x00") {
		t.Errorf("err = %v", err)
	}
	if z.n > 1<<20 {
		t.Errorf("read %d bytes of zeros", z.n)
	}
}

// An endless stream of blanks ends at the input cap, with an error.
func TestReadReportsCapsItsInput(t *testing.T) {
	r := io.LimitReader(strings.NewReader(strings.Repeat(" ", 1<<16)), 1<<16)
	if _, err := ReadReports(io.MultiReader(r, strings.NewReader("[]"))); err != nil {
		t.Errorf("blanks then an empty array: %v", err)
	}
}

// Partial records of a killed run (the last line, a line alone, or joined
// to the next record) are skipped and counted; an indented single report
// still reads.
func TestReadReportsSkipsPartialJSONLRecords(t *testing.T) {
	a := `{"schema_version":"1.0","target":{"input":"a"},"status":"ok"}`
	b := `{"schema_version":"1.0","target":{"input":"b"},"status":"ok"}`
	reps, skipped, err := ReadReportsTolerant(strings.NewReader(a + "\n" + b[:20] + "\n" + b[:30] + b + "\n" + a[:10]))
	if err != nil || len(reps) != 2 || skipped != 3 {
		t.Fatalf("%d reports, %d skipped, err %v", len(reps), skipped, err)
	}
	reps, err = ReadReports(strings.NewReader("{\n  \"schema_version\": \"1.0\",\n  \"status\": \"ok\"\n}\n"))
	if err != nil || len(reps) != 1 {
		t.Errorf("indented report: %d, %v", len(reps), err)
	}
	if _, err := ReadReports(strings.NewReader(a + "\n{\"x\": 1}\n")); err == nil {
		t.Errorf("a line that is no report is accepted")
	}
}
