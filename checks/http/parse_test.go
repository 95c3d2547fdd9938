package http

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// pinOf is a well-formed pin value derived from a label.
func pinOf(label string) string {
	sum := sha256.Sum256([]byte(label))
	return base64.StdEncoding.EncodeToString(sum[:])
}

type hstsCase struct {
	name   string
	value  string
	valid  bool
	reason string // substring of the errors (invalid) or warnings (valid)
	maxAge int64
	subs   bool
	pre    bool
}

var hstsCases = []hstsCase{
	{name: "plain", value: "max-age=31536000", valid: true, maxAge: 31536000},
	{name: "full", value: "max-age=63072000; includeSubDomains; preload", valid: true, maxAge: 63072000, subs: true, pre: true},
	{name: "quoted max-age", value: `max-age="31536000"`, valid: true, maxAge: 31536000},
	{name: "case variations", value: "Max-Age=15552000; INCLUDESUBDOMAINS; PreLoad", valid: true, maxAge: 15552000, subs: true, pre: true},
	{name: "order irrelevant", value: "includeSubDomains; max-age=100", valid: true, maxAge: 100, subs: true},
	{name: "trailing semicolons", value: "max-age=31536000;;", valid: true, maxAge: 31536000},
	{name: "leading semicolon and spaces", value: " ; max-age=31536000 ;\tincludeSubDomains ", valid: true, maxAge: 31536000, subs: true},
	{name: "spaces around equals (implied LWS)", value: "max-age = 300", valid: true, maxAge: 300},
	{name: "max-age zero", value: "max-age=0", valid: true, reason: "forget the HSTS policy"},
	{name: "unknown directive ignored", value: "max-age=31536000; foo=bar; baz", valid: true, maxAge: 31536000, reason: "unknown directive(s) ignored: foo, baz"},
	{name: "unknown directive quoted value", value: `max-age=1; report-uri="https://r.example/a;b"`, valid: true, maxAge: 1, reason: "report-uri"},
	{name: "huge max-age clamped", value: "max-age=99999999999999999999999", valid: true, maxAge: 1<<63 - 1, reason: "overflows"},
	{name: "preload with value", value: "max-age=31536000; preload=yes", valid: true, maxAge: 31536000, reason: "preload must not have a value"},
	{name: "leading zeros", value: "max-age=000300", valid: true, maxAge: 300},

	{name: "empty header", value: "", reason: "max-age is missing"},
	{name: "only spaces", value: "   ", reason: "max-age is missing"},
	{name: "missing max-age", value: "includeSubDomains; preload", reason: "max-age is missing"},
	{name: "max-age not a number", value: "max-age=abc", reason: `max-age value "abc" is not a number`},
	{name: "negative max-age", value: "max-age=-1", reason: `max-age value "-1" is not a number`},
	{name: "fractional max-age", value: "max-age=1.5", reason: `"1.5" is not a number`},
	{name: "max-age without value", value: "max-age", reason: "max-age has no value"},
	{name: "max-age with empty value", value: "max-age=; includeSubDomains", reason: "has '=' but no value"},
	{name: "max-age empty quoted", value: `max-age=""`, reason: `max-age value "" is not a number`},
	{name: "duplicate max-age", value: "max-age=1; max-age=2", reason: "max-age appears more than once"},
	{name: "duplicate case-insensitive", value: "max-age=100; includeSubDomains; includesubdomains", reason: "includesubdomains appears more than once"},
	{name: "duplicate preload", value: "max-age=100; preload; preload", reason: "preload appears more than once"},
	{name: "includeSubDomains with value", value: "max-age=100; includeSubDomains=true", reason: "includeSubDomains must not have a value"},
	{name: "unterminated quote", value: `max-age="31536000`, reason: "unterminated quoted-string"},
	{name: "quote in the middle", value: `max-age=31"536000"`, reason: "unexpected character '\"'"},
	{name: "comma-joined headers", value: "max-age=100, max-age=200", reason: "unexpected character ','"},
	{name: "space inside value", value: "max-age=100 200", reason: "unexpected character '2'"},
	{name: "bad directive name", value: "max-age=100; @x", reason: "where a directive name was expected"},
	{name: "control character in quoted-string", value: "max-age=\"1\x01\"", reason: "not allowed in a quoted-string"},
	{name: "colon-separated", value: "max-age:100", reason: "unexpected character ':'"},
}

