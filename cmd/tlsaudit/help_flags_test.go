package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// helpFlag is a flag named in the usage text.
var helpFlag = regexp.MustCompile(`--([a-z][a-z0-9-]+)`)

// definedFlag is a flag registered on a flag set in the source.
var definedFlag = regexp.MustCompile(`fs\.[A-Za-z]+\((?:&[\w.]+, )?"([a-z][a-z0-9-]*)"`)

// subcommandFiles register the flags of inspect, diff, checks and serve,
// which have their own help.
var subcommandFiles = map[string]bool{"inspect.go": true, "diff.go": true, "checkscmd.go": true, "serve.go": true, "serve_web.go": true}

// anySubcommandFlag reports whether a subcommand has the flag --name.
func anySubcommandFlag(name string) bool {
	for _, c := range subcommands {
		if c.flags != nil && c.flags().Lookup(name) != nil {
			return true
		}
	}
	return false
}

// mainUsageFlags are the flags the usage text names outside the synopsis
// lines of subcommands with a help of their own (serve).
func mainUsageFlags() map[string]bool {
	named := map[string]bool{}
	for _, line := range strings.Split(usage, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "tlsaudit serve ") {
			continue
		}
		for _, m := range helpFlag.FindAllStringSubmatch(line, -1) {
			named[m[1]] = true
		}
	}
	return named
}

// TestHelpListsEveryFlag: every flag the usage text names exists (parsing
// it alone never says "not defined"), and every flag the audit command
// registers is named in the usage text.
func TestHelpListsEveryFlag(t *testing.T) {
	r := runCmd(t, "", "--help")
	r.expect(t, exitOK)
	if r.stdout != usage {
		t.Fatalf("--help does not print the usage text:\n%s", r.stdout)
	}
	named := mainUsageFlags()
	if len(named) < 30 {
		t.Fatalf("the usage text names only %d flags", len(named))
	}
	// The synopsis at the top names the flags of the subcommands too; the
	// rest of the text is about the audit command.
	body := usage[strings.Index(usage, "\nExamples:"):]
	synopsis := map[string]bool{}
	for _, m := range helpFlag.FindAllStringSubmatch(usage[:len(usage)-len(body)], -1) {
		synopsis[m[1]] = true
	}
	for name := range named {
		r := runCmd(t, "", "--"+name)
		if !strings.Contains(r.stderr, "not defined") {
			continue
		}
		if synopsis[name] && !strings.Contains(body, "--"+name) && anySubcommandFlag(name) {
			continue
		}
		t.Errorf("the usage text names --%s, which is not a flag: %s", name, r.stderr)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	defined := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || subcommandFiles[f] {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range definedFlag.FindAllStringSubmatch(string(src), -1) {
			defined++
			if !named[m[1]] {
				missing = append(missing, f+": --"+m[1])
			}
		}
	}
	if defined < 30 {
		t.Fatalf("found only %d flag definitions in the source: the pattern is stale", defined)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("flag not in the usage text: %s", m)
	}
}

// TestServeHelpListsEveryServeFlag: every flag "serve" registers is named
// in "serve --help", and every flag that help or the main synopsis of serve
// names is accepted by serve.
func TestServeHelpListsEveryServeFlag(t *testing.T) {
	var out bytes.Buffer
	if code := runContext(context.Background(), []string{"serve", "--help"}, strings.NewReader(""), &out, io.Discard); code != exitOK {
		t.Fatalf("serve --help exited %d", code)
	}
	help := out.String()
	src, err := os.ReadFile("serve.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range definedFlag.FindAllStringSubmatch(string(src), -1) {
		n++
		if !strings.Contains(help, "--"+m[1]) {
			t.Errorf("serve --help does not name --%s", m[1])
		}
	}
	if n < 8 {
		t.Fatalf("found only %d flag definitions in serve.go: the pattern is stale", n)
	}
	named := map[string]bool{}
	for _, m := range helpFlag.FindAllStringSubmatch(help, -1) {
		named[m[1]] = true
	}
	for _, line := range strings.Split(usage, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "tlsaudit serve ") {
			for _, m := range helpFlag.FindAllStringSubmatch(line, -1) {
				named[m[1]] = true
			}
		}
	}
	for name := range named {
		var stderr bytes.Buffer
		// "--help" alone prints help; any other flag without its value
		// either parses or complains about the value, never "not defined".
		runContext(context.Background(), []string{"serve", "--" + name, "--listen", "bad address"}, strings.NewReader(""), io.Discard, &stderr)
		if strings.Contains(stderr.String(), "not defined") {
			t.Errorf("serve --help names --%s, which serve does not accept: %s", name, stderr.String())
		}
	}
}
