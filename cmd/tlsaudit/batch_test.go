package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// batchExpect is what every report of one batch server must say.
type batchExpect struct {
	status obs.Status
	errHas string // substring of the report's error ("" for ok)
}

// The statuses and error texts of the hostile servers (scan/hostile_test.go
// asserts them in detail).
var batchHostile = map[tlstest.HostileKind]batchExpect{
	tlstest.HostileSilent:            {obs.StatusConnectionTimeout, "did not answer the ClientHello within 8s"},
	tlstest.HostileDrip:              {obs.StatusConnectionTimeout, "answered too slowly"},
	tlstest.HostileGarbage:           {obs.StatusNotTLS, "not TLS: the server answered with"},
	tlstest.HostileHTTP:              {obs.StatusNotTLS, "not TLS: the server answered with HTTP data"},
	tlstest.HostileSSH:               {obs.StatusNotTLS, "not TLS: the server answered with SSH data"},
	tlstest.HostileReset:             {obs.StatusProtocolError, "the server cut the connection after sending"},
	tlstest.HostileHugeRecord:        {obs.StatusProtocolError, "record: too long"},
	tlstest.HostileHugeChain:         {obs.StatusProtocolError, "Certificate message of 10552607 bytes exceeds"},
	tlstest.HostileManyCerts:         {obs.StatusProtocolError, "bytes exceeds the 262144-byte cap"},
	tlstest.HostileHRRLoop:           {obs.StatusProtocolError, "HelloRetryRequest loop"},
	tlstest.HostileAlertFlood:        {obs.StatusNoTLS, "alert user_canceled"},
	tlstest.HostileWrongVersion:      {obs.StatusProtocolError, "record of version 0x0909"},
	tlstest.HostileCloseImmediately:  {obs.StatusNoTLS, "closed every connection"},
	tlstest.AwkwardFragmented:        {obs.StatusOK, ""},
	tlstest.AwkwardCoalesced:         {obs.StatusOK, ""},
	tlstest.AwkwardCompatCCS:         {obs.StatusOK, ""},
	tlstest.HostileSameNameChain:     {obs.StatusOK, ""},
	tlstest.HostileMegaCertificate:   {obs.StatusProtocolError, "broken TLS in the answer to a TLSv1.2 ClientHello"},
	tlstest.HostileHelloRequestFlood: {obs.StatusProtocolError, "HelloRequest messages in one flight"},
	tlstest.HostileZeroKeyShare:      {obs.StatusProtocolError, "no TLS 1.3 handshake can complete"},
	tlstest.HostileControlChars:      {obs.StatusOK, ""},
}

// batchShare is how many of the 1,000 targets point at each server. Full
// audits of valid servers are few (one costs ~0.2 s of CPU, ~0.9 s with
// -race), and so are the servers that burn CPU in this process (the 4 MB
// and 10 MB chains, the alert flood): the machine has 2 shared cores, and
// a starved client sees its deadlines pass. The closed port takes the
// rest, as dead hosts do in real batches.
var batchShare = map[string]int{
	"good (crypto/tls)": 8, "awkward-fragmented": 2, "awkward-coalesced": 2, "awkward-compat-ccs": 3,
	"silent": 20, "drip": 20,
	"many-certs": 6, "huge-chain": 6, "alert-flood": 10,
	// TLS 1.3 looks supported (it answers with HelloRetryRequests), so
	// each audit runs in full, ~50 connections, through the 8 per-host
	// slots its targets share.
	"hrr-loop": 20,
	// Full audits of servers that work on some protocols (the 600-
	// certificate chain is read on every connection of its audit).
	"same-name-chain": 1, "mega-certificate": 2, "zero-key-share": 1, "control-chars": 1, "hellorequest-flood": 10,
	// every other hostile kind:
	"*": 60,
}

// slowKinds get one server per target (see the per-host limit below).
var slowKinds = map[tlstest.HostileKind]bool{tlstest.HostileSilent: true, tlstest.HostileDrip: true, tlstest.AwkwardCompatCCS: true}

