package report

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// hostileText is what a hostile certificate subject or header value may
// carry: an OSC title change, a bell, a screen clear, colours and a forged
// line.
const hostileText = "\x1b]0;PWNED\a\x1b[2J\x1b[31mRED\x1b[0m\r\nFAKE: Grade A\u009b5m"

// fillStrings sets every string reachable from v through exported fields to
// s, allocating pointers and one element per slice and map.
func fillStrings(v reflect.Value, s string, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillStrings(v.Elem(), s, depth+1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillStrings(v.Field(i), s, depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		for i := 0; i < v.Len(); i++ {
			fillStrings(v.Index(i), s, depth+1)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		e := reflect.New(v.Type().Elem()).Elem()
		fillStrings(k, s, depth+1)
		fillStrings(e, s, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

// Every terminal format prints a report whose every string is hostile
// without one control character: the report is sanitised in one place.
func TestTerminalFormatsPrintNoControlCharacterFromAnyField(t *testing.T) {
	var r Report
	fillStrings(reflect.ValueOf(&r).Elem(), hostileText, 0)
	r.Status, r.Observation.Status = obs.StatusOK, obs.StatusOK
	for _, format := range []string{"text", "quiet"} {
		for _, color := range []bool{false, true} {
			var b bytes.Buffer
			w, err := NewWriter(format, &b, Style{Color: color})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(&r); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			w.Close()
			out := b.String()
			if !strings.Contains(out, "FAKE: Grade A") {
				t.Fatalf("%s: the hostile text is not printed at all:\n%s", format, out)
			}
			if color { // our own colours are SGR sequences: drop them first
				out = regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(out, "")
			}
			for _, bad := range []string{"\x1b", "\a", "\r", "\u009b", "\nFAKE"} {
				if strings.Contains(out, bad) {
					t.Errorf("%s (colour %v) prints %q:\n%s", format, color, bad, out)
				}
			}
		}
	}
	if r.Observation.Target.Host != hostileText {
		t.Errorf("writing the text report changed the report itself")
	}
}
