package grade

import (
	"strings"
	"testing"
)

func TestNextFixesNameWhatHoldsTheGrade(t *testing.T) {
	caps := []Cap{{Grade: "T", Reason: "untrusted", CheckID: "cert.untrusted"}, {Grade: "B", Reason: "weak DH"}}
	warn := []Cap{{Grade: "A-", Reason: "no HSTS"}}
	tests := []struct {
		g    *Grade
		want string
	}{
		{nil, ""},
		{&Grade{Error: "not graded"}, ""},
		{&Grade{Letter: "T", Caps: caps}, "untrusted"},
		{&Grade{Letter: "B", Caps: caps[1:]}, "weak DH"},
		{&Grade{Letter: "A-", Warnings: warn}, "no HSTS"},
		{&Grade{Letter: "A+", Warnings: nil}, ""},
		{&Grade{Letter: "A"}, ""},
		{&Grade{Letter: "C", Score: 55, Protocol: 90, KeyExchange: 40, Cipher: 60}, "raise the score 55 (weakest: key exchange 40)"},
	}
	for _, tc := range tests {
		var got []string
		for _, c := range tc.g.NextFixes() {
			got = append(got, c.Reason)
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("NextFixes(%+v) = %q, want %q", tc.g, got, tc.want)
		}
	}
}