func TestParseHSTS(t *testing.T) {
	for _, tc := range hstsCases {
		t.Run(tc.name, func(t *testing.T) {
			h := ParseHSTS(tc.value)
			if h.Valid != tc.valid {
				t.Fatalf("ParseHSTS(%q).Valid = %v, want %v (errors %q, warnings %q)", tc.value, h.Valid, tc.valid, h.Errors, h.Warnings)
			}
			reasons := h.Errors
			if tc.valid {
				reasons = h.Warnings
				if h.MaxAge != tc.maxAge || h.IncludeSubDomains != tc.subs || h.Preload != tc.pre {
					t.Errorf("ParseHSTS(%q) = max-age %d, includeSubDomains %v, preload %v; want %d, %v, %v",
						tc.value, h.MaxAge, h.IncludeSubDomains, h.Preload, tc.maxAge, tc.subs, tc.pre)
				}
			}
			if tc.reason == "" && tc.valid && len(h.Warnings) > 0 {
				t.Errorf("ParseHSTS(%q): unexpected warnings %q", tc.value, h.Warnings)
			}
			if !strings.Contains(strings.Join(reasons, " | "), tc.reason) {
				t.Errorf("ParseHSTS(%q): reasons %q do not mention %q", tc.value, reasons, tc.reason)
			}
		})
	}
}

func TestEvaluateHSTSSeveralHeaders(t *testing.T) {
	p := EvaluateHSTS([]string{"max-age=31536000", "max-age=0"})
	if p.Count != 2 || !p.First.Valid || p.First.MaxAge != 31536000 {
		t.Fatalf("only the first header must be processed: %+v", p)
	}
	if !strings.Contains(p.Multiple, "2 Strict-Transport-Security headers") || !strings.Contains(p.Multiple, "only the first") {
		t.Errorf("Multiple = %q", p.Multiple)
	}
	if p := EvaluateHSTS(nil); p.Count != 0 || p.Multiple != "" {
		t.Errorf("no header: %+v", p)
	}
	if p := EvaluateHSTS([]string{"max-age=1"}); p.Multiple != "" {
		t.Errorf("one header: %+v", p)
	}
}

type hpkpCase struct {
	name       string
	value      string
	reportOnly bool
	valid      bool
	reason     string
	pins       int
}

func TestParseHPKP(t *testing.T) {
	served := map[string]bool{pinOf("leaf"): true, pinOf("intermediate"): true}
	leaf, inter, backup, backup2 := pinOf("leaf"), pinOf("intermediate"), pinOf("backup"), pinOf("backup2")
	cases := []hpkpCase{
		{name: "leaf and backup", value: `pin-sha256="` + leaf + `"; pin-sha256="` + backup + `"; max-age=5184000`, valid: true, pins: 2},
		{name: "all directives", value: `max-age=5184000; pin-sha256="` + inter + `"; pin-sha256="` + backup + `"; includeSubDomains; report-uri="https://r.example/hpkp"`, valid: true, pins: 2},
		{name: "case-insensitive names", value: `PIN-SHA256="` + leaf + `"; Pin-Sha256="` + backup + `"; MAX-AGE=10`, valid: true, pins: 2},
		{name: "OWS around semicolons", value: `pin-sha256="` + leaf + `" ;	pin-sha256="` + backup + `" ; max-age=10`, valid: true, pins: 2},
		{name: "unknown hash ignored", value: `pin-sha1="abc"; pin-sha256="` + leaf + `"; pin-sha256="` + backup + `"; max-age=10`, valid: true, pins: 2, reason: "pin-sha1"},
		{name: "report-only without max-age", value: `pin-sha256="` + leaf + `"; pin-sha256="` + backup + `"; report-uri="https://r.example/"`, reportOnly: true, valid: true, pins: 2},
		{name: "repeated pin warned", value: `pin-sha256="` + leaf + `"; pin-sha256="` + leaf + `"; pin-sha256="` + backup + `"; max-age=10`, valid: true, pins: 2, reason: "repeated"},

		{name: "missing max-age", value: `pin-sha256="` + leaf + `"; pin-sha256="` + backup + `"`, reason: "max-age is missing"},
		{name: "bad max-age", value: `pin-sha256="` + leaf + `"; pin-sha256="` + backup + `"; max-age=ten`, reason: `max-age value "ten"`},
		{name: "one pin", value: `pin-sha256="` + leaf + `"; max-age=10`, reason: "only one pin"},
		{name: "no pins", value: `max-age=10`, reason: "no pin-sha256 directive"},
		{name: "no backup pin", value: `pin-sha256="` + leaf + `"; pin-sha256="` + inter + `"; max-age=10`, reason: "no backup pin"},
		{name: "no pin matches the chain", value: `pin-sha256="` + backup + `"; pin-sha256="` + backup2 + `"; max-age=10`, reason: "no pin matches"},
		{name: "unquoted pin", value: `pin-sha256=` + strings.TrimRight(leaf, "=") + `; pin-sha256="` + backup + `"; max-age=10`, reason: "must be a quoted-string"},
		{name: "pin not base64", value: `pin-sha256="not base64!"; pin-sha256="` + backup + `"; max-age=10`, reason: "not the base64 of a 32-byte SHA-256"},
		{name: "pin of wrong length", value: `pin-sha256="` + base64.StdEncoding.EncodeToString([]byte("short")) + `"; pin-sha256="` + backup + `"; max-age=10`, reason: "32-byte"},
		{name: "duplicate max-age", value: `pin-sha256="` + leaf + `"; pin-sha256="` + backup + `"; max-age=10; max-age=20`, reason: "max-age appears more than once"},
		{name: "includeSubDomains with value", value: `pin-sha256="` + leaf + `"; pin-sha256="` + backup + `"; max-age=10; includeSubDomains=1`, reason: "includeSubDomains must not have a value"},
		{name: "report-uri unquoted", value: `pin-sha256="` + leaf + `"; pin-sha256="` + backup + `"; max-age=10; report-uri=x`, reason: "report-uri must be a quoted-string"},
		{name: "space around equals", value: `pin-sha256 = "` + leaf + `"; max-age=10`, reason: "syntax error"},
		{name: "empty", value: ``, reason: "max-age is missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := ParseHPKP(tc.value, tc.reportOnly, served)
			if h.Valid != tc.valid {
				t.Fatalf("ParseHPKP(%q).Valid = %v, want %v (errors %q)", tc.value, h.Valid, tc.valid, h.Errors)
			}
			reasons := h.Errors
			if tc.valid {
				reasons = h.Warnings
				if len(h.Pins) != tc.pins || len(h.Matching) == 0 || len(h.Backup) == 0 {
					t.Errorf("pins %q matching %q backup %q", h.Pins, h.Matching, h.Backup)
				}
			}
			if !strings.Contains(strings.Join(reasons, " | "), tc.reason) {
				t.Errorf("ParseHPKP(%q): reasons %q do not mention %q", tc.value, reasons, tc.reason)
			}
		})
	}
}

