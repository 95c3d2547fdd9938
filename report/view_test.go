package report

import (
	"strings"
	"testing"
)

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
