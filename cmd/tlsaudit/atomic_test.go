package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// TestKilledRunKeepsReport: a run killed with SIGKILL (no chance to clean
// up) in the middle of its targets leaves the previous --html report
// intact, not a truncated one; a run that completes replaces it whole and
// leaves no temporary file.
func TestKilledRunKeepsReport(t *testing.T) {
	if args := os.Getenv("TLSAUDIT_ATOMIC_CHILD_ARGS"); args != "" {
		os.Exit(run(strings.Fields(args), strings.NewReader(""), os.Stdout, os.Stderr))
	}
	silent, err := tlstest.NewHostileServer(tlstest.HostileSilent)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	old := []byte("<!DOCTYPE html><p>the previous report</p>\n")
	if err := os.WriteFile(page, old, 0o644); err != nil {
		t.Fatal(err)
	}

	// The child audits a closed port (done at once: a report is in
	// memory) and the silent server (hangs for a minute), and is killed.
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledRunKeepsReport$")
	cmd.Env = append(os.Environ(), "TLSAUDIT_ATOMIC_CHILD_ARGS="+fmt.Sprintf(
		"--format jsonl --html %s --conn-timeout 60s --timeout 60s --system-store=false 127.0.0.1:1 %s", page, silent.Addr))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for silent.ConnCount() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if silent.ConnCount() == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child never reached the silent server; stderr:\n%s", stderr.String())
	}
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	if b, err := os.ReadFile(page); err != nil || !bytes.Equal(b, old) {
		t.Fatalf("after a killed run the report is %q (%v), want the previous one intact", b, err)
	}

	// A run that completes replaces the report whole.
	r := runCmd(t, "", "--format", "jsonl", "--html", page, "--system-store=false", "127.0.0.1:1")
	b, err := os.ReadFile(page)
	if err != nil || !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) || !strings.Contains(string(b), "127.0.0.1:1") ||
		!strings.HasSuffix(strings.TrimSpace(string(b)), "</html>") {
		t.Fatalf("after a completed run (exit %d, stderr %q) the report is %d bytes: %.200q (%v)", r.code, r.stderr, len(b), b, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files left in the report directory: %v", names)
	}
}
