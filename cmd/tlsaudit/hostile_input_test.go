package main

// Hostile servers of scan/tlstest and hostile inputs through the whole
// command, in-process: protocol errors exit 3 with no grade, escape
// sequences from certificates and headers never reach stdout or stderr,
// flags that would panic, smuggle or exhaust the machine are usage errors.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

func hostileServer(t *testing.T, kind tlstest.HostileKind) *tlstest.Server {
	t.Helper()
	return tlstest.NewHostileServerT(t, kind)
}

// sgr matches the colour sequences tlsaudit itself writes.
var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// wantNoControl fails when out holds a control character other than a
// line feed (and, with colour, tlsaudit's own SGR sequences).
func wantNoControl(t *testing.T, what, out string) {
	t.Helper()
	out = sgr.ReplaceAllString(out, "")
	for _, line := range strings.Split(out, "\n") {
		if strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 }) {
			t.Errorf("%s prints a control character: %q", what, line)
		}
		if strings.HasPrefix(strings.TrimSpace(line), "FAKE: Grade A") {
			t.Errorf("%s prints the forged line: %q", what, line)
		}
	}
}

// A certificate whose subject and SAN and an HTTP answer whose headers
// carry escape sequences: the text report, --quiet, the stderr policy
// lines and inspect print none, with or without colour.
func TestControlCharactersFromServerNeverReachTheTerminal(t *testing.T) {
	srv := hostileServer(t, tlstest.HostileControlChars)
	root := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(root, srv.PKI.RootPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"--sni", srv.Name, "--ca-file", root, "--system-store=false", "--timeout", "30s"}
	var sawSubject bool
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"text", []string{"--color", "never"}},
		{"text in colour", []string{"--color", "always"}},
		{"quiet with a policy", []string{"--quiet", "--fail-under", "A+", "--fail-on", "info"}},
		{"quick", []string{"--quick", "--fail-on", "info"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, "", append(append(append([]string{}, base...), tc.args...), srv.Addr)...)
			if r.code == exitScan || r.code == exitUsage {
				t.Fatalf("exit %d:\n%s", r.code, r.stderr)
			}
			wantNoControl(t, "stdout", r.stdout)
			wantNoControl(t, "stderr", r.stderr)
			if strings.Contains(r.stdout+r.stderr, "PWNED") {
				sawSubject = true
			}
		})
	}
	if !sawSubject {
		t.Errorf("the hostile subject was printed nowhere: the test proves nothing")
	}
	// inspect of the served chain (the leaf carries the subject and SAN).
	pem := filepath.Join(t.TempDir(), "leaf.pem")
	if err := os.WriteFile(pem, pemChain(srv.Chain), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "", "inspect", "--ca-file", root, "--host", tlstest.DefaultName, pem)
	wantNoControl(t, "inspect stdout", r.stdout)
	wantNoControl(t, "inspect stderr", r.stderr)
	if !strings.Contains(r.stdout, "PWNED") {
		t.Errorf("inspect does not print the subject:\n%s", r.stdout)
	}
	// JSON keeps the raw text (escaped by the encoder), for machines.
	r = runCmd(t, "", append(append([]string{}, base...), "--json", "--quick", srv.Addr)...)
	var rs []report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil || len(rs) != 1 || len(rs[0].Observation.Chains) == 0 {
		t.Fatalf("JSON: %v\n%s", err, r.stdout)
	}
	if got := rs[0].Observation.Chains[0].Certificates[0].Subject; !strings.Contains(got, "PWNED\a\x1b[2J") {
		t.Errorf("the JSON record altered the subject: %q", got)
	}
}

// Servers whose answer to one protocol is broken TLS: the target was not
// audited as a whole, so no grade and exit 3, and the error names the
// protocol; the protocols that worked stay in the record.
func TestProtocolErrorIsNotUnsupported(t *testing.T) {
	for kind, want := range map[tlstest.HostileKind]string{
		tlstest.HostileMegaCertificate: "broken TLS in the answer to a TLSv1.2 ClientHello",
		tlstest.HostileZeroKeyShare:    "broken TLS in the answer to a TLSv1.3 ClientHello",
	} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			srv := hostileServer(t, kind)
			r := runCmd(t, "", "--json", "--sni", srv.Name, "--system-store=false", "--timeout", "30s", srv.Addr)
			r.expect(t, exitScan)
			rs := decodeJSON(t, r.stdout)
			if len(rs) != 1 {
				t.Fatalf("%d reports", len(rs))
			}
			if rs[0].Status != "protocol_error" || !strings.Contains(rs[0].Error, want) {
				t.Errorf("status %s, error %q; want protocol_error naming %q", rs[0].Status, rs[0].Error, want)
			}
			if g := rs[0].Grade; g != nil && g.Letter != "" {
				t.Errorf("graded %s from what was left", g.Letter)
			}
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr does not say what failed:\n%s", r.stderr)
			}
		})
	}
}