// TestBatchMixed1000 runs 1,000 loopback targets — good servers, a closed
// port, silent and dripping servers and every hostile kind, many targets
// per server — through the real command (jsonl, 50 audits at once) and
// asserts the run ends within batchBound with exactly one record per
// target, every good one ok and every other one with its readable error.
// Measured on the shared 2-core machine (load ~11): 35 s, 68 s with -race;
// batchBound leaves room for CI running other packages' tests alongside.
func TestBatchMixed1000(t *testing.T) {
	const (
		total      = 1000
		batchBound = 90 * time.Second
		// 8 s per connection (a loaded 2-core machine running other
		// packages' tests may leave a goroutine unscheduled for seconds:
		// a deadline must not pass because of that), 40 s per audit. A
		// silent server costs two connection timeouts, a stalling one
		// (compat CCS) a few: they run side by side with the rest.
		connTimeout  = "8s"
		auditTimeout = "40s"
	)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	// The per-host limit (--per-host, 8 connections) is shared by every
	// target of one endpoint: a slow server's audits would queue behind
	// each other. As real slow hosts are distinct, each silent, dripping
	// or stalling target gets its own server; fast servers take many.
	type server struct {
		name    string
		addr    string
		expect  batchExpect
		targets int
	}
	share := func(name string) int {
		if n, ok := batchShare[name]; ok {
			return n
		}
		return batchShare["*"]
	}
	var servers []server
	good, err := tlstest.NewGoServer(nil)
	if err != nil {
		t.Fatalf("good server: %v", err)
	}
	defer good.Close()
	servers = append(servers, server{"good (crypto/tls)", fmt.Sprintf("127.0.0.1:%d", good.Port), batchExpect{obs.StatusOK, ""}, share("good (crypto/tls)")})
	for _, kind := range tlstest.HostileKinds() {
		want, ok := batchHostile[kind]
		if !ok {
			t.Fatalf("no expectation for hostile kind %s", kind)
		}
		n, per := share(kind.String()), 1
		if slowKinds[kind] {
			n, per = 1, n // n servers of one target each
		}
		for range per {
			srv, err := tlstest.NewHostileServer(kind)
			if err != nil {
				t.Fatalf("%s server: %v", kind, err)
			}
			defer srv.Close()
			servers = append(servers, server{kind.String(), srv.Addr, want, n})
		}
	}

	// Targets: each server's share, shuffled (fixed seed) so that every
	// kind is spread over the run; a closed port takes the rest.
	byInput := map[string]server{}
	wantCount := map[string]int{}
	var inputs []string
	for _, s := range servers {
		for range s.targets {
			inputs = append(inputs, s.addr)
		}
		byInput[s.addr] = s
		wantCount[s.addr] = s.targets
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close() // bound, then closed: nothing listens there
	servers = append(servers, server{"dead", dead, batchExpect{obs.StatusConnectionRefused, "connection refused"}, total - len(inputs)})
	if len(inputs) > total-300 {
		t.Fatalf("shares leave %d targets for the dead port", total-len(inputs))
	}
	byInput[dead] = servers[len(servers)-1]
	wantCount[dead] = total - len(inputs)
	for len(inputs) < total {
		inputs = append(inputs, dead)
	}
	rand.New(rand.NewPCG(8, 1000)).Shuffle(total, func(i, j int) { inputs[i], inputs[j] = inputs[j], inputs[i] })
	list := strings.Join(inputs, "\n") + "\n"

	start := time.Now()
	var stdout, stderr bytes.Buffer
	code := run([]string{"--format", "jsonl", "--concurrency", "50", "--per-host", "8", "--timeout", auditTimeout, "--conn-timeout", connTimeout,
		"--system-store=false", "-"}, strings.NewReader(list), &stdout, &stderr)
	took := time.Since(start)
	t.Logf("%d targets over %d servers in %s, exit %d, %d bytes of jsonl", total, len(servers), took.Round(time.Millisecond), code, stdout.Len())
	if took > batchBound {
		t.Errorf("the batch took %s, bound %s", took, batchBound)
	}
	if code != exitScan {
		t.Errorf("exit %d, want %d (some targets failed)", code, exitScan)
	}

	// Exactly one well-formed record per target.
	records := 0
	got := map[string]int{}
	statuses := map[string]map[obs.Status]int{}
	slowest := map[string]time.Duration{}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		records++
		var r report.Report
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("record %d is not JSON: %v", records, err)
		}
		in := r.Target.Input
		s, ok := byInput[in]
		if !ok {
			t.Errorf("record for an unknown target %q", in)
			continue
		}
		got[in]++
		if statuses[s.name] == nil {
			statuses[s.name] = map[obs.Status]int{}
		}
		statuses[s.name][r.Status]++
		if r.Status != s.expect.status || !strings.Contains(r.Error, s.expect.errHas) {
			t.Errorf("%s (%s): status %s, error %q; want %s with %q", s.name, in, r.Status, r.Error, s.expect.status, s.expect.errHas)
		}
		if r.Status == obs.StatusOK && (r.Error != "" || r.Grade == nil) {
			t.Errorf("%s: ok but error %q, grade %v", s.name, r.Error, r.Grade)
		}
		if r.Status != obs.StatusOK && (len(r.Error) > 600 || strings.ContainsAny(r.Error, "\n\x00")) {
			t.Errorf("%s: unreadable error %q", s.name, r.Error)
		}
		if o := r.Observation; o == nil || o.ElapsedMS > 42_000 {
			t.Errorf("%s: no observation, or one that exceeds the audit timeout", s.name)
		} else {
			slowest[s.name] = max(slowest[s.name], time.Duration(o.ElapsedMS)*time.Millisecond)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading the jsonl: %v", err)
	}
	if records != total {
		t.Errorf("%d records, want %d", records, total)
	}
	for in, n := range wantCount {
		if got[in] != n {
			t.Errorf("%s (%s): %d records, want %d", byInput[in].name, in, got[in], n)
		}
	}
	logged := map[string]bool{}
	for _, s := range servers {
		if !logged[s.name] {
			logged[s.name] = true
			t.Logf("%-20s slowest %6s %v", s.name, slowest[s.name], statuses[s.name])
		}
	}
	if n := strings.Count(stderr.String(), "\n"); n < total/2 {
		t.Errorf("stderr has %d lines; want one per failed target", n)
	}
}
