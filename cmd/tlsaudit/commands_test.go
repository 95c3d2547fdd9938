package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tlsaudit/tlsaudit"
	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// noNetworkScanner fails the test if anything is scanned.
type noNetworkScanner struct {
	t    *testing.T
	mu   *sync.Mutex
	seen *[]string
}

func (s noNetworkScanner) Scan(_ context.Context, tg scan.Target) *obs.Observation {
	s.mu.Lock()
	*s.seen = append(*s.seen, tg.Host)
	s.mu.Unlock()
	return &obs.Observation{Schema: obs.SchemaVersion, Target: obs.Target{Input: tg.Input, Host: tg.Host, Port: tg.Port},
		Status: obs.StatusConnectionRefused, Error: "not scanned in this test"}
}

// forbidNetwork makes every DNS query fail the test and records what would
// have been scanned.
func forbidNetwork(t *testing.T) (deps, *[]string) {
	t.Helper()
	var mu sync.Mutex
	seen := &[]string{}
	d := defaultDeps()
	d.resolver = &net.Resolver{PreferGo: true, Dial: func(_ context.Context, network, address string) (net.Conn, error) {
		t.Errorf("DNS query sent (%s %s)", network, address)
		return nil, net.ErrClosed
	}}
	d.newScanner = func(*tlsaudit.Engine) scanner { return noNetworkScanner{t, &mu, seen} }
	return d, seen
}

// TestVersionCompletionHelpMakeNoNetworkAccess: the subcommands people
// expect are commands, not targets: no DNS query, nothing scanned.
func TestVersionCompletionHelpMakeNoNetworkAccess(t *testing.T) {
	d, seen := forbidNetwork(t)
	for _, args := range [][]string{
		{"version"}, {"--version"}, {"completion", "bash"}, {"completion", "zsh"}, {"completion", "fish"},
		{"help"}, {"help", "inspect"}, {"help", "batches"}, {"version", "--help"}, {"completion", "--help"},
	} {
		r := d.runCmd(t, "", args...)
		if r.code != exitOK || r.stdout == "" || r.stderr != "" {
			t.Errorf("tlsaudit %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	if len(*seen) > 0 {
		t.Errorf("scanned %v", *seen)
	}
}

// TestVersionNamesBuild: one line with the version and the Go version from
// the build information.
func TestVersionNamesBuild(t *testing.T) {
	r := runCmd(t, "", "version")
	r.expect(t, exitOK)
	if !strings.HasPrefix(r.stdout, "tlsaudit ") || !strings.Contains(r.stdout, "go1.") || !strings.Contains(r.stdout, "revision ") ||
		strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("version: %q", r.stdout)
	}
}

// TestBareWordIsNotATarget: a word without dot, port or scheme is a usage
// error naming the commands (no lookup); after "--" it is a target, as is
// localhost.
func TestBareWordIsNotATarget(t *testing.T) {
	d, seen := forbidNetwork(t)
	for _, w := range []string{"versoin", "completions", "intranet", "x-1"} {
		r := d.runCmd(t, "", w)
		r.expect(t, exitUsage)
		if !strings.Contains(r.stderr, "neither a command nor a target") || !strings.Contains(r.stderr, "tlsaudit -- "+w) {
			t.Errorf("%s: stderr %q", w, r.stderr)
		}
	}
	r := d.runCmd(t, "", "--quick", "--retries", "0", "--", "intranet", "db1")
	r.expect(t, exitScan)
	r = d.runCmd(t, "", "--quick", "--retries", "0", "localhost:1", "localhost")
	r.expect(t, exitScan)
	if got := strings.Join(sortedCopy(*seen), ","); got != "db1,intranet,localhost,localhost" {
		t.Errorf("scanned %q, want intranet, db1 and localhost twice", got)
	}
}

// TestSubcommandFlagsAfterFiles: every subcommand accepts its flags after
// its files, as the audit command does.
func TestSubcommandFlagsAfterFiles(t *testing.T) {
	r := runCmd(t, "", "checks", "--json")
	r.expect(t, exitOK)
	p := newInspectPKI(t)
	r = runCmd(t, "", "inspect", p.leaf, p.inter, "--ca-file", p.root, "--json")
	if r.code == exitUsage || strings.Contains(r.stderr, "open --ca-file") {
		t.Fatalf("inspect FILE --ca-file FILE: exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"custom"`) {
		t.Errorf("inspect did not use --ca-file given after the file:\n%s", r.stdout)
	}
	// diff: flags after the two files.
	r = runCmd(t, "", "diff", "old.json", "new.json", "--bogus")
	r.expect(t, exitUsage)
	if !strings.Contains(r.stderr, "not defined: --bogus") {
		t.Errorf("diff FILE FILE --bogus: %q", r.stderr)
	}
}

// TestCompletionScriptsParse: the generated scripts are valid in their
// shell (bash -n always; zsh and fish when installed, which .ci/run does),
// and name every flag of every command.
func TestCompletionScriptsParse(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := runCmd(t, "", "completion", sh)
		r.expect(t, exitOK)
		for _, spec := range completionSpec() {
			for _, f := range spec.flags {
				if !strings.Contains(r.stdout, strings.TrimPrefix(f, "--")) {
					t.Errorf("%s script lacks %s of %q", sh, f, spec.name)
				}
			}
		}
		bin, err := exec.LookPath(sh)
		if err != nil {
			t.Errorf("%s is not installed (.ci/run installs it): cannot check its completion script", sh)
			continue
		}
		path := filepath.Join(t.TempDir(), "c."+sh)
		if err := os.WriteFile(path, []byte(r.stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		check := []string{"-n", path}
		if sh == "fish" {
			check = []string{"--no-execute", path}
		}
		if out, err := exec.Command(bin, check...).CombinedOutput(); err != nil {
			t.Errorf("%s rejects its completion script: %v\n%s", sh, err, out)
		}
	}
	// bash: completing "tlsaudit inspect x --ca" offers --ca-file.
	script := runCmd(t, "", "completion", "bash").stdout + `
COMP_WORDS=(tlsaudit inspect x.pem --ca); COMP_CWORD=3; _tlsaudit; echo "${COMPREPLY[@]}"
COMP_WORDS=(tlsaudit --format j); COMP_CWORD=2; _tlsaudit; echo "${COMPREPLY[@]}"
COMP_WORDS=(tlsaudit comp); COMP_CWORD=1; _tlsaudit; echo "${COMPREPLY[@]}"
`
	out, err := exec.Command("bash", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	if got := string(out); got != "--ca-file\njson jsonl junit\ncompletion\n" {
		t.Errorf("bash completions:\n%s", got)
	}
}
