package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/tlsaudit/tlsaudit"
	"github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/report/termsafe"
	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/batch"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// exitInterrupted: the run was interrupted (SIGINT/SIGTERM); the output
// holds every record finished by then and is well-formed.
const exitInterrupted = 130

// batchConfig is the batch part of the command line.
type batchConfig struct {
	pin     string // --ip ADDR: the address to dial for every target (no DNS)
	rate    string // --rate N[/s]: audits started per second
	retries int    // --retries N
	resume  string // --resume FILE.jsonl
	shard   string // --shard K/N (0-based)

	pinIP    netip.Addr
	perSec   float64
	shardSel batch.Shard
	done     *batch.Done
}

func batchFlags(fs *flag.FlagSet, b *batchConfig) {
	fs.StringVar(&b.pin, "ip", "", "")
	fs.StringVar(&b.rate, "rate", "", "")
	fs.IntVar(&b.retries, "retries", 1, "")
	fs.StringVar(&b.resume, "resume", "", "")
	fs.StringVar(&b.shard, "shard", "", "")
}

// load checks the batch flags and reads the --resume file.
func (b *batchConfig) load(stderr io.Writer) error {
	if b.pin != "" {
		a, err := netip.ParseAddr(strings.Trim(b.pin, "[]"))
		if err != nil {
			return fmt.Errorf("invalid --ip %q: want an IPv4 or IPv6 address", b.pin)
		}
		b.pinIP = a.Unmap()
	}
	if b.rate != "" {
		n, err := strconv.ParseFloat(strings.TrimSuffix(b.rate, "/s"), 64)
		if err != nil || n <= 0 || n > 1e6 {
			return fmt.Errorf("invalid --rate %q: want a positive number of audits per second, e.g. 10 or 10/s", b.rate)
		}
		b.perSec = n
	}
	if b.retries < 0 || b.retries > 10 {
		return errors.New("--retries must be from 0 to 10")
	}
	if b.shard != "" {
		s, err := batch.ParseShard(b.shard)
		if err != nil {
			return fmt.Errorf("--shard: %v", err)
		}
		b.shardSel = s
	}
	if b.resume != "" {
		f, err := os.Open(b.resume)
		if errors.Is(err, os.ErrNotExist) {
			return nil // nothing done yet: the first run of a resumable scan
		}
		if err != nil {
			return fmt.Errorf("cannot read --resume file: %v", err)
		}
		defer f.Close()
		d, err := batch.ReadDone(f)
		if err != nil {
			return fmt.Errorf("--resume %s: %v", b.resume, err)
		}
		if d.Truncated {
			fmt.Fprintf(stderr, "tlsaudit: warning: --resume %s ends in a partial record (a run killed while writing); it is ignored and that target is redone\n", b.resume)
		}
		if d.Torn > 0 {
			fmt.Fprintf(stderr, "tlsaudit: warning: --resume %s holds %d partial record(s) (output appended after a kill); they are ignored and their targets redone\n", b.resume, d.Torn)
		}
		b.done = d
	}
	return nil
}

// repairTornEnd ends the partial last line of the --resume file with a
// newline when stdout appends to that very file ("--resume FILE >> FILE"):
// the first new record then starts a line of its own instead of joining
// the partial one.
func (b *batchConfig) repairTornEnd(stdout, stderr io.Writer) {
	if b.done == nil || !b.done.Truncated {
		return
	}
	out, ok := stdout.(*os.File)
	if !ok {
		return
	}
	fo, err1 := out.Stat()
	fr, err2 := os.Stat(b.resume)
	if err1 != nil || err2 != nil || !os.SameFile(fo, fr) {
		return
	}
	if _, err := out.WriteString("\n"); err == nil {
		fmt.Fprintf(stderr, "tlsaudit: warning: --resume %s: its partial last line was ended with a newline before appending\n", b.resume)
	}
}

// expander returns how targets become endpoints for sc: the real engine
// resolves every address through resolver (nil: the system's); a test fake
// gets the target as it is.
func expander(sc scanner, resolver *net.Resolver) func(context.Context, scan.Target) ([]scan.Target, error) {
	if _, real := sc.(*scan.Scanner); real {
		return func(ctx context.Context, t scan.Target) ([]scan.Target, error) {
			return batch.Expand(ctx, resolver, t)
		}
	}
	return func(_ context.Context, t scan.Target) ([]scan.Target, error) { return []scan.Target{t}, nil }
}

