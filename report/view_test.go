package report

import (
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks/grade"
)

func TestNextGradeFixes(t *testing.T) {
	caps := []grade.Cap{{Grade: "T", Reason: "untrusted", CheckID: "cert.untrusted"}, {Grade: "B", Reason: "weak DH"}}
	warn := []grade.Cap{{Grade: "A-", Reason: "no HSTS"}}
	tests := []struct {
		g    *grade.Grade
		want string
	}{
		{nil, ""},
		{&grade.Grade{Error: "not graded"}, ""},
		{&grade.Grade{Letter: "T", Caps: caps}, "untrusted"},
		{&grade.Grade{Letter: "B", Caps: caps[1:]}, "weak DH"},
		{&grade.Grade{Letter: "A-", Warnings: warn}, "no HSTS"},
		{&grade.Grade{Letter: "A+", Warnings: nil}, ""},
		{&grade.Grade{Letter: "A"}, ""},
		{&grade.Grade{Letter: "C", Score: 55, Protocol: 90, KeyExchange: 40, Cipher: 60}, "raise the score 55 (weakest: key exchange 40)"},
	}
	for _, tc := range tests {
		var got []string
		for _, c := range NextGradeFixes(tc.g) {
			got = append(got, c.Reason)
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("NextGradeFixes(%+v) = %q, want %q", tc.g, got, tc.want)
		}
	}
}

func TestScoreBar(t *testing.T) {
	for score, want := range map[int]string{0: "░░░░░░░░░░", 100: "██████████", 55: "██████░░░░", 150: "██████████", -5: "░░░░░░░░░░"} {
		if got := scoreBar(score, 10); got != want {
			t.Errorf("scoreBar(%d) = %s, want %s", score, got, want)
		}
	}
}

func TestJSONFieldsOrder(t *testing.T) {
	type inner struct {
		Z string `json:"z"`
		A int    `json:"a"`
	}
	v := struct {
		B     string   `json:"b"`
		A     []string `json:"a"`
		List  []inner  `json:"list"`
		Empty *inner   `json:"empty"`
	}{"x\x1b", []string{"1", "2"}, []inner{{"q", 1}}, nil}
	var got []string
	for _, f := range jsonFields(v) {
		got = append(got, f.Name+"="+f.Value)
	}
	want := "b=x?|a=1, 2|list[0].z=q|list[0].a=1"
	if strings.Join(got, "|") != want {
		t.Errorf("jsonFields = %q, want %q (declaration order, control bytes replaced)", strings.Join(got, "|"), want)
	}
}
