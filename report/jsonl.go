package report

import (
	"unicode/utf8"

	"github.com/tlsaudit/tlsaudit/checks"
)

// A JSONL record is encoded in two parts (encoding/json alone takes an
// eighth of a quick batch's CPU): the Report without its findings
// with encoding/json, then the findings — nine tenths of a quick record's
// bytes, plain strings only — by appendFindings, spliced in where the
// first part says "findings":null. The result is byte for byte what
// encoding/json makes of the whole Report (TestJSONLMatchesEncodingJSON,
// FuzzJSONLFinding); TestJSONLParts keeps appendFindings in step with
// Finding and Ref.

// findingsNull is how the Report without findings shows them.
var findingsNull = []byte(`"findings":null`)

// appendFindings appends fs as encoding/json encodes a []checks.Finding.
func appendFindings(dst []byte, fs []checks.Finding) []byte {
	if fs == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, f := range fs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"check_id":`...)
		dst = appendJSONString(dst, f.CheckID)
		dst = append(dst, `,"title":`...)
		dst = appendJSONString(dst, f.Title)
		dst = append(dst, `,"category":`...)
		dst = appendJSONString(dst, f.Category)
		dst = append(dst, `,"status":`...)
		dst = appendJSONString(dst, string(f.Status))
		dst = append(dst, `,"severity":`...)
		dst = appendJSONString(dst, string(f.Severity))
		if f.Subject != "" {
			dst = append(dst, `,"subject":`...)
			dst = appendJSONString(dst, f.Subject)
		}
		if f.Detail != "" {
			dst = append(dst, `,"detail":`...)
			dst = appendJSONString(dst, f.Detail)
		}
		if len(f.Refs) > 0 {
			dst = append(dst, `,"refs":[`...)
			for k, r := range f.Refs {
				if k > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"kind":`...)
				dst = appendJSONString(dst, r.Kind)
				dst = append(dst, `,"id":`...)
				dst = appendJSONString(dst, r.ID)
				dst = append(dst, '}')
			}
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendJSONString appends s quoted as encoding/json does with HTML
// escaping off (the jsonl writer's setting): quote, backslash and control
// characters escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight plain ASCII bytes at a time (nothing to escape in them): the
		// findings' strings nearly always are.
		for i+8 <= len(s) && plain8(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plain8 reports whether none of the eight bytes packed in w needs escaping
// or is outside ASCII: no byte below 0x20, no quote, no backslash, none
// with the high bit set (the usual SWAR tests, exact for "any byte").
func plain8(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	ctl := (w - 0x20*ones) & ^w & highs
	q := w ^ ('"' * ones)
	quote := (q - ones) & ^q & highs
	b := w ^ ('\\' * ones)
	backslash := (b - ones) & ^b & highs
	return (ctl | quote | backslash | w&highs) == 0
}
