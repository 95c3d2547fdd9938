package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Input is one input target.
type Input struct {
	Raw    string      // the argument or line as written
	Target scan.Target // the parsed target (when Err is nil)
	Err    error       // why Raw is not a valid target: one invalid_target record
}

// Source yields the input targets in order; io.EOF ends the list. Run reads
// it lazily, one input at a time, as workers become free.
type Source interface {
	Next() (Input, error)
}

// Scanner audits one endpoint (*scan.Scanner is one).
type Scanner interface {
	Scan(ctx context.Context, t scan.Target) *obs.Observation
}

// Options tune Run.
type Options struct {
	// Concurrency is the number of input targets audited at once (default
	// 1). A target's endpoints are audited one after another.
	Concurrency int
	// Retries is how many times an endpoint whose first connection was
	// refused or timed out is tried again (see Transient), after Backoff.
	Retries int
	Backoff Backoff
	// Limiter paces the start of audits (every attempt); nil: no pacing.
	Limiter *Limiter
	// Resolver expands names into endpoints; nil: net.DefaultResolver.
	Resolver *net.Resolver
	// Expand, when set, replaces Expand(ctx, Resolver, t) (e.g. a test
	// scanner that resolves nothing).
	Expand func(ctx context.Context, t scan.Target) ([]scan.Target, error)
	// ResolveTimeout bounds the lookup of one name (default 10s).
	ResolveTimeout time.Duration
	// Shard keeps only the input targets of one shard (zero: all).
	Shard Shard
	// Done holds an earlier output: complete targets are skipped, and of
	// the others only the endpoints without a final record are audited.
	Done *Done
	// Drain, when closed, stops new work: no further input is read and no
	// further endpoint is started; endpoints of targets already taken get
	// a canceled record, audits already running go on with ctx. Cancelling
	// ctx ends those too (their records say canceled).
	Drain <-chan struct{}
	// OnSkip, when set, is called for each input skipped by Shard or Done
	// (from Run's own goroutine).
	OnSkip func(Input)
}

// Result is the record of one endpoint.
type Result struct {
	// Seq numbers the input targets taken (after shard and resume
	// filtering) from 0, in input order; Index is the endpoint within the
	// target and Count the number of records the target gets.
	Seq, Index, Count int
	Input             Input
	Obs               *obs.Observation
}

// Stats count what Run read.
type Stats struct {
	Inputs   int // input targets read
	Skipped  int // of which skipped: other shard, or complete in Done
	Canceled int // records written as canceled (drained or interrupted)
}

// Run audits every input of src and calls handle with each endpoint's
// record as soon as it is done. handle is called from several goroutines
// at once. Run returns when every taken target has all its records; its
// error is src's (other than io.EOF) or handle's first, after which no new
// work starts.
func Run(ctx context.Context, sc Scanner, src Source, opts Options, handle func(Result) error) (Stats, error) {
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	if opts.ResolveTimeout <= 0 {
		opts.ResolveTimeout = 10 * time.Second
	}
	// stopCtx ends on drain, on a handler error and with ctx: it guards
	// the start of new work; ctx itself guards the running audits.
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	if opts.Drain != nil {
		go func() {
			select {
			case <-opts.Drain:
				stop()
			case <-stopCtx.Done():
			}
		}()
	}
	r := &runner{ctx: ctx, stopCtx: stopCtx, sc: sc, opts: opts}
	r.handle = func(res Result) {
		if res.Obs.Status == obs.StatusCanceled {
			r.mu.Lock()
			r.stats.Canceled++
			r.mu.Unlock()
		}
		if err := handle(res); err != nil {
			r.fail(err)
			stop()
		}
	}

	work := make(chan seqInput)
	var wg sync.WaitGroup
	for range opts.Concurrency {
		wg.Go(func() {
			for in := range work {
				r.target(in)
			}
		})
	}
	seq := 0
	for !r.stopping() {
		in, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.fail(err)
			break
		}
		r.mu.Lock()
		r.stats.Inputs++
		skip := !opts.Shard.Owns(in.Raw) || opts.Done.Complete(in.Raw)
		if skip {
			r.stats.Skipped++
		}
		r.mu.Unlock()
		if skip {
			if opts.OnSkip != nil {
				opts.OnSkip(in)
			}
			continue
		}
		select {
		case work <- seqInput{seq, in}:
			seq++
		case <-stopCtx.Done():
		}
	}
	close(work)
	wg.Wait()
	return r.stats, r.err
}

