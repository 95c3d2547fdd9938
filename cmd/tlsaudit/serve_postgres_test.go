//go:build linux

package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// buildTlsaudit builds the tlsaudit binary from this package's source (the
// program an operator runs, not this test binary re-executed).
func buildTlsaudit(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "tlsaudit")
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveProcess is one "tlsaudit serve" OS process.
type serveProcess struct {
	name string
	cmd  *exec.Cmd
	base string // http://ADDR
}

func (p *serveProcess) kill9(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
}

func history(t *testing.T, base, host string) []nativeAssessment {
	t.Helper()
	var list []nativeAssessment
	if code := getJSON(t, base+"/api/tlsaudit/v1/hosts/"+host+"/history", &list); code != 200 {
		t.Fatalf("history of %s: status %d", host, code)
	}
	return list
}

// instanceOf is the replica part of a worker name ("INSTANCE/N").
func instanceOf(owner string) string {
	name, _, _ := strings.Cut(owner, "/")
	return name
}

func TestTwoServeProcessesOnPostgresShareOneQueueAndTakeOverAKilledOnesAssessment(t *testing.T) {
	pg := tlstest.StartPostgresT(t, tlstest.PostgresOptions{SSLOff: true})
	db := fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", pg.Addr)
	bin := buildTlsaudit(t)
	backend := loopbackTLSServer(t)
	start := func(name string, extra ...string) *serveProcess {
		cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--listen", "127.0.0.1:0", "--allow-targets", "127.0.0.1",
			"--workers", "2", "--cool-off", "0", "--max-assessments", "100", "--lease", "2s", "--instance", name}, extra...)...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd, addr := startServe(t, cmd)
		return &serveProcess{name: name, cmd: cmd, base: "http://" + addr}
	}

	// Both processes migrate the empty database at once; both come up.
	// --quick: one handshake per endpoint, so that the connections a target
	// receives count the audits run against it.
	var a, b *serveProcess
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = start("a", "--quick") }()
	go func() { defer wg.Done(); b = start("b", "--quick") }()
	wg.Wait()
	if t.Failed() {
		return
	}

	// How many connections one audit makes, measured on one target.
	ref, refCount := countingProxy(t, backend.Addr, func(int64) time.Duration { return 0 })
	getJSON(t, a.base+"/api/v3/analyze?host="+ref+"&startNew=on", nil)
	if h := waitHost(t, a.base, ref, time.Minute); h.Status != "READY" {
		t.Fatalf("reference target: %+v", h)
	}
	perAudit := refCount.Load()
	t.Logf("one quick audit makes %d connection(s)", perAudit)

	// Phase 1: every target asked of both processes at once is assessed
	// exactly once, and both processes take work from the one queue.
	const n = 10
	hosts := make([]string, n)
	counts := make([]*atomic.Int64, n)
	for i := range hosts {
		addr, c := countingProxy(t, backend.Addr, func(int64) time.Duration { return 300 * time.Millisecond })
		hosts[i], counts[i] = addr, c
	}
	var sub sync.WaitGroup
	for _, h := range hosts {
		for _, p := range []*serveProcess{a, b} {
			sub.Add(1)
			go func() {
				defer sub.Done()
				getJSON(t, p.base+"/api/v3/analyze?host="+h+"&startNew=on", nil)
			}()
		}
	}
	sub.Wait()
	by := map[string]int{}
	for i, h := range hosts {
		if got := waitHost(t, b.base, h, 2*time.Minute); got.Status != "READY" {
			t.Errorf("%s: %s %q", h, got.Status, got.StatusMessage)
		}
		list := history(t, a.base, h)
		if len(list) != 1 || list[0].Attempts != 1 {
			t.Errorf("%s: %d assessments stored (%+v), want one claimed once", h, len(list), list)
			continue
		}
		if got := counts[i].Load(); got != perAudit {
			t.Errorf("%s received %d connections, one audit makes %d: audited more than once", h, got, perAudit)
		}
		by[instanceOf(list[0].Owner)]++
	}
	t.Logf("assessments per process: %v", by)
	if by["a"] == 0 || by["b"] == 0 || by["a"]+by["b"] != n {
		t.Errorf("assessments per process: %v, want both to take work", by)
	}

	// Phase 2, with full audits (long enough to be killed in the middle):
	// while the process running an assessment lives, renewing its lease, the
	// other never takes it; once that process is killed with SIGKILL, the
	// other takes it over when the lease lapses and finishes it.
	for _, p := range []*serveProcess{a, b} {
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.cmd.Wait()
	}
	c, d := start("c"), start("d")
	var slow atomic.Bool
	slow.Store(true)
	target, _ := countingProxy(t, backend.Addr, func(int64) time.Duration {
		if slow.Load() {
			return 2 * time.Second
		}
		return 0
	})
	getJSON(t, c.base+"/api/v3/analyze?host="+target+"&startNew=on", nil)
	var running nativeAssessment
	deadline := time.Now().Add(30 * time.Second)
	for {
		if list := history(t, c.base, target); len(list) == 1 && list[0].State == "running" {
			running = list[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the slow assessment never started: %+v", history(t, c.base, target))
		}
		time.Sleep(50 * time.Millisecond)
	}
	holder, other := c, d
	if instanceOf(running.Owner) == "d" {
		holder, other = d, c
	}
	time.Sleep(3 * 2 * time.Second) // three leases
	if list := history(t, other.base, target); len(list) != 1 || list[0].State != "running" || list[0].Attempts != 1 || list[0].Owner != running.Owner {
		t.Fatalf("after three leases with its process alive: %+v, want %s still running it", list, running.Owner)
	}
	holder.kill9(t)
	slow.Store(false)
	if got := waitHost(t, other.base, target, 2*time.Minute); got.Status != "READY" || len(got.Endpoints) != 1 || got.Endpoints[0].Grade == "" {
		t.Fatalf("after the kill: %+v", got)
	}
	list := history(t, other.base, target)
	if len(list) != 1 || list[0].ID != running.ID || list[0].Attempts != 2 || instanceOf(list[0].Owner) != other.name {
		t.Errorf("after takeover: %+v, want assessment %d finished by %s on its second attempt", list, running.ID, other.name)
	}
}