func TestDeltaSeconds(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    int64
		clamped bool
		ok      bool
	}{
		{"0", 0, false, true}, {"31536000", 31536000, false, true}, {"9223372036854775807", 1<<63 - 1, false, true},
		{"9223372036854775808", 1<<63 - 1, true, true}, {"", 0, false, false}, {"+1", 0, false, false}, {"1e3", 0, false, false},
	} {
		got, clamped, ok := deltaSeconds(tc.in)
		if got != tc.want || clamped != tc.clamped || ok != tc.ok {
			t.Errorf("deltaSeconds(%q) = %d, %v, %v; want %d, %v, %v", tc.in, got, clamped, ok, tc.want, tc.clamped, tc.ok)
		}
	}
}

// FuzzParseHSTS: never panics, and a valid result is consistent.
func FuzzParseHSTS(f *testing.F) {
	for _, tc := range hstsCases {
		f.Add(tc.value)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := ParseHSTS(s)
		if h.Valid != (len(h.Errors) == 0) {
			t.Fatalf("Valid %v with errors %q", h.Valid, h.Errors)
		}
		if h.Valid && h.MaxAge < 0 {
			t.Fatalf("negative max-age %d", h.MaxAge)
		}
		if h.Valid && !strings.Contains(strings.ToLower(s), "max-age") {
			t.Fatalf("valid without max-age: %q", s)
		}
	})
}

// FuzzParseHPKP: never panics; a valid header has a matching and a backup pin.
func FuzzParseHPKP(f *testing.F) {
	leaf, backup := pinOf("leaf"), pinOf("backup")
	f.Add(`pin-sha256="`+leaf+`"; pin-sha256="`+backup+`"; max-age=10`, false)
	f.Add(`pin-sha256="x"; report-uri="u"; includeSubDomains`, true)
	f.Add(`max-age="1"; pin-sha256="\"`, false)
	served := map[string]bool{leaf: true}
	f.Fuzz(func(t *testing.T, s string, ro bool) {
		h := ParseHPKP(s, ro, served)
		if h.Valid && (len(h.Matching) == 0 || len(h.Backup) == 0) {
			t.Fatalf("valid without matching and backup pins: %+v", h)
		}
		if h.Valid != (len(h.Errors) == 0) {
			t.Fatalf("Valid %v with errors %q", h.Valid, h.Errors)
		}
	})
}
