package batch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/batch"
	"github.com/tlsaudit/tlsaudit/scan/batch/batchtest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// listSource yields inputs from a list and records how far it was read.
type listSource struct {
	items []string
	read  atomic.Int64
}

func (s *listSource) Next() (batch.Input, error) {
	i := int(s.read.Add(1)) - 1
	if i >= len(s.items) {
		return batch.Input{}, io.EOF
	}
	raw := s.items[i]
	t, err := scan.ParseTarget(raw)
	return batch.Input{Raw: raw, Target: t, Err: err}, nil
}

// fakeScan answers by host: "refused*" is refused (every attempt, or the
// first "flaky" ones), "hang*" blocks until ctx ends, others are ok after
// a delay. It tracks calls and the peak of concurrent scans.
type fakeScan struct {
	delay        time.Duration
	mu           sync.Mutex
	calls        map[string]int
	active, peak int
	flaky        int // attempts refused for "flaky*" hosts
}

func (f *fakeScan) Scan(ctx context.Context, t scan.Target) *obs.Observation {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	key := t.Host + "@" + t.IP.String()
	f.calls[key]++
	n := f.calls[key]
	f.active++
	f.peak = max(f.peak, f.active)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.active--; f.mu.Unlock() }()
	o := &obs.Observation{Target: obs.Target{Input: t.Input, Host: t.Host, Port: t.Port, IP: t.IP.String()}, Status: obs.StatusOK, Connections: 1}
	switch {
	case strings.HasPrefix(t.Host, "refused"), strings.HasPrefix(t.Host, "flaky") && n <= f.flaky:
		o.Status, o.Error = obs.StatusConnectionRefused, "connect: connection refused"
	case strings.HasPrefix(t.Host, "hang"):
		<-ctx.Done()
		o.Status = obs.StatusCanceled
	default:
		time.Sleep(f.delay)
	}
	return o
}

// collect runs a batch and returns its results sorted by (Seq, Index).
func collect(t *testing.T, sc batch.Scanner, src batch.Source, opts batch.Options) ([]batch.Result, batch.Stats) {
	t.Helper()
	var mu sync.Mutex
	var out []batch.Result
	st, err := batch.Run(context.Background(), sc, src, opts, func(r batch.Result) error {
		mu.Lock()
		out = append(out, r)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Seq < out[j].Seq || out[i].Seq == out[j].Seq && out[i].Index < out[j].Index
	})
	return out, st
}

