package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
)

// subcommand is a word that, as the first argument, names a command
// rather than a target.
type subcommand struct {
	run func(d deps, ctx context.Context, args []string, stdout, stderr io.Writer) int
	// flags returns the command's flag set (for completion); nil: none.
	flags func() *flag.FlagSet
	// help is the command's help text.
	help func() string
	// args completes its positional arguments: "files", or a fixed list.
	args []string
}

// subcommands is filled by init (they refer to each other through help).
var subcommands map[string]subcommand

func init() {
	subcommands = map[string]subcommand{
		"demo": {
			run: runDemo,
			flags: func() *flag.FlagSet {
				var c config
				var v mainVars
				return mainFlagSet("demo", &c, &v)
			},
			help: func() string { return usage },
		},
		"checks": {
			run:   func(d deps, _ context.Context, a []string, o, e io.Writer) int { return runChecks(d, a, o, e) },
			flags: func() *flag.FlagSet { var b bool; return checksFlagSet(&b) },
			help:  func() string { return checksUsage },
		},
		"inspect": {
			run:   func(_ deps, _ context.Context, a []string, o, e io.Writer) int { return runInspect(a, o, e) },
			flags: func() *flag.FlagSet { var v inspectVars; return inspectFlagSet(&v) },
			help:  func() string { return inspectUsage },
			args:  []string{"files"},
		},
		"diff": {
			run:   func(d deps, _ context.Context, a []string, o, e io.Writer) int { return runDiff(d, a, o, e) },
			flags: func() *flag.FlagSet { var v diffVars; return diffFlagSet(&v) },
			help:  func() string { return diffUsage },
			args:  []string{"files"},
		},
		"serve": {
			run:   func(_ deps, ctx context.Context, a []string, o, e io.Writer) int { return runServe(ctx, a, o, e) },
			flags: func() *flag.FlagSet { var c serveConfig; var w webConfig; return serveFlagSet(&c, &w) },
			help:  func() string { return serveUsage + serveWebUsage },
		},
		"version": {
			run:  func(_ deps, _ context.Context, a []string, o, e io.Writer) int { return runVersion(a, o, e) },
			help: func() string { return versionUsage },
		},
		"completion": {
			run:  func(_ deps, _ context.Context, a []string, o, e io.Writer) int { return runCompletion(a, o, e) },
			help: func() string { return completionUsage },
			args: []string{"bash", "zsh", "fish"},
		},
		"help": {
			run:  func(_ deps, _ context.Context, a []string, o, e io.Writer) int { return runHelp(a, o, e) },
			help: func() string { return helpUsage },
			args: append(commandNames(), helpTopics()...),
		},
	}
}

// commandNames lists the subcommands, sorted.
func commandNames() []string {
	names := []string{"checks", "completion", "demo", "diff", "help", "inspect", "serve", "version"}
	return names
}

const checksUsage = "Usage: tlsaudit checks [--json]\n\nLists every check: ID, severity, category, title and references.\n"

const versionUsage = `Usage: tlsaudit version (or tlsaudit --version)

Prints the module version, the VCS revision and time the binary was built
from, and the Go version. Reads only the binary's build information.
`

const completionUsage = `Usage: tlsaudit completion bash|zsh|fish

Prints a shell completion script for every subcommand and flag:
  bash:  source <(tlsaudit completion bash)     (or save it under
         /etc/bash_completion.d/tlsaudit)
  zsh:   tlsaudit completion zsh > "${fpath[1]}/_tlsaudit"
  fish:  tlsaudit completion fish > ~/.config/fish/completions/tlsaudit.fish
`

const helpUsage = `Usage: tlsaudit help [COMMAND|TOPIC]

Without an argument, the full help (as --help). COMMAND is one of the
subcommands; TOPIC one of the sections of the full help.
`

// runVersion is `tlsaudit version`.
func runVersion(args []string, stdout, stderr io.Writer) int {
	rest, _, err := parseArgs(newFlagSet("version"), args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, versionUsage)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, err.Error(), "usage: tlsaudit version")
	}
	if len(rest) > 0 {
		return usageError(stderr, fmt.Sprintf("version takes no arguments (got %q)", rest[0]), "usage: tlsaudit version")
	}
	writeVersion(stdout)
	return exitOK
}

// writeVersion prints one line: the module version ("(devel)" for a build
// from a checkout without -ldflags), then from the build information the
// VCS revision, its commit time, whether the tree was modified, and the Go
// version: "tlsaudit v1.2.0 (revision 0123abcd, 2026-12-01T10:00:00Z, go1.26.8)".
func writeVersion(w io.Writer) {
	var facts []string
	if bi, ok := debug.ReadBuildInfo(); ok {
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			if settings["vcs.modified"] == "true" {
				rev += "+modified"
			}
			facts = append(facts, "revision "+rev)
		} else {
			facts = append(facts, "revision unknown")
		}
		if t := settings["vcs.time"]; t != "" {
			facts = append(facts, t)
		}
		facts = append(facts, bi.GoVersion)
	}
	if len(facts) == 0 {
		fmt.Fprintln(w, "tlsaudit", toolVersion())
		return
	}
	fmt.Fprintf(w, "tlsaudit %s (%s)\n", toolVersion(), strings.Join(facts, ", "))
}

// runHelp is `tlsaudit help [COMMAND|TOPIC]`.
func runHelp(args []string, stdout, stderr io.Writer) int {
	rest, _, err := parseArgs(newFlagSet("help"), args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, helpUsage)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, err.Error(), "usage: tlsaudit help [COMMAND|TOPIC]")
	}
	switch len(rest) {
	case 0:
		fmt.Fprint(stdout, usage)
		return exitOK
	case 1:
	default:
		return usageError(stderr, "help takes one command or topic", "usage: tlsaudit help [COMMAND|TOPIC]")
	}
	name := strings.ToLower(rest[0])
	if c, ok := subcommands[name]; ok {
		fmt.Fprint(stdout, c.help())
		return exitOK
	}
	if text, ok := helpTopic(name); ok {
		fmt.Fprint(stdout, text)
		return exitOK
	}
	return usageError(stderr, fmt.Sprintf("no help on %q", rest[0]),
		"commands: "+strings.Join(commandNames(), ", ")+"; topics: "+strings.Join(helpTopics(), ", "))
}

// helpTopics are the sections of the full help, by the first word of their
// heading in lower case ("Targets:" → targets, "Certificates and trust:" →
// certificates).
func helpTopics() []string {
	var out []string
	for _, s := range helpSections() {
		out = append(out, s.topic)
	}
	return out
}

func helpTopic(name string) (string, bool) {
	for _, s := range helpSections() {
		if s.topic == name {
			return s.text, true
		}
	}
	return "", false
}

type helpSection struct{ topic, text string }

// helpSections splits the full help at its unindented headings.
func helpSections() []helpSection {
	var out []helpSection
	for _, line := range strings.SplitAfter(usage, "\n") {
		head := line != "" && line[0] != ' ' && line[0] != '\n' && !strings.HasPrefix(line, "Usage:")
		if head {
			word := strings.ToLower(strings.Trim(strings.Fields(line)[0], ":"))
			out = append(out, helpSection{topic: word})
		}
		if len(out) > 0 {
			out[len(out)-1].text += line
		}
	}
	return slices.DeleteFunc(out, func(s helpSection) bool { return strings.TrimSpace(s.text) == "" })
}
