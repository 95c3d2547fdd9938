package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// k8sJob is what the test needs of docs/k8s/tlsaudit-job.yaml.
type k8sJob struct {
	completions int
	indexed     bool
	command     string   // the tlsaudit command line of the container
	targets     []string // the ConfigMap's targets.txt lines
}

// parseK8sJob reads the few fields the shard split depends on, with a
// line parser for this manifest's shape (no YAML dependency).
func parseK8sJob(t *testing.T, path string) k8sJob {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j k8sJob
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		indent := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case strings.HasPrefix(trimmed, "completions:"):
			j.completions, err = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(trimmed, "completions:")))
			if err != nil {
				t.Fatalf("completions: %v", err)
			}
		case trimmed == "completionMode: Indexed":
			j.indexed = true
		case trimmed == "targets.txt: |":
			for i+1 < len(lines) && (strings.TrimSpace(lines[i+1]) == "" || len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " ")) > indent) {
				i++
				if v := strings.TrimSpace(lines[i]); v != "" {
					j.targets = append(j.targets, v)
				}
			}
		case trimmed == "- >-" && j.command == "":
			var parts []string
			for i+1 < len(lines) && len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " ")) > indent {
				i++
				parts = append(parts, strings.TrimSpace(lines[i]))
			}
			j.command = strings.Join(parts, " ")
		}
	}
	return j
}

// TestK8sManifestShards: the example Indexed Job passes --shard
// $JOB_COMPLETION_INDEX/completions, and running every index over its list
// (with the manifest's own flags) audits every target exactly once.
func TestK8sManifestShards(t *testing.T) {
	j := parseK8sJob(t, filepath.Join("..", "..", "docs", "k8s", "tlsaudit-job.yaml"))
	if !j.indexed || j.completions < 2 || len(j.targets) < 2*j.completions-4 {
		t.Fatalf("manifest: indexed %v, completions %d, %d targets", j.indexed, j.completions, len(j.targets))
	}
	want := fmt.Sprintf("--shard ${JOB_COMPLETION_INDEX}/%d", j.completions)
	if !strings.Contains(j.command, want) {
		t.Fatalf("command %q lacks %q (N must equal completions)", j.command, want)
	}
	// The tlsaudit arguments, up to the shell redirection.
	fields := strings.Fields(strings.SplitN(j.command, ">", 2)[0])
	if len(fields) < 2 || fields[0] != "exec" || fields[1] != "tlsaudit" {
		t.Fatalf("command %q does not exec tlsaudit", j.command)
	}
	dir := t.TempDir()
	list := filepath.Join(dir, "targets.txt")
	if err := os.WriteFile(list, []byte(strings.Join(j.targets, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := useFakes(t, nil, nil)
	var inputs []string
	for _, l := range j.targets {
		if !strings.HasPrefix(l, "#") {
			inputs = append(inputs, l)
		}
	}
	seen := map[string]int{}
	nonEmpty := 0
	index := regexp.MustCompile(`\$\{JOB_COMPLETION_INDEX\}`)
	for k := range j.completions {
		var args []string
		for _, f := range fields[2:] {
			f = index.ReplaceAllString(f, strconv.Itoa(k))
			f = strings.ReplaceAll(f, "/targets/targets.txt", list)
			f = strings.ReplaceAll(f, "/out/", dir+"/") // --resume: absent, nothing done yet
			args = append(args, f)
		}
		r := d.runCmd(t, "", args...)
		if r.code != exitOK {
			t.Fatalf("shard %d: exit %d\n%s", k, r.code, r.stderr)
		}
		recs := b7Records(t, r.stdout)
		if len(recs) > 0 {
			nonEmpty++
		}
		for _, rep := range recs {
			seen[rep.Target.Input]++
		}
	}
	for _, in := range inputs {
		if seen[in] != 1 {
			t.Errorf("%q audited by %d shards, want exactly 1", in, seen[in])
		}
	}
	if len(seen) != len(inputs) {
		t.Errorf("%d targets audited, the list has %d", len(seen), len(inputs))
	}
	if nonEmpty < 2 {
		t.Errorf("only %d of %d shards got targets: the split does not spread", nonEmpty, j.completions)
	}
}
