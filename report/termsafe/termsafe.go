// Package termsafe makes text that came from a server safe to print on a
// terminal or write to a log.
//
// Every server-derived string (certificate subjects, SANs and issuers, HTTP
// header values, alert and error texts quoting server bytes, target names
// read from files) goes through this package before any terminal or log
// output: the text and quiet reports, the stderr policy and progress lines,
// diff and inspect. Writers that print a whole report pass it through Clone
// once; code printing a single value calls String. It is the one place that
// decides what a terminal may receive, whether colour is on (NO_COLOR) or off.
//
// String replaces with '?' every rune that can move the cursor, start an
// escape sequence, end a line or reorder text: C0 controls (ESC, BEL, CR,
// LF, TAB included), DEL, C1 controls (U+0080-U+009F, among them the
// one-byte CSI U+009B), the Unicode line and paragraph separators, bidi
// embedding, override and isolate controls (the "Trojan Source" characters,
// CVE-2021-42574), and bytes that are not valid UTF-8.
package termsafe

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// Replacement is what an unsafe rune becomes.
const Replacement = '?'

// Unsafe reports whether r must not reach a terminal.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // arabic letter mark, LRM, RLM
		r >= 0x2028 && r <= 0x202e, // line/paragraph separators, bidi embeddings and overrides
		r >= 0x2066 && r <= 0x2069, // bidi isolates
		r == utf8.RuneError:
		return true
	}
	return false
}

// String returns s with every unsafe rune (and every invalid UTF-8 byte)
// replaced by Replacement. Safe input is returned as is, without copying.
func String(s string) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // an invalid byte ranges as utf8.RuneError
		if Unsafe(r) {
			r = Replacement
		}
		b.WriteRune(r)
	}
	return b.String()
}

// safe is the fast path of String: printable ASCII only, or valid UTF-8
// without an unsafe rune.
func safe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			for _, r := range s[i:] {
				if Unsafe(r) {
					return false
				}
			}
			return true
		}
	}
	return true
}

// Lines is String applied to each line of s: its line feeds are kept.
// Clone applies it to string fields tagged `termsafe:"lines"` (text that
// tlsaudit itself lays out over several lines, such as a configuration
// snippet).
func Lines(s string) string {
	if safe(s) {
		return s
	}
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = String(p)
	}
	return strings.Join(parts, "\n")
}

// Strings applies String to each element of ss, in a new slice.
func Strings(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = String(s)
	}
	return out
}

// Clone returns a deep copy of v in which every string reachable through
// exported fields, slices, arrays, maps, pointers and interfaces went
// through String. v itself is not modified, so the same value can still be
// written raw to a JSON file. Byte slices are copied unchanged (they are
// data, not text); unexported fields are copied shallowly. A string field
// tagged `termsafe:"lines"` goes through Lines instead of String.
func Clone[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	out := reflect.New(rv.Type()).Elem()
	c := cloner{seen: map[uintptr]reflect.Value{}}
	c.copy(out, rv)
	return out.Interface().(T)
}

type cloner struct {
	// seen maps a pointer already copied to its copy (shared and cyclic
	// structures stay shared and finite).
	seen map[uintptr]reflect.Value
}

// copy sets dst (settable, same type as src) to the sanitised copy of src.
func (c *cloner) copy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.String:
		dst.SetString(String(src.String()))
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		if p, ok := c.seen[src.Pointer()]; ok {
			dst.Set(p)
			return
		}
		p := reflect.New(src.Type().Elem())
		c.seen[src.Pointer()] = p
		c.copy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Struct:
		dst.Set(src) // unexported fields, shallow
		t := src.Type()
		for i := 0; i < src.NumField(); i++ {
			f := t.Field(i)
			switch {
			case !f.IsExported():
			case f.Type.Kind() == reflect.String && f.Tag.Get("termsafe") == "lines":
				dst.Field(i).SetString(Lines(src.Field(i).String()))
			default:
				c.copy(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		if src.Type().Elem().Kind() == reflect.Uint8 {
			dst.Set(reflect.AppendSlice(reflect.MakeSlice(src.Type(), 0, src.Len()), src))
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			c.copy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Array:
		for i := 0; i < src.Len(); i++ {
			c.copy(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		it := src.MapRange()
		for it.Next() {
			k := reflect.New(src.Type().Key()).Elem()
			c.copy(k, it.Key())
			v := reflect.New(src.Type().Elem()).Elem()
			c.copy(v, it.Value())
			m.SetMapIndex(k, v)
		}
		dst.Set(m)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		c.copy(e, src.Elem())
		dst.Set(e)
	default:
		dst.Set(src)
	}
}