type seqInput struct {
	seq int
	in  Input
}

type runner struct {
	ctx, stopCtx context.Context
	sc           Scanner
	opts         Options
	handle       func(Result)

	mu    sync.Mutex
	stats Stats
	err   error
}

// stopping reports whether new work must not start. It looks at Drain
// itself: stopCtx follows it only asynchronously.
func (r *runner) stopping() bool {
	select {
	case <-r.opts.Drain:
		return true
	default:
		return r.stopCtx.Err() != nil
	}
}

func (r *runner) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
}

// target expands one input and audits its endpoints in turn.
func (r *runner) target(si seqInput) {
	in := si.in
	one := func(o *obs.Observation) { r.handle(Result{Seq: si.seq, Count: 1, Input: in, Obs: o}) }
	if in.Err != nil {
		one(failed(obs.Target{Input: in.Raw}, obs.StatusInvalidTarget, in.Err.Error()))
		return
	}
	if r.stopping() {
		one(canceled(obsTarget(in.Target)))
		return
	}
	rctx, cancel := context.WithTimeout(r.ctx, r.opts.ResolveTimeout)
	var eps []scan.Target
	var err error
	if r.opts.Expand != nil {
		eps, err = r.opts.Expand(rctx, in.Target)
	} else {
		eps, err = Expand(rctx, r.opts.Resolver, in.Target)
	}
	cancel()
	if err != nil {
		if r.ctx.Err() != nil {
			one(canceled(obsTarget(in.Target)))
		} else {
			one(failed(obsTarget(in.Target), obs.StatusResolveError, err.Error()))
		}
		return
	}
	// Resuming: endpoints with a final record are not redone.
	todo := eps[:0:0]
	for _, t := range eps {
		if !r.opts.Done.HasEndpoint(in.Raw, t.IP.String()) {
			todo = append(todo, t)
		}
	}
	for i, t := range todo {
		res := Result{Seq: si.seq, Index: i, Count: len(todo), Input: in}
		if r.stopping() || r.opts.Limiter.Wait(r.stopCtx) != nil {
			res.Obs = canceled(obsTarget(t))
		} else {
			res.Obs = r.scan(t)
		}
		r.handle(res)
	}
}

// scan audits one endpoint, retrying transient failures.
func (r *runner) scan(t scan.Target) *obs.Observation {
	o := r.sc.Scan(r.ctx, t)
	var notes []obs.ProbeError
	for n := 1; n <= r.opts.Retries && Transient(o) && !r.stopping(); n++ {
		d := r.opts.Backoff.Delay(n)
		if !sleep(r.stopCtx, d) || r.opts.Limiter.Wait(r.stopCtx) != nil {
			break // draining: the failure stands
		}
		notes = append(notes, obs.ProbeError{Probe: "connect",
			Error: fmt.Sprintf("attempt %d of %d: %s; retried after %s", n, r.opts.Retries+1, o.Error, d.Round(time.Millisecond))})
		o = r.sc.Scan(r.ctx, t)
	}
	o.Errors = append(o.Errors, notes...)
	return o
}

func obsTarget(t scan.Target) obs.Target {
	ot := obs.Target{Input: t.Input, Host: t.Host, Port: t.Port, SNI: t.SNI, StartTLS: t.StartTLS}
	if t.IP.IsValid() {
		ot.IP = t.IP.String()
	}
	if _, err := netip.ParseAddr(t.Host); ot.SNI == "" && err != nil {
		ot.SNI = t.Host
	}
	return ot
}

func failed(t obs.Target, s obs.Status, msg string) *obs.Observation {
	return &obs.Observation{Schema: obs.SchemaVersion, Target: t, Started: time.Now().UTC().Truncate(time.Millisecond), Status: s, Error: msg}
}

func canceled(t obs.Target) *obs.Observation {
	return failed(t, obs.StatusCanceled, "the run was interrupted before this endpoint was audited")
}
