package batch_test

import (
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/batch"
)

func TestReadDone(t *testing.T) {
	in := `{"target":{"input":"a.test","ip":"127.0.0.1"},"status":"ok"}
{"target":{"input":"a.test","ip":"::1"},"status":"connection_refused"}
{"target":{"input":"b.test","ip":"127.0.0.1"},"status":"ok"}

{"target":{"input":"b.test","ip":"::1"},"status":"canceled"}
{"target":{"input":"bad name"},"status":"invalid_target"}
{"target":{"input":"c.test"},"status":"resolve_error"}
{"target":{"input":"d.test","ip":"127.0.0.1"},"st`
	d, err := batch.ReadDone(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if d.Records != 6 || !d.Truncated {
		t.Errorf("records %d truncated %v, want 6 and a truncated last line", d.Records, d.Truncated)
	}
	for input, want := range map[string]bool{"a.test": true, "b.test": false, "bad name": true, "c.test": true, "d.test": false, "e.test": false} {
		if d.Complete(input) != want {
			t.Errorf("Complete(%q) = %v", input, !want)
		}
	}
	for _, tc := range []struct {
		input, ip string
		want      bool
	}{{"b.test", "127.0.0.1", true}, {"b.test", "::1", false}, {"c.test", "", true}, {"a.test", "::1", true}} {
		if d.HasEndpoint(tc.input, tc.ip) != tc.want {
			t.Errorf("HasEndpoint(%q, %q) = %v", tc.input, tc.ip, !tc.want)
		}
	}
	var nilDone *batch.Done
	if nilDone.Complete("a.test") || nilDone.HasEndpoint("a.test", "") {
		t.Error("a nil Done holds nothing")
	}

	for _, bad := range []string{"not json\n{}", "{\"target\":{}}\n", "[1,2]\n"} {
		if _, err := batch.ReadDone(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("ReadDone(%q): %v, want an error naming line 1", bad, err)
		}
	}
	if _, err := batch.ReadDone(strings.NewReader(strings.Repeat("x", batch.MaxRecordLine+10))); err == nil {
		t.Error("an over-long line must be an error")
	}
}

func FuzzReadDone(f *testing.F) {
	f.Add([]byte(`{"target":{"input":"a","ip":"::1"},"status":"ok"}` + "\n"))
	f.Add([]byte("\n\n{\"status\":\"canceled\"}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := batch.ReadDone(strings.NewReader(string(b)))
		if err == nil && d == nil {
			t.Fatal("nil Done without error")
		}
	})
}

// A partial record inside the file (a kill, then output appended to the
// same file), alone on its line or joined to the next record, is counted
// and skipped; the whole record after it is kept.
func TestReadDoneSkipsPartialRecordsInsideTheFile(t *testing.T) {
	a := `{"schema_version":"1.0","target":{"input":"a","ip":"::1"},"status":"ok"}`
	b := `{"schema_version":"1.0","target":{"input":"b","ip":"::1"},"status":"ok"}`
	c := `{"schema_version":"1.0","target":{"input":"c","ip":"::1"},"status":"ok"}`
	in := a + "\n" + b[:30] + "\n" + b[:25] + c + "\n"
	d, err := batch.ReadDone(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if d.Torn != 2 || d.Records != 2 || !d.Complete("a") || d.Complete("b") || !d.Complete("c") {
		t.Errorf("torn %d, records %d, a %v b %v c %v", d.Torn, d.Records, d.Complete("a"), d.Complete("b"), d.Complete("c"))
	}
	if _, err := batch.ReadDone(strings.NewReader(a + "\nnot json\n")); err == nil {
		t.Errorf("a line that is no record at all is accepted")
	}
}
