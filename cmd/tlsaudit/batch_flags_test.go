package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/batch"
	"github.com/tlsaudit/tlsaudit/scan/batch/batchtest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// b7Records parses JSON Lines output, failing on any line that is not a report.
func b7Records(t *testing.T, out string) []report.Report {
	t.Helper()
	var rs []report.Report
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var r report.Report
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d is not a JSON report: %v\n%.300s", len(rs)+1, err, sc.Text())
		}
		rs = append(rs, r)
	}
	return rs
}

// b7TLS serves TLS with a throwaway self-signed certificate on addr
// ("127.0.0.1:0", "[::1]:PORT") until the test ends.
func b7TLS(t *testing.T, addr string) net.Listener {
	t.Helper()
	cert, err := batchtest.SelfSigned("dual.b7.test")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	go batchtest.ServeTLS(ln, cert)
	return ln
}

// TestBatchEndpoints: a name with an A and an AAAA record gives one record
// per address, each carrying the input; a name that does not resolve and a
// malformed target give exactly one record each. Names resolve through an
// in-process DNS server, never an outside one.
func TestBatchEndpoints(t *testing.T) {
	v4 := b7TLS(t, "127.0.0.1:0")
	port := v4.Addr().(*net.TCPAddr).Port
	b7TLS(t, net.JoinHostPort("::1", strconv.Itoa(port)))
	dns := batchtest.StartDNS(t, map[string][]netip.Addr{"dual.b7.test": {netip.MustParseAddr("::1"), netip.MustParseAddr("127.0.0.1")}})
	d := defaultDeps()
	d.resolver = dns.Resolver

	dual := "dual.b7.test:" + strconv.Itoa(port)
	r := d.runCmd(t, "", "--quick", "--format", "jsonl", "--system-store=false", dual, "nx.b7.test:"+strconv.Itoa(port), "bad target")
	r.expect(t, exitUsage)
	var got []string
	for _, rep := range b7Records(t, r.stdout) {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s", rep.Target.Input, rep.Target.IP, rep.Target.SNI, rep.Status))
	}
	want := []string{
		dual + "|127.0.0.1|dual.b7.test|ok",
		dual + "|::1|dual.b7.test|ok",
		"nx.b7.test:" + strconv.Itoa(port) + "||nx.b7.test|resolve_error",
		"bad target|||invalid_target",
	}
	// jsonl is written as records finish: compare as sets.
	if strings.Join(sortedCopy(got), "\n") != strings.Join(sortedCopy(want), "\n") {
		t.Errorf("records:\n%s\nwant:\n%s\nstderr:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), r.stderr)
	}
	if !strings.Contains(r.stderr, "resolve nx.b7.test") {
		t.Errorf("stderr lacks the resolve error:\n%s", r.stderr)
	}

	// --json keeps input order, endpoints in address order; --ip pins one
	// address without DNS.
	before := dns.Queries()
	r = d.runCmd(t, "", "--quick", "--json", "--system-store=false", "--ip", "::1", dual)
	r.expect(t, exitOK)
	rs := decodeJSON(t, r.stdout)
	if len(rs) != 1 || rs[0].Target.IP != "::1" || rs[0].Target.SNI != "dual.b7.test" || dns.Queries() != before {
		t.Errorf("--ip: %d records, first %+v, %d DNS queries", len(rs), rs[0].Target, dns.Queries()-before)
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

// TestBatchShardResume: the shards of a list cover it exactly once, and
// --resume redoes only what an earlier output does not hold as final.
func TestBatchShardResume(t *testing.T) {
	d := useFakes(t, nil, nil)
	var list []string
	for i := range 40 {
		list = append(list, fmt.Sprintf("h%d.test", i))
	}
	file := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(file, []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for k := range 3 {
		r := d.runCmd(t, "", "--format", "jsonl", "--targets", file, "--shard", fmt.Sprintf("%d/3", k))
		r.expect(t, exitOK)
		for _, rep := range b7Records(t, r.stdout) {
			seen[rep.Target.Input]++
			if batch.ShardOf(rep.Target.Input, 3) != k {
				t.Errorf("shard %d/3 audited %s", k, rep.Target.Input)
			}
		}
	}
	for _, in := range list {
		if seen[in] != 1 {
			t.Errorf("%s audited %d times across 3 shards", in, seen[in])
		}
	}
	r := d.runCmd(t, "", "--targets", file, "--shard", "3/3")
	if r.code != exitUsage || !strings.Contains(r.stderr, "0-based") {
		t.Errorf("--shard 3/3: exit %d, stderr %q", r.code, r.stderr)
	}

	// An earlier run was interrupted: h0..h9 done, h10 canceled, and the
	// last record cut short by a kill.
	full := d.runCmd(t, "", "--format", "jsonl", "--targets", file)
	lines := strings.SplitAfter(full.stdout, "\n")
	byInput := map[string]string{}
	for _, l := range lines {
		var rec struct {
			Target struct{ Input string } `json:"target"`
		}
		if json.Unmarshal([]byte(l), &rec) == nil {
			byInput[rec.Target.Input] = l
		}
	}
	var prev strings.Builder
	for i := range 10 {
		prev.WriteString(byInput[fmt.Sprintf("h%d.test", i)])
	}
	prev.WriteString(`{"target":{"input":"h10.test"},"status":"canceled"}` + "\n")
	prev.WriteString(byInput["h11.test"][:40])
	out := filepath.Join(t.TempDir(), "out.jsonl")
	if err := os.WriteFile(out, []byte(prev.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r = d.runCmd(t, "", "--format", "jsonl", "--targets", file, "--resume", out)
	r.expect(t, exitOK)
	redone := map[string]bool{}
	for _, rep := range b7Records(t, r.stdout) {
		redone[rep.Target.Input] = true
	}
	if len(redone) != 30 || redone["h9.test"] || !redone["h10.test"] || !redone["h11.test"] || !redone["h39.test"] {
		t.Errorf("resume redid %d targets (%v); want h10..h39", len(redone), redone)
	}
	if !strings.Contains(r.stderr, "partial record") {
		t.Errorf("stderr lacks the partial-record warning: %q", r.stderr)
	}
	// A missing --resume file holds nothing: the first run of a resumable scan.
	r = d.runCmd(t, "", "--format", "jsonl", "--targets", file, "--resume", filepath.Join(t.TempDir(), "none.jsonl"))
	if r.expect(t, exitOK); len(b7Records(t, r.stdout)) != 40 {
		t.Errorf("resume from a missing file: %d records", len(b7Records(t, r.stdout)))
	}
}

// TestBatchProgress: a bar on a terminal stderr, nothing when stderr is not one.
func TestBatchProgress(t *testing.T) {
	d := useFakes(t, nil, nil)
	args := []string{"--format", "jsonl", "a.test", "b.test", "down.test"}
	r := d.runCmd(t, "", args...)
	r.expect(t, exitScan)
	if r.stderr != "tlsaudit: error: down.test: connection_refused: connect: connection refused\n" {
		t.Errorf("stderr is not a terminal: want only the error line, got %q", r.stderr)
	}
	d.progressTerminal = func(io.Writer) bool { return true }
	r = d.runCmd(t, "", args...)
	r.expect(t, exitScan)
	for _, want := range []string{"3/3 targets", "failures 1", "ETA", "down.test: connection_refused"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("progress output lacks %q:\n%q", want, r.stderr)
		}
	}
	if len(b7Records(t, r.stdout)) != 3 {
		t.Error("the progress bar must not touch stdout")
	}
}

// TestBatchRateRetries: --rate paces the audits; a refused connection is
// retried with backoff and the record notes the attempts.
func TestBatchRateRetries(t *testing.T) {
	d := useFakes(t, nil, nil)
	start := time.Now()
	r := d.runCmd(t, "", "--format", "jsonl", "--concurrency", "8", "--rate", "20/s", "a.test", "b.test", "c.test", "d.test", "e.test", "f.test", "g.test", "h.test", "i.test", "j.test", "k.test")
	r.expect(t, exitOK)
	if el := time.Since(start); el < 450*time.Millisecond {
		t.Errorf("11 audits at 20/s took %v, want at least 0.5s", el)
	}
	for _, bad := range []string{"0", "-3", "x/s"} {
		if r := d.runCmd(t, "", "--rate", bad, "a.test"); r.code != exitUsage {
			t.Errorf("--rate %s: exit %d", bad, r.code)
		}
	}

	// The real engine against a closed port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	d.newScanner = defaultDeps().newScanner // the real engine
	start = time.Now()
	r = d.runCmd(t, "", "--format", "jsonl", "--retries", "2", "--conn-timeout", "1s", addr)
	r.expect(t, exitScan)
	rs := b7Records(t, r.stdout)
	if len(rs) != 1 || rs[0].Status != obs.StatusConnectionRefused {
		t.Fatalf("records %+v", rs)
	}
	notes := 0
	for _, e := range rs[0].Observation.Errors {
		if e.Probe == "connect" && strings.Contains(e.Error, "connection refused; retried after") {
			notes++
		}
	}
	if el := time.Since(start); notes != 2 || el < 700*time.Millisecond {
		t.Errorf("%d retry notes after %v, want 2 after 0.25s+0.5s at least: %+v", notes, el, rs[0].Observation.Errors)
	}
}

// TestBatchInterrupt runs the command in a child process, interrupts it
// while audits hang, and checks the output: well-formed JSON Lines with a
// record for every target taken, the hanging ones canceled after the
// grace period, exit 130.
func TestBatchInterrupt(t *testing.T) {
	if os.Getenv("TLSAUDIT_B7_CHILD") == "1" {
		interruptGrace = 300 * time.Millisecond
		ctx, stop := interruptContext(os.Stderr)
		code := runContext(ctx, strings.Fields(os.Getenv("TLSAUDIT_B7_ARGS")), os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	good := b7TLS(t, "127.0.0.1:0").Addr().String()
	// A silent server: accepts and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	var list []string
	for i := range 200 {
		if i%2 == 0 {
			list = append(list, good)
		} else {
			list = append(list, silent.Addr().String())
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBatchInterrupt$")
	cmd.Env = append(os.Environ(), "TLSAUDIT_B7_CHILD=1",
		"TLSAUDIT_B7_ARGS=--quick --format jsonl --concurrency 4 --conn-timeout 30s --timeout 60s --system-store=false -")
	cmd.Stdin = strings.NewReader(strings.Join(list, "\n"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	start := time.Now()
	err = cmd.Wait()
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("the child took %v to stop after SIGINT", el)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Fatalf("child: %v, want exit %d\nstderr:\n%s", err, exitInterrupted, stderr.String())
	}
	rs := b7Records(t, stdout.String())
	canceled := 0
	for _, r := range rs {
		if r.Status == obs.StatusCanceled {
			canceled++
		}
	}
	if len(rs) == 0 || len(rs) >= len(list) || canceled == 0 {
		t.Errorf("%d records (%d canceled) of %d targets: want some done, the hanging ones canceled, the rest not started", len(rs), canceled, len(list))
	}
	if !strings.Contains(stderr.String(), "interrupted: no new targets") || !strings.Contains(stderr.String(), "grace period over") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}
