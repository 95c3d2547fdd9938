package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// encodeWhole is the reference: encoding/json on the whole Report, as the
// jsonl writer's settings have it.
func encodeWhole(t testing.TB, r *Report) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJSONL(t testing.TB, rs ...*Report) []byte {
	var b bytes.Buffer
	w, err := NewWriter("jsonl", &b, Style{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// TestJSONLMatchesEncodingJSON: every golden report, an unscanned target,
// nil and empty findings, and awkward strings, byte for byte.
func TestJSONLMatchesEncodingJSON(t *testing.T) {
	rs := allReports(t)
	failed := New(testTool, &obs.Observation{Target: obs.Target{Input: "x:443", Host: "x", Port: 443}, Status: obs.StatusConnectionRefused, Error: "refused"}, nil, nil)
	failed.Error = "refused <&> \u2028"
	empty := New(testTool, rs[0].Observation, []checks.Finding{}, nil)
	odd := New(testTool, rs[0].Observation, []checks.Finding{{CheckID: "a\"b\\c", Title: "<&>\x00\x1f\x7f", Status: "fail", Severity: "high",
		Subject: "\u2028\u2029é", Detail: "bad \xff utf-8\n\t\r\b\f", Refs: []checks.Ref{{Kind: "url", ID: "https://x/?a=1&b=<2>"}, {}}}}, rs[0].Grade)
	rs = append(rs, failed, empty, odd)
	var whole []byte
	for _, r := range rs {
		one := encodeWhole(t, r)
		if got := encodeJSONL(t, r); !bytes.Equal(got, one) {
			t.Errorf("%s: jsonl record differs from encoding/json\n got %s\nwant %s", r.TargetName(), got, one)
		}
		whole = append(whole, one...)
	}
	if got := encodeJSONL(t, rs...); !bytes.Equal(got, whole) {
		t.Error("a stream of records differs from encoding/json's")
	}
}

func jsonTags(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		out = append(out, t.Field(i).Name+" "+t.Field(i).Tag.Get("json"))
	}
	return out
}

// TestJSONLParts: appendFindings knows every field of Finding and Ref (a
// field added to either must be added there too), and a Report shows its
// findings where the writer splices them in.
func TestJSONLParts(t *testing.T) {
	if got, want := jsonTags(reflect.TypeFor[checks.Finding]()), []string{"CheckID check_id", "Title title", "Category category",
		"Status status", "Severity severity", "Subject subject,omitempty", "Detail detail,omitempty", "Refs refs,omitempty"}; !slices.Equal(got, want) {
		t.Errorf("Finding has fields %v; appendFindings knows %v", got, want)
	}
	if got, want := jsonTags(reflect.TypeFor[checks.Ref]()), []string{"Kind kind", "ID id"}; !slices.Equal(got, want) {
		t.Errorf("Ref has fields %v; appendFindings knows %v", got, want)
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[checks.Status](), reflect.TypeFor[checks.Severity]()} {
		if typ.Kind() != reflect.String || typ.Implements(reflect.TypeFor[json.Marshaler]()) {
			t.Errorf("%v is no longer a plain string", typ)
		}
	}
	if !slices.Contains(jsonTags(reflect.TypeFor[Report]()), "Findings findings") {
		t.Error(`Report's findings are no longer "findings" (the jsonl writer then falls back to encoding/json)`)
	}
}

// TestJSONLMarkerInString: a string holding the text "findings":null does
// not move the splice (JSON escapes its quotes).
func TestJSONLMarkerInString(t *testing.T) {
	r := allReports(t)[0]
	withMarker := New(testTool, r.Observation, r.Findings, r.Grade)
	withMarker.Certificates = r.Certificates
	withMarker.Tool.Version = `"findings":null`
	if got, want := encodeJSONL(t, withMarker), encodeWhole(t, withMarker); !bytes.Equal(got, want) {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

// FuzzJSONLFinding: any strings in a finding encode as encoding/json
// encodes them.
func FuzzJSONLFinding(f *testing.F) {
	f.Add("cert.expired", "a \"title\"", "detail\n\x00\xff\u2028", "sub", "url", "https://x/?a&b")
	f.Fuzz(func(t *testing.T, id, title, detail, subject, kind, ref string) {
		fs := []checks.Finding{{CheckID: id, Title: title, Category: kind, Status: checks.Status(subject), Severity: checks.Severity(detail),
			Subject: subject, Detail: detail, Refs: []checks.Ref{{Kind: kind, ID: ref}}}}
		want, err := json.Marshal(fs)
		if err != nil {
			t.Fatal(err)
		}
		// json.Marshal escapes HTML; the writer does not: compare decoded values
		// and, without HTML characters, the bytes.
		got := appendFindings(nil, fs)
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(fs); err != nil {
			t.Fatal(err)
		}
		if exact := bytes.TrimSuffix(buf.Bytes(), []byte("\n")); !bytes.Equal(got, exact) {
			t.Fatalf("got %s\nwant %s", got, exact)
		}
	})
}

// TestPlain8: the eight-byte test agrees with the byte-by-byte one on
// every byte value in every position.
func TestPlain8(t *testing.T) {
	plain := func(b byte) bool { return b >= 0x20 && b != '"' && b != '\\' && b < 0x80 }
	for pos := range 8 {
		for v := range 256 {
			w := uint64(0x6161616161616161) // "aaaaaaaa"
			w = w&^(0xff<<(8*pos)) | uint64(v)<<(8*pos)
			if got := plain8(w); got != plain(byte(v)) {
				t.Fatalf("byte %#x at %d: plain8 %v", v, pos, got)
			}
		}
	}
}

func BenchmarkAppendFindings(b *testing.B) {
	fs := allReports(b)[0].Findings
	var buf []byte
	for b.Loop() {
		buf = appendFindings(buf[:0], fs)
	}
}