// A chain of 600 same-name certificates: a quick audit ends within its
// --timeout, analysis included (the analysis bounds its signature checks),
// and the chain is judged untrusted.
func TestSameNameChainQuickAuditEndsWithinTimeout(t *testing.T) {
	srv := hostileServer(t, tlstest.HostileSameNameChain)
	// 10 s: parsing 601 certificates alone takes seconds with -race on 2
	// loaded cores; the analysis took over 90 s before it was bounded.
	const timeout, slack = 10 * time.Second, 8 * time.Second
	start := time.Now()
	r := runCmd(t, "", "--quick", "--timeout", timeout.String(), "--sni", srv.Name, "--system-store=false", "--json", srv.Addr)
	took := time.Since(start)
	t.Logf("exit %d in %s", r.code, took.Round(time.Millisecond))
	if took > timeout+slack {
		t.Errorf("a --quick --timeout %s audit took %s", timeout, took)
	}
	rs := decodeJSON(t, r.stdout)
	if len(rs) != 1 || rs[0].Certificates == nil || len(rs[0].Certificates.Chains) == 0 {
		t.Fatalf("no certificate analysis:\n%s", r.stdout)
	}
	for _, tr := range rs[0].Certificates.Chains[0].Trust {
		if tr.Trusted {
			t.Errorf("store %s trusts the same-name chain", tr.Store)
		}
	}
}

// Flag values that would panic (an SNI too long for its length prefix),
// smuggle a request (CR LF in the HTTP path) or exhaust the machine are
// one-line usage errors naming the rule or the cap.
func TestHostileFlagValuesAreUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"sni of 65533 bytes", []string{"--sni", strings.Repeat("a", 65533)}, "server name of 65533 bytes (RFC 6066 allows at most 255)"},
		{"sni of 256 bytes", []string{"--sni", strings.Repeat("a.", 128)}, "invalid --sni"},
		{"sni with spaces", []string{"--sni", "bad name with space"}, `invalid --sni: invalid character ' '`},
		{"sni IP literal", []string{"--sni", "192.0.2.1"}, "is an IP address"},
		{"sni with an escape", []string{"--sni", "a\x1b[2J.test"}, "invalid --sni"},
		{"sni in Unicode", []string{"--sni", "b\u00fccher.test"}, "A-label"},
		{"http path CR LF", []string{"--http-path", "/x HTTP/1.1\r\nHost: evil\r\n\r\nGET /y"}, "invalid --http-path"},
		{"http path LF", []string{"--http-path", "/a\nb"}, "control characters and spaces are not allowed"},
		{"http path too long", []string{"--http-path", "/" + strings.Repeat("a", 5000)}, "exceeds the cap of 2048"},
		{"concurrency", []string{"--concurrency", "1000000"}, "--concurrency 1000000 exceeds the cap of 1024"},
		{"per-host", []string{"--per-host", "100000"}, "--per-host 100000 exceeds the cap of 256"},
		{"timeout", []string{"--timeout", "100h"}, "--timeout 100h0m0s exceeds the cap of 1h0m0s"},
		{"conn-timeout", []string{"--conn-timeout", "1h"}, "--conn-timeout 1h0m0s exceeds the cap of 10m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, "", append(tc.args, "127.0.0.1:1")...)
			r.expect(t, exitUsage)
			if r.stdout != "" {
				t.Errorf("stdout on a usage error:\n%s", r.stdout)
			}
			first := strings.SplitN(r.stderr, "\n", 2)[0]
			if !strings.HasPrefix(first, "tlsaudit: error: ") || !strings.Contains(first, tc.msg) || len(first) > 400 {
				t.Errorf("stderr %q, want one tlsaudit: error: line containing %q", r.stderr, tc.msg)
			}
			wantNoControl(t, "stderr", r.stderr)
		})
	}
}

