package scan

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// hostileHelperEnv makes the test binary a hostile server process (see
// TestMain): memory is measured in the scanner's process only.
const hostileHelperEnv = "TLSAUDIT_TEST_HOSTILE_SERVER"

// TestMain checks that no test of the package leaks a goroutine (every
// connection, server and probe ends with its audit), and runs the hostile
// server helper process.
func TestMain(m *testing.M) {
	if kind := os.Getenv(hostileHelperEnv); kind != "" {
		os.Exit(serveHostile(kind))
	}
	goleak.VerifyTestMain(m)
}

// serveHostile runs a hostile server until stdin closes, after printing
// "host port name" on stdout.
func serveHostile(name string) int {
	for _, k := range tlstest.HostileKinds() {
		if k.String() != name {
			continue
		}
		srv, err := tlstest.NewHostileServer(k)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("%s %d %s\n", srv.Host, srv.Port, srv.Name)
		io.Copy(io.Discard, os.Stdin)
		srv.Close()
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown hostile kind %q\n", name)
	return 2
}

// startHostileProcess runs a hostile server of kind in a child process
// (this test binary) and returns the target to audit.
func startHostileProcess(t *testing.T, kind tlstest.HostileKind) Target {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hostileHelperEnv+"="+kind.String())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the %s server process: %v", kind, err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 3 {
		t.Fatalf("the %s server process printed %q: %v", kind, line, err)
	}
	port, _ := strconv.Atoi(f[1])
	return Target{Input: f[0] + ":" + f[1], Host: f[0], Port: port, SNI: f[2]}
}

// TestAuditMemoryBounded audits the 10 MiB-chain and 10,000-certificate
// servers (in another process) and asserts everything the audit allocated,
// garbage included, stays under auditMemoryBound: an upper bound of the
// heap the audit can have held.
func TestAuditMemoryBounded(t *testing.T) {
	const auditMemoryBound = 32 << 20
	for _, kind := range []tlstest.HostileKind{tlstest.HostileHugeChain, tlstest.HostileManyCerts, tlstest.HostileHelloRequestFlood,
		tlstest.HostileMegaCertificate, tlstest.AwkwardFragmented} {
		t.Run(kind.String(), func(t *testing.T) {
			tgt := startHostileProcess(t, kind)
			s := New(Options{ConnTimeout: 10 * time.Second, Timeout: 30 * time.Second})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			o := s.Scan(context.Background(), tgt)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %s, %d connections, %.1f MiB allocated, heap in use %+.1f MiB",
				kind, o.Status, o.Connections, float64(alloc)/(1<<20), (float64(after.HeapInuse)-float64(before.HeapInuse))/(1<<20))
			want := obs.StatusProtocolError
			if kind == tlstest.AwkwardFragmented {
				want = obs.StatusOK // a valid server, for comparison
			}
			if o.Status != want {
				t.Errorf("status %s (%s), want %s", o.Status, o.Error, want)
			}
			if alloc > auditMemoryBound {
				t.Errorf("the audit allocated %d bytes, bound %d", alloc, auditMemoryBound)
			}
		})
	}
}

// TestAuditDeadline: whatever the per-connection timeout, a server that
// stalls or drips cannot keep an audit past Options.Timeout; the results
// found before the deadline are kept.
func TestAuditDeadline(t *testing.T) {
	const timeout, slack = 3 * time.Second, 1500 * time.Millisecond
	for _, kind := range []tlstest.HostileKind{tlstest.HostileDrip, tlstest.HostileSilent, tlstest.HostileHugeRecord, tlstest.AwkwardCompatCCS} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			srv, err := tlstest.NewHostileServer(kind)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			s := New(Options{ConnTimeout: time.Minute, Timeout: timeout})
			start := time.Now()
			o := s.Scan(context.Background(), Target{Input: srv.Addr, Host: srv.Host, Port: srv.Port, SNI: srv.Name})
			took := time.Since(start)
			t.Logf("%s: %s in %s: %s", kind, o.Status, took.Round(time.Millisecond), o.Error)
			if took > timeout+slack {
				t.Errorf("audit took %s, Timeout %s", took, timeout)
			}
			checkReadable(t, o, true)
			switch kind {
			case tlstest.HostileHugeRecord:
				// Broken at once: the deadline is not what ended it.
				if o.Status != obs.StatusProtocolError || took > timeout/2 {
					t.Errorf("status %s after %s, want protocol_error at once", o.Status, took)
				}
			default:
				if o.Status != obs.StatusTimeout || !strings.Contains(o.Error, "audit did not finish within 3s") {
					t.Errorf("status %s (%s), want timeout", o.Status, o.Error)
				}
			}
			if kind == tlstest.AwkwardCompatCCS && !proto(o, "TLSv1.3").Supported {
				t.Errorf("TLS 1.3, found before the deadline, was lost: %+v", proto(o, "TLSv1.3"))
			}
			if o.ElapsedMS > (timeout + slack).Milliseconds() {
				t.Errorf("elapsed_ms %d", o.ElapsedMS)
			}
		})
	}
}

// TestAuditCanceled: cancelling the run ends an audit at once.
func TestAuditCanceled(t *testing.T) {
	srv, err := tlstest.NewHostileServer(tlstest.HostileSilent)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	o := New(Options{ConnTimeout: time.Minute, Timeout: time.Minute}).Scan(ctx, Target{Input: srv.Addr, Host: srv.Host, Port: srv.Port})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a cancelled audit took %s", took)
	}
	if o.Status != obs.StatusCanceled || !strings.Contains(o.Error, "interrupted") {
		t.Errorf("status %s (%s), want canceled", o.Status, o.Error)
	}
}
