package termsafe

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The subject and SAN of the hostile certificate of the test corpus.
const (
	hostileCN  = "\x1b]0;PWNED\a\x1b[2J\x1b[31mRED\x1b[0m\r\nFAKE: Grade A"
	hostileSAN = "\x1b[5mblink"
)

func TestStringReplacesEscapesAndLineBreaks(t *testing.T) {
	for in, want := range map[string]string{
		hostileCN:                   "?]0;PWNED??[2J?[31mRED?[0m??FAKE: Grade A",
		hostileSAN:                  "?[5mblink",
		"plain.example.com":         "plain.example.com",
		"caf\u00e9 \u4e2d\u6587":    "caf\u00e9 \u4e2d\u6587",
		"a\u009b31mb":               "a?31mb",
		"x\u202eevil\u2066y\u2028z": "x?evil?y?z",
		"tab\there\x7f":             "tab?here?",
		"bad\xff\xfeutf8":           "bad??utf8",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCloneSanitisesEveryStringAndLeavesTheOriginal(t *testing.T) {
	type leaf struct {
		Name   string
		Names  []string
		Raw    []byte
		Labels map[string]string
		When   time.Time
		hidden string
	}
	type root struct {
		Title  string
		Leaf   *leaf
		Leaves []leaf
		Any    any
		Same   *leaf
	}
	l := &leaf{Name: hostileCN, Names: []string{hostileSAN}, Raw: []byte{0x1b}, Labels: map[string]string{"k\n": "v\x1b"},
		When: time.Unix(1, 0), hidden: "\x1b"}
	r := &root{Title: "t\r", Leaf: l, Leaves: []leaf{*l}, Any: hostileSAN, Same: l}
	before, _ := json.Marshal(r)
	c := Clone(r)
	after, _ := json.Marshal(r)
	if string(before) != string(after) {
		t.Fatalf("Clone modified its argument:\n%s\n%s", before, after)
	}
	if c.Leaf != c.Same {
		t.Errorf("a shared pointer was copied twice")
	}
	if c.Leaf.hidden != "\x1b" || c.Leaf.Raw[0] != 0x1b || !c.Leaf.When.Equal(l.When) {
		t.Errorf("non-text data changed: %+v", c.Leaf)
	}
	out, _ := json.Marshal(c)
	for _, bad := range []string{`\u001b`, `\r`, `\n`, `\u0007`} {
		if strings.Contains(strings.ReplaceAll(string(out), `"Raw":"Gw=="`, ""), bad) {
			t.Errorf("clone still holds %s: %s", bad, out)
		}
	}
	if c.Any.(string) != "?[5mblink" || c.Leaves[0].Labels["k?"] != "v?" {
		t.Errorf("clone = %s", out)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{hostileCN, hostileSAN, "ok", "\xff", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("String(%q) = %q: invalid UTF-8", s, out)
		}
		for _, r := range out {
			if Unsafe(r) {
				t.Fatalf("String(%q) = %q keeps %U", s, out, r)
			}
		}
		if String(out) != out {
			t.Fatalf("String is not idempotent on %q", s)
		}
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(s) {
			t.Fatalf("String(%q) = %q changed the rune count", s, out)
		}
	})
}

func TestCloneKeepsTheLinesOfFieldsTaggedLines(t *testing.T) {
	type snippet struct {
		Text  string `termsafe:"lines"`
		Other string
	}
	c := Clone(snippet{Text: "a b;\n\x1b[2Jc\r\n", Other: "x\ny"})
	if c.Text != "a b;\n?[2Jc?\n" || c.Other != "x?y" {
		t.Errorf("clone = %q", c)
	}
}