// pemChain encodes DER certificates as PEM.
func pemChain(ders [][]byte) []byte {
	var out []byte
	for _, d := range ders {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	return out
}

// "--resume FILE >> FILE" after a kill -9 that cut the last record short:
// the run ends the partial line before appending, so the file stays valid
// JSON Lines for the next --resume and for diff; a file already damaged by
// an older run (a partial record joined to the next one) is read with a
// warning instead of refused.
func TestResumeAppendingToItsOwnFileAfterATornLine(t *testing.T) {
	d := useFakes(t, nil, nil)
	dir := t.TempDir()
	targets := filepath.Join(dir, "targets.txt")
	if err := os.WriteFile(targets, []byte("a.test\nb.test\nc.test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := d.runCmd(t, "", "--format", "jsonl", "--targets", targets)
	full.expect(t, exitOK)
	lines := strings.SplitAfter(strings.TrimSpace(full.stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d records", len(lines))
	}
	out := filepath.Join(dir, "out.jsonl")
	// a done, b cut short by the kill.
	if err := os.WriteFile(out, []byte(lines[0]+lines[1][:40]), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	var errb strings.Builder
	code := d.run(context.Background(), []string{"--format", "jsonl", "--targets", targets, "--resume", out}, strings.NewReader(""), f, &errb)
	f.Close()
	if code != exitOK || !strings.Contains(errb.String(), "ended with a newline") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	data, _ := os.ReadFile(out)
	valid := 0
	for _, l := range strings.Split(string(data), "\n") {
		var v map[string]any
		switch {
		case l == "" || l == lines[1][:40]:
		case json.Unmarshal([]byte(l), &v) == nil:
			valid++
		default:
			t.Errorf("invalid line in the resumed file: %.80q", l)
		}
	}
	if valid != 3 {
		t.Errorf("%d whole records after the resume, want 3:\n%s", valid, data)
	}
	r := d.runCmd(t, "", "--format", "jsonl", "--targets", targets, "--resume", out)
	r.expect(t, exitOK)
	if strings.TrimSpace(r.stdout) != "" {
		t.Errorf("a second resume redid targets:\n%s", r.stdout)
	}
	// The file an older version left: the partial record and the next
	// one on one line.
	joined := filepath.Join(dir, "joined.jsonl")
	if err := os.WriteFile(joined, []byte(lines[0]+lines[1][:40]+lines[2]), 0o644); err != nil {
		t.Fatal(err)
	}
	r = d.runCmd(t, "", "--format", "jsonl", "--targets", targets, "--resume", joined)
	r.expect(t, exitOK)
	if !strings.Contains(r.stderr, "holds 1 partial record(s)") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("joined file: stderr %q, %d records redone (want b only)", r.stderr, strings.Count(r.stdout, "\n"))
	}
	r = d.runCmd(t, "", "diff", joined, out)
	if r.code == exitUsage {
		t.Errorf("diff refuses the joined file: %s", r.stderr)
	}
}

// failingWriter fails every write, as stdout does once its reader is gone
// or the disk is full.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

// Large and endless inputs: one targets line over 64 KiB gets its own
// invalid_target record and the batch goes on; diff of /dev/zero fails at
// its first byte; a bundle of 10,000 certificates is refused at the cap.
func TestLargeAndEndlessInputs(t *testing.T) {
	d := useFakes(t, nil, nil)
	dir := t.TempDir()
	targets := filepath.Join(dir, "targets.txt")
	long := strings.Repeat("a", 70000)
	if err := os.WriteFile(targets, []byte("a.test\n"+long+".test\nb.test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := d.runCmd(t, "", "--format", "jsonl", "--targets", targets)
	var recs []report.Report
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var rep report.Report
		if err := json.Unmarshal([]byte(l), &rep); err != nil {
			t.Fatalf("bad record %.100q: %v", l, err)
		}
		recs = append(recs, rep)
	}
	byStatus := map[string]int{}
	for _, rep := range recs {
		byStatus[string(rep.Status)]++
		if rep.Status == "invalid_target" && (!strings.Contains(rep.Error, "line 2 is longer than 65536 bytes") || len(rep.Target.Input) > 100) {
			t.Errorf("invalid_target record: input %.100q, error %q", rep.Target.Input, rep.Error)
		}
	}
	if len(recs) != 3 || byStatus["invalid_target"] != 1 || byStatus["ok"] != 2 {
		t.Errorf("exit %d, %d records: %v\nstderr %.300s", r.code, len(recs), byStatus, r.stderr)
	}
	if r.code != exitUsage {
		t.Errorf("exit %d, want %d (a malformed target)", r.code, exitUsage)
	}

	start := time.Now()
	r = d.runCmd(t, "", "diff", "/dev/zero", "/dev/zero")
	r.expect(t, exitUsage)
	if !strings.Contains(r.stderr, "starts with byte 0x00") || time.Since(start) > 10*time.Second {
		t.Errorf("diff of /dev/zero: %q after %s", r.stderr, time.Since(start))
	}

	bundle := filepath.Join(dir, "bundle.pem")
	ders, err := tlstest.SameNameChain()
	if err != nil {
		t.Fatal(err)
	}
	var all [][]byte
	for len(all) < 10000 {
		all = append(all, ders...)
	}
	if err := os.WriteFile(bundle, pemChain(all[:10000]), 0o600); err != nil {
		t.Fatal(err)
	}
	r = d.runCmd(t, "", "inspect", bundle)
	r.expect(t, exitUsage)
	if !strings.Contains(r.stderr, "more than 1000 certificates") {
		t.Errorf("inspect of 10,000 certificates: %q", r.stderr)
	}
}

// Exit codes of the cases the usage text names: a report that cannot be
// written exits 4 (not 3, which says a target could not be audited); a
// key given alone is described and exits 0, a key matching none of the
// certificates given exits 1.
func TestExitCodesOfWriteFailuresAndKeys(t *testing.T) {
	d := useFakes(t, nil, nil)
	var errb strings.Builder
	if code := d.run(context.Background(), []string{"a.test"}, strings.NewReader(""), failingWriter{}, &errb); code != exitWrite {
		t.Errorf("audit to a failing stdout: exit %d, want %d (%s)", code, exitWrite, errb.String())
	}
	errb.Reset()
	if code := d.run(context.Background(), []string{"checks"}, strings.NewReader(""), failingWriter{}, &errb); code != exitWrite {
		t.Errorf("checks to a failing stdout: exit %d, want %d", code, exitWrite)
	}
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.IssueLeaf(tlstest.LeafOptions{KeyType: tlstest.KeyECDSAP256})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyPEM, err := other.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	key, cert := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	os.WriteFile(key, keyPEM, 0o600)
	os.WriteFile(cert, leaf.FullChainPEM(), 0o600)
	errb.Reset()
	if code := d.run(context.Background(), []string{"inspect", cert}, strings.NewReader(""), failingWriter{}, &errb); code != exitWrite {
		t.Errorf("inspect to a failing stdout: exit %d, want %d", code, exitWrite)
	}
	r := d.runCmd(t, "", "inspect", key)
	r.expect(t, exitOK)
	if !strings.Contains(r.stdout, "no certificate or CSR given to match it against") {
		t.Errorf("inspect of a key alone:\n%s", r.stdout)
	}
	r = d.runCmd(t, "", "inspect", key, cert)
	r.expect(t, exitPolicy)
	if !strings.Contains(r.stdout, "matches nothing given") {
		t.Errorf("inspect of a key and another certificate:\n%s", r.stdout)
	}
}

// FuzzReadTargetLine: the targets reader returns every line of at most
// maxTargetLine bytes as written, an overlong one as a short prefix marked
// tooLong, and ends; it never keeps more than one line.
func FuzzReadTargetLine(f *testing.F) {
	f.Add([]byte("a.test\nb.test\n"), 0)
	f.Add([]byte("x\r\n\n# c\nlast"), 0)
	f.Add([]byte("short\n"), 70000)
	f.Fuzz(func(t *testing.T, data []byte, pad int) {
		if pad < 0 || pad > 1<<18 {
			return
		}
		data = append(bytes.Repeat([]byte("a"), pad), data...)
		br := bufio.NewReaderSize(bytes.NewReader(data), 16<<10)
		var lines []string
		for i := 0; ; i++ {
			line, tooLong, err := readTargetLine(br)
			if tooLong && len(line) > targetPrefix || !tooLong && len(line) > maxTargetLine {
				t.Fatalf("line of %d bytes (tooLong %v)", len(line), tooLong)
			}
			if err != nil {
				if line != "" || tooLong {
					lines = append(lines, line)
				}
				break
			}
			lines = append(lines, line)
			if i > len(data) {
				t.Fatal("no end")
			}
		}
		want := strings.Split(string(data), "\n")
		if want[len(want)-1] == "" {
			want = want[:len(want)-1]
		}
		if len(lines) != len(want) {
			t.Fatalf("%d lines, want %d", len(lines), len(want))
		}
		for i, w := range want {
			if len(w) <= maxTargetLine && lines[i] != w || len(w) > maxTargetLine && !strings.HasPrefix(w, lines[i]) {
				t.Fatalf("line %d: %.40q, want %.40q", i, lines[i], w)
			}
		}
	})
}