// prepare turns one input line into a batch input, applying --sni,
// --starttls and --ip.
func (cfg *config) prepare(raw string) batch.Input {
	t, err := scan.ParseTarget(raw)
	if err != nil {
		return batch.Input{Raw: raw, Err: err}
	}
	if cfg.sni != "" {
		t.SNI = cfg.sni
	}
	if t.StartTLS == "" {
		t.StartTLS = cfg.startTLS
	}
	if cfg.batch.pinIP.IsValid() {
		if _, err := netip.ParseAddr(t.Host); err != nil && t.SNI == "" {
			t.SNI = t.Host
		}
		t.IP = cfg.batch.pinIP
	}
	return batch.Input{Raw: raw, Target: t}
}

// jobSource yields prepared jobs (the demo's servers).
type jobSource struct {
	jobs []job
	i    int
}

func (s *jobSource) Next() (batch.Input, error) {
	if s.i >= len(s.jobs) {
		return batch.Input{}, io.EOF
	}
	j := s.jobs[s.i]
	s.i++
	return batch.Input{Raw: j.input, Target: j.target, Err: j.err}, nil
}

// batchRun is the state of one run: the writer in order, the exit-code
// flags and the progress display.
type batchRun struct {
	eng      *tlsaudit.Engine
	trim     report.TrimOptions // what the written reports leave out
	stderr   io.Writer
	progress progress

	mu                        sync.Mutex // guards the flags, the emitter and stderr
	badInput, scanFailed, pol bool
	out                       *seqEmitter
}

// handle judges one endpoint's observation and writes its report.
func (b *batchRun) handle(res batch.Result) error {
	r := b.eng.Judge(res.Obs)
	var broken []policy.Violation
	if r.Policy != nil {
		broken = r.Policy.Violations
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	invalid := r.Status == obs.StatusInvalidTarget
	b.badInput = b.badInput || invalid
	b.scanFailed = b.scanFailed || (!invalid && r.Status != obs.StatusOK)
	b.pol = b.pol || len(broken) > 0
	var lines []string
	switch {
	case invalid:
		lines = append(lines, fmt.Sprintf("tlsaudit: error: %s\n", r.Error))
	case r.Status != obs.StatusOK:
		lines = append(lines, fmt.Sprintf("tlsaudit: error: %s: %s: %s\n", endpointName(r), r.Status, r.Error))
	}
	for _, p := range broken {
		lines = append(lines, fmt.Sprintf("tlsaudit: policy: %s: %s\n", endpointName(r), p))
	}
	for _, l := range lines {
		// Target names, errors and policy evidence quote server text.
		b.progress.log(b.stderr, termsafe.String(strings.TrimSuffix(l, "\n"))+"\n")
	}
	b.progress.record(r.Status != obs.StatusOK)
	// The record first, then the count: the bar completes with its last
	// target, and the record must reach the screen above it.
	err := b.out.emit(res, report.Trim(r, b.trim))
	if res.Index == res.Count-1 {
		b.progress.target()
	}
	if err != nil {
		return &writeError{err}
	}
	return nil
}

// writeError is a failure to write the report (as opposed to reading the
// targets).
type writeError struct{ err error }

func (e *writeError) Error() string { return "writing the report: " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// endpointName names a record on stderr: the input, and the address when
// the name had several.
func endpointName(r *report.Report) string {
	name := r.TargetName()
	if r.Target.IP != "" && r.Target.IP != r.Target.Host && r.Target.Host != "" {
		name += " (" + r.Target.IP + ")"
	}
	return name
}

// code is the exit status of a finished run.
func (b *batchRun) code(interrupted bool) int {
	switch {
	case interrupted:
		return exitInterrupted
	case b.badInput:
		return exitUsage
	case b.scanFailed:
		return exitScan
	case b.pol:
		return exitPolicy
	}
	return exitOK
}

// seqEmitter writes reports in input order, the endpoints of one target in
// address order (ordered), or as they finish (jsonl: nothing is kept).
type seqEmitter struct {
	w       report.Writer
	ordered bool
	next    int
	pending map[int][]*report.Report
	got     map[int]int
}

func newSeqEmitter(w report.Writer, ordered bool) *seqEmitter {
	return &seqEmitter{w: w, ordered: ordered, pending: map[int][]*report.Report{}, got: map[int]int{}}
}

// emit is called with the run's mutex held.
func (e *seqEmitter) emit(res batch.Result, r *report.Report) error {
	if !e.ordered {
		return e.w.Write(r)
	}
	if e.pending[res.Seq] == nil {
		e.pending[res.Seq] = make([]*report.Report, res.Count)
	}
	e.pending[res.Seq][res.Index] = r
	e.got[res.Seq]++
	for {
		rs := e.pending[e.next]
		if rs == nil || e.got[e.next] < len(rs) {
			return nil
		}
		delete(e.pending, e.next)
		delete(e.got, e.next)
		e.next++
		for _, r := range rs {
			if err := e.w.Write(r); err != nil {
				return err
			}
		}
	}
}