func TestRunRecords(t *testing.T) {
	d := batchtest.StartDNS(t, map[string][]netip.Addr{
		"two.batch.test": addrs("127.0.0.1", "::1"),
		"one.batch.test": addrs("127.0.0.2"),
	})
	src := &listSource{items: []string{"two.batch.test", "bad target!", "nx.batch.test", "127.0.0.7:8443", "one.batch.test", "refused.batch.test"}}
	fs := &fakeScan{}
	res, st := collect(t, fs, src, batch.Options{Concurrency: 3, Resolver: d.Resolver})
	var got []string
	for _, r := range res {
		got = append(got, fmt.Sprintf("%d.%d/%d %s %s %s", r.Seq, r.Index, r.Count, r.Obs.Target.Input, r.Obs.Target.IP, r.Obs.Status))
	}
	want := []string{
		"0.0/2 two.batch.test 127.0.0.1 ok",
		"0.1/2 two.batch.test ::1 ok",
		"1.0/1 bad target!  invalid_target",
		"2.0/1 nx.batch.test  resolve_error",
		"3.0/1 127.0.0.7:8443 127.0.0.7 ok",
		"4.0/1 one.batch.test 127.0.0.2 ok",
		// one.batch.test resolves, refused.batch.test does not.
		"5.0/1 refused.batch.test  resolve_error",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if st.Inputs != 6 || st.Skipped != 0 {
		t.Errorf("stats %+v", st)
	}
	if r := res[3]; r.Obs.Target.Host != "nx.batch.test" || !strings.Contains(r.Obs.Error, "resolve nx.batch.test") || r.Obs.Target.SNI != "nx.batch.test" {
		t.Errorf("resolve error record: %+v", r.Obs)
	}
}

func TestRunRetries(t *testing.T) {
	fs := &fakeScan{flaky: 2}
	pin := func(raw, host string) batch.Input {
		return batch.Input{Raw: raw, Target: scan.Target{Input: raw, Host: host, Port: 443, IP: netip.MustParseAddr("127.0.0.1")}}
	}
	inputs := []batch.Input{pin("flaky", "flaky.test"), pin("refused", "refused.test"), pin("good", "good.test")}
	bo := batch.Backoff{Base: 20 * time.Millisecond, Max: 40 * time.Millisecond}
	start := time.Now()
	res, _ := collect(t, fs, &sliceSource{items: inputs}, batch.Options{Concurrency: 3, Retries: 2, Backoff: bo})
	if el := time.Since(start); el < 30*time.Millisecond {
		t.Errorf("finished in %v: the backoff did not wait", el)
	}
	if len(res) != 3 {
		t.Fatalf("%d records", len(res))
	}
	if o := res[0].Obs; o.Status != obs.StatusOK || len(o.Errors) != 2 || !strings.Contains(o.Errors[0].Error, "attempt 1 of 3: connect: connection refused; retried after") {
		t.Errorf("flaky: %s %+v, want ok on the third attempt with both failures noted", o.Status, o.Errors)
	}
	if o := res[1].Obs; o.Status != obs.StatusConnectionRefused || len(o.Errors) != 2 {
		t.Errorf("refused: %s %+v, want refused after 2 retries", o.Status, o.Errors)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.calls["flaky.test@127.0.0.1"] != 3 || fs.calls["refused.test@127.0.0.1"] != 3 || fs.calls["good.test@127.0.0.1"] != 1 {
		t.Errorf("calls %v", fs.calls)
	}
}

type sliceSource struct {
	items []batch.Input
	i     int
}

func (s *sliceSource) Next() (batch.Input, error) {
	if s.i >= len(s.items) {
		return batch.Input{}, io.EOF
	}
	s.i++
	return s.items[s.i-1], nil
}

// TestRunLazy: the source is read only as workers become free, so memory
// follows the concurrency, not the list; the concurrency bound holds.
func TestRunLazy(t *testing.T) {
	var items []string
	for i := range 200 {
		items = append(items, fmt.Sprintf("127.0.%d.%d", i/250, i%250+1))
	}
	src := &listSource{items: items}
	fs := &fakeScan{delay: 2 * time.Millisecond}
	var maxAhead atomic.Int64
	var done atomic.Int64
	_, err := batch.Run(context.Background(), fs, src, batch.Options{Concurrency: 4}, func(batch.Result) error {
		n := done.Add(1)
		if ahead := src.read.Load() - n; ahead > maxAhead.Load() {
			maxAhead.Store(ahead)
		}
		return nil
	})
	if err != nil || done.Load() != 200 {
		t.Fatalf("err %v, %d records", err, done.Load())
	}
	if fs.peak > 4 {
		t.Errorf("%d scans at once, want at most 4", fs.peak)
	}
	// 4 in flight + 1 the producer holds + 1 being read.
	if m := maxAhead.Load(); m > 6 {
		t.Errorf("the source was read %d inputs ahead of the records: not lazy", m)
	}
}

func TestRunShardAndResume(t *testing.T) {
	d := batchtest.StartDNS(t, map[string][]netip.Addr{"two.batch.test": addrs("127.0.0.1", "::1")})
	done, err := batch.ReadDone(strings.NewReader(
		`{"target":{"input":"127.0.0.1"},"status":"ok"}
{"target":{"input":"two.batch.test","ip":"127.0.0.1"},"status":"ok"}
{"target":{"input":"two.batch.test","ip":"::1"},"status":"canceled"}
`))
	if err != nil {
		t.Fatal(err)
	}
	src := &listSource{items: []string{"127.0.0.1", "two.batch.test", "127.0.0.2"}}
	res, st := collect(t, &fakeScan{}, src, batch.Options{Resolver: d.Resolver, Done: done})
	if len(res) != 2 || res[0].Obs.Target.IP != "::1" || res[0].Count != 1 || res[1].Obs.Target.Input != "127.0.0.2" || st.Skipped != 1 {
		t.Errorf("resume: %d records %+v, stats %+v; want only two.batch.test at ::1 and 127.0.0.2", len(res), res, st)
	}

	var items []string
	for i := range 50 {
		items = append(items, fmt.Sprintf("127.0.0.%d", i+1))
	}
	seen := map[string]int{}
	for k := range 3 {
		res, _ := collect(t, &fakeScan{}, &listSource{items: items}, batch.Options{Concurrency: 2, Shard: batch.Shard{Index: k, Count: 3}})
		for _, r := range res {
			seen[r.Input.Raw]++
			if batch.ShardOf(r.Input.Raw, 3) != k {
				t.Errorf("shard %d audited %s", k, r.Input.Raw)
			}
		}
	}
	for _, in := range items {
		if seen[in] != 1 {
			t.Errorf("%s audited %d times across the shards", in, seen[in])
		}
	}
}

// TestRunDrain: after Drain no input is taken and no endpoint starts; the
// running audits finish; endpoints of taken targets get canceled records.
func TestRunDrain(t *testing.T) {
	d := batchtest.StartDNS(t, map[string][]netip.Addr{"two.batch.test": addrs("127.0.0.1", "::1")})
	drain := make(chan struct{})
	var items []string
	for i := range 100 {
		items = append(items, fmt.Sprintf("127.0.0.%d", i+1))
	}
	items = append([]string{"two.batch.test"}, items...)
	src := &listSource{items: items}
	fs := &fakeScan{delay: 30 * time.Millisecond}
	var mu sync.Mutex
	var res []batch.Result
	var once sync.Once
	st, err := batch.Run(context.Background(), fs, src, batch.Options{Concurrency: 2, Resolver: d.Resolver, Drain: drain}, func(r batch.Result) error {
		mu.Lock()
		res = append(res, r)
		mu.Unlock()
		once.Do(func() { close(drain) }) // drain after the first record
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) > 6 || st.Inputs > 5 {
		t.Errorf("%d records, %d inputs read after draining at the first record", len(res), st.Inputs)
	}
	bySeq := map[int]int{}
	for _, r := range res {
		bySeq[r.Seq]++
		if r.Obs.Status != obs.StatusOK && r.Obs.Status != obs.StatusCanceled {
			t.Errorf("status %s", r.Obs.Status)
		}
	}
	for _, r := range res {
		if bySeq[r.Seq] != r.Count {
			t.Errorf("target %d has %d of its %d records", r.Seq, bySeq[r.Seq], r.Count)
		}
	}
	if bySeq[0] != 2 || st.Canceled < 1 {
		t.Errorf("two.batch.test: %d records, %d canceled; want its second endpoint canceled", bySeq[0], st.Canceled)
	}
}

// TestRunCancel: cancelling ctx ends hanging audits; Run still returns every
// taken target's records.
func TestRunCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	src := &listSource{items: []string{"hang.test", "hang2.test"}}
	pin := netip.MustParseAddr("127.0.0.1")
	s := &pinned{src, pin}
	var n atomic.Int64
	start := time.Now()
	_, err := batch.Run(ctx, &fakeScan{}, s, batch.Options{Concurrency: 2}, func(r batch.Result) error {
		n.Add(1)
		if r.Obs.Status != obs.StatusCanceled {
			t.Errorf("status %s", r.Obs.Status)
		}
		return nil
	})
	if err != nil || n.Load() != 2 || time.Since(start) > 5*time.Second {
		t.Errorf("err %v, %d records after %v", err, n.Load(), time.Since(start))
	}
}

type pinned struct {
	*listSource
	ip netip.Addr
}

func (p *pinned) Next() (batch.Input, error) {
	in, err := p.listSource.Next()
	in.Target.IP = p.ip
	return in, err
}

func TestRunErrors(t *testing.T) {
	boom := errors.New("disk full")
	var calls atomic.Int64
	items := make([]string, 100)
	for i := range items {
		items[i] = "127.0.0.1"
	}
	src := &listSource{items: items}
	_, err := batch.Run(context.Background(), &fakeScan{}, src, batch.Options{Concurrency: 2}, func(batch.Result) error {
		calls.Add(1)
		return boom
	})
	if !errors.Is(err, boom) || src.read.Load() > 10 {
		t.Errorf("err %v after reading %d inputs: a handler error must stop the run", err, src.read.Load())
	}
	bad := errors.New("read error")
	_, err = batch.Run(context.Background(), &fakeScan{}, errSource{bad}, batch.Options{}, func(batch.Result) error { return nil })
	if !errors.Is(err, bad) {
		t.Errorf("source error: %v", err)
	}
}

type errSource struct{ err error }

func (e errSource) Next() (batch.Input, error) { return batch.Input{}, e.err }
