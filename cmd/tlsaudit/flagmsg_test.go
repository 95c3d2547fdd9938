package main

import (
	"strings"
	"testing"
)

func TestFlagMessage(t *testing.T) {
	for in, want := range map[string]string{
		"flag provided but not defined: -bogus":                     "flag provided but not defined: --bogus",
		`invalid value "x" for flag -concurrency: parse error`:      `invalid value "x" for flag --concurrency: parse error`,
		"flag needs an argument: -sni":                              "flag needs an argument: --sni",
		`invalid --rate "0": want a positive number, e.g. 10 or -1`: `invalid --rate "0": want a positive number, e.g. 10 or -1`,
		"checks takes no arguments (got \"x-y\")":                   "checks takes no arguments (got \"x-y\")",
	} {
		if got := flagMessage(in); got != want {
			t.Errorf("flagMessage(%q) = %q, want %q", in, got, want)
		}
	}
	// End to end: one error line naming the flag as the help does.
	for flag, args := range map[string][]string{
		"bogus": {"--bogus"}, "concurrency": {"--concurrency", "x"},
		"json": {"checks", "--json=x"}, "host": {"inspect", "--host"},
	} {
		r := runCmd(t, "", args...)
		r.expect(t, exitUsage)
		first, _, _ := strings.Cut(r.stderr, "\n")
		if !strings.HasPrefix(first, "tlsaudit: error: ") || !strings.Contains(first, " --"+flag) {
			t.Errorf("%q: error line %q, want one naming --%s", args, first, flag)
		}
	}
}
