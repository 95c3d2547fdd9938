package main

import (
	"flag"
	"io"
	"strings"
)

// One flag grammar for every subcommand: the standard flag package, with
// flags allowed anywhere among the positional arguments ("inspect chain.pem
// --ca-file root.pem") and "--" ending the flags. The subcommands share this
// parser rather than a command framework so that each stays a plain
// function over its own *flag.FlagSet, from which the completion scripts
// are generated (completion.go).

// newFlagSet returns an empty flag set that reports nothing itself: the
// caller prints one line of error and its own help.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses args with fs, flags interspersed with positional
// arguments. It returns the positional arguments in order and how many of
// them came before "--" (those after it are taken literally, even when they
// start with a dash).
func parseArgs(fs *flag.FlagSet, args []string) (positional []string, beforeDash int, err error) {
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return nil, 0, err
		}
		// flag stops at the first non-flag, or after a "--" in a flag's
		// place, which it drops.
		left := fs.Args()
		if n := len(rest) - len(left); n > 0 && rest[n-1] == "--" && !(n >= 2 && takesValueArg(fs, rest[n-2])) {
			return append(positional, left...), len(positional), nil
		}
		if len(left) == 0 {
			return positional, len(positional), nil
		}
		positional = append(positional, left[0])
		rest = left[1:]
	}
}

// takesValueArg reports whether arg is a flag of fs whose value is the next
// argument ("--sni NAME", not "--sni=NAME" or a bool flag).
func takesValueArg(fs *flag.FlagSet, arg string) bool {
	name, ok := strings.CutPrefix(arg, "-")
	if !ok || strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(strings.TrimPrefix(name, "-"))
	return f != nil && !isBoolFlag(f)
}

// isBoolFlag reports whether f takes no value.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// flagNames lists the flags of fs as "--name", bool flags marked with
// takesValue false.
func flagNames(fs *flag.FlagSet) (names []string, takesValue map[string]bool) {
	takesValue = map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) {
		names = append(names, "--"+f.Name)
		takesValue["--"+f.Name] = !isBoolFlag(f)
	})
	return names, takesValue
}

// bareWord reports whether a command-line argument cannot name a target
// unless written after "--": a single word of host-name characters with no
// dot, colon (port, IPv6 literal or scheme) or slash, other than
// "localhost". Such a word is far more often a mistyped subcommand than a
// host on the local search domain, and resolving it would send a DNS query
// for it. (Other malformed arguments still get their invalid_target record.)
func bareWord(a string) bool {
	if a == "" || strings.EqualFold(a, "localhost") {
		return false
	}
	for _, r := range a {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return !strings.HasPrefix(a, "-")
}
