package main

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// serveChild runs "tlsaudit serve ARGS" in a child process (this test
// binary, re-executed) and returns it with the address it listens on.
func serveChild(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChildProcess$")
	cmd.Env = append(os.Environ(), "TLSAUDIT_SERVE_CHILD_ARGS="+strings.Join(args, "\x1f"))
	return startServe(t, cmd)
}

// startServe starts cmd, a "tlsaudit serve" process in its own process
// group (killed with SIGKILL at the end of the test if still running), and
// returns it with the address it listens on.
func startServe(t *testing.T, cmd *exec.Cmd) (*exec.Cmd, string) {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
		}
	})
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on http://([0-9.:]+)/`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return cmd, a
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start listening")
	}
	return nil, ""
}

// TestServeChildProcess is the child of serveChild (skipped otherwise).
func TestServeChildProcess(t *testing.T) {
	args := os.Getenv("TLSAUDIT_SERVE_CHILD_ARGS")
	if args == "" {
		t.Skip("only run as the child of a serve test")
	}
	ctx, stop := interruptContext(io.Discard)
	defer stop()
	os.Exit(runContext(ctx, append([]string{"serve"}, strings.Split(args, "\x1f")...), os.Stdin, os.Stdout, os.Stderr))
}

// slowProxy forwards TCP connections to backend after holding each one for
// delay: an audit through it takes a while, long enough to be interrupted.
func slowProxy(t *testing.T, backend string, delay time.Duration) string {
	addr, _ := countingProxy(t, backend, func(int64) time.Duration { return delay })
	return addr
}

// countingProxy forwards TCP connections to backend, holding the n-th
// (from 1) for delay(n) first (a negative delay: until the test ends,
// never forwarded), and counts the connections it accepted.
func countingProxy(t *testing.T, backend string, delay func(n int64) time.Duration) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var count atomic.Int64
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := count.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				d := delay(n)
				if d < 0 {
					<-done
					return
				}
				select {
				case <-time.After(d):
				case <-done:
					return
				}
				b, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				defer b.Close()
				go func() { <-done; c.Close(); b.Close() }() // the test ended: cut it
				go func() { io.Copy(b, c); b.(*net.TCPConn).CloseWrite() }()
				io.Copy(c, b)
			}()
		}
	}()
	return ln.Addr().String(), &count
}

// loopbackTLSServer starts an in-process TLS server whose certificate
// names 127.0.0.1 (an IP subjectAltName): an assessment of "127.0.0.1:PORT"
// matches it and is graded (a mismatch would withhold the result).
func loopbackTLSServer(t *testing.T) *tlstest.Server {
	t.Helper()
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	return tlstest.NewGoServerT(t, &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}})
}

type nativeAssessment struct {
	ID            int64  `json:"id"`
	State         string `json:"state"`
	StatusMessage string `json:"status_message"`
	Attempts      int    `json:"attempts"`
	Grade         string `json:"grade"`
	Owner         string `json:"owner"`
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v: %s", url, err, b)
		}
	}
	return resp.StatusCode
}

type v3Host struct {
	Status        string `json:"status"`
	StatusMessage string `json:"statusMessage"`
	StartTime     int64  `json:"startTime"`
	TestTime      int64  `json:"testTime"`
	Endpoints     []struct {
		Grade string `json:"grade"`
	} `json:"endpoints"`
}

// waitHost polls analyze until the host is READY or ERROR.
func waitHost(t *testing.T, base, host string, within time.Duration) v3Host {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var h v3Host
		if code := getJSON(t, base+"/api/v3/analyze?host="+host, &h); code != 200 {
			t.Fatalf("analyze %s: %d", host, code)
		}
		if h.Status == "READY" || h.Status == "ERROR" {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still %s after %v", host, h.Status, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestServeRestartAfterKill9LosesNoAssessment(t *testing.T) {
	fast := loopbackTLSServer(t)
	slowBackend := loopbackTLSServer(t)
	slow := slowProxy(t, slowBackend.Addr, 400*time.Millisecond)
	db := filepath.Join(t.TempDir(), "serve.db")
	args := []string{"--db", db, "--listen", "127.0.0.1:0", "--allow-targets", "127.0.0.1", "--workers", "2", "--cool-off", "1ms"}

	cmd, addr := serveChild(t, args...)
	base := "http://" + addr
	var first nativeAssessment
	getJSON(t, base+"/api/v3/analyze?host="+fast.Addr+"&startNew=on", nil)
	done := waitHost(t, base, fast.Addr, 2*time.Minute)
	if done.Status != "READY" || len(done.Endpoints) != 1 || done.Endpoints[0].Grade == "" {
		t.Fatalf("fast target: %+v", done)
	}
	getJSON(t, base+"/api/v3/analyze?host="+slow+"&startNew=on", nil)
	// Wait until a worker is inside the slow assessment, then kill -9.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var list []nativeAssessment
		getJSON(t, base+"/api/tlsaudit/v1/hosts/"+slow+"/history", &list)
		if len(list) == 1 && list[0].State == "running" {
			first = list[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slow assessment never running: %+v", list)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	_, addr = serveChild(t, args...)
	base = "http://" + addr
	// The finished report is served from the database as it was.
	again := waitHost(t, base, fast.Addr, 5*time.Second)
	if again.Status != "READY" || again.StartTime != done.StartTime || again.TestTime != done.TestTime || again.Endpoints[0].Grade != done.Endpoints[0].Grade {
		t.Errorf("cached report changed across the restart: %+v vs %+v", again, done)
	}
	// The interrupted one is re-run to the end, not left IN_PROGRESS.
	h := waitHost(t, base, slow, 3*time.Minute)
	if h.Status != "READY" {
		t.Errorf("interrupted assessment: %s %q", h.Status, h.StatusMessage)
	}
	var after nativeAssessment
	getJSON(t, base+fmt.Sprintf("/api/tlsaudit/v1/assessments/%d", first.ID), &after)
	if after.State != "ready" || after.Attempts != 2 {
		t.Errorf("after restart: %+v", after)
	}
}

func TestServeRefusesANonLoopbackListenWithoutAKey(t *testing.T) {
	var out, errb strings.Builder
	code := run([]string{"serve", "--listen", "0.0.0.0:0", "--db", filepath.Join(t.TempDir(), "x.db")}, nil, &out, &errb)
	if code != exitUsage || !strings.Contains(errb.String(), "API key") {
		t.Errorf("code %d, stderr %q", code, errb.String())
	}
	code = run([]string{"serve", "--allow-targets", "10.0.0.0/33"}, nil, &out, &errb)
	if code != exitUsage {
		t.Errorf("bad --allow-targets: code %d", code)
	}
}
