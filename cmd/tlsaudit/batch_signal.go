package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// interruptGrace is how long running audits may go on after the first
// SIGINT/SIGTERM before they are cancelled.
var interruptGrace = 10 * time.Second

type drainKey struct{}

// withDrain attaches a drain channel to ctx: when it is closed, the run
// takes no new target but lets the running audits finish.
func withDrain(ctx context.Context, ch <-chan struct{}) context.Context {
	return context.WithValue(ctx, drainKey{}, ch)
}

// drainOf returns ctx's drain channel (nil: never).
func drainOf(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(drainKey{}).(<-chan struct{})
	return ch
}

// interruptContext handles SIGINT and SIGTERM: the first stops new work
// (the returned context's drain channel closes) and gives the running
// audits interruptGrace to finish; the second, or the end of the grace,
// cancels the context, which ends them at once (their records say
// canceled). Either way the output written so far is flushed and stays
// well-formed. stop releases the signal handler.
func interruptContext(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	drain := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		close(drain)
		fmt.Fprintf(stderr, "\ntlsaudit: interrupted: no new targets; running audits get %s to finish (interrupt again to stop now)\n", interruptGrace)
		t := time.NewTimer(interruptGrace)
		defer t.Stop()
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "tlsaudit: interrupted again: cancelling the running audits")
		case <-t.C:
			fmt.Fprintln(stderr, "tlsaudit: grace period over: cancelling the running audits")
		case <-done:
			return
		}
		cancel()
	}()
	var once sync.Once
	return withDrain(ctx, drain), func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			cancel()
		})
	}
}

// drained reports whether ctx's run was told to stop taking new work.
func drained(ctx context.Context) bool {
	select {
	case <-drainOf(ctx):
		return true
	default:
		return ctx.Err() != nil
	}
}
