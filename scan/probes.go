package scan

import (
	"context"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tlsaudit/tlsaudit/scan/clientsim"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// A probe is a function from a probeEnv (the endpoint and what discovery
// found) to its own typed result, which never decides "vulnerable" (that is
// for checks/). The audit starts the probes concurrently as soon as a
// protocol answered, while discovery runs; each waits for the protocols it
// reads (see probeEnv). Once discovery is over the audit stores each result
// in the observation (under a.mu) with the store function registered with
// the probe. Probes share no mutable state: the env is read-only (its
// shared results are made once and then only read), and every connection
// goes through env.ep.dial, so together they stay within the per-endpoint
// connection limit.
type probe struct {
	name string
	// run runs the probe and returns the function that stores its result
	// into the observation (called with the audit's lock held).
	run func(ctx context.Context, e *probeEnv) func(o *obs.Observation)
}

var (
	probesMu sync.Mutex
	probes   = map[string]probe{}
)

// registerProbe adds a probe returning a result of type R, and how R is
// stored in the observation; call it from init(). It panics on a duplicate
// name.
func registerProbe[R any](name string, run func(ctx context.Context, e *probeEnv) R, store func(o *obs.Observation, r R)) {
	probesMu.Lock()
	defer probesMu.Unlock()
	if _, dup := probes[name]; dup {
		panic("scan: duplicate probe " + name)
	}
	probes[name] = probe{name: name, run: func(ctx context.Context, e *probeEnv) func(o *obs.Observation) {
		r := run(ctx, e)
		return func(o *obs.Observation) { store(o, r) }
	}}
}

// inHandshakeProbes and inSessionProbes adapt a setter of one field of
// obs.HandshakeProbes or obs.SessionProbes into a store function.
func inHandshakeProbes[R any](set func(p *obs.HandshakeProbes, r R)) func(o *obs.Observation, r R) {
	return func(o *obs.Observation, r R) {
		if o.Probes == nil {
			o.Probes = &obs.Probes{}
		}
		set(&o.Probes.HandshakeProbes, r)
	}
}

func inSessionProbes[R any](set func(p *obs.SessionProbes, r R)) func(o *obs.Observation, r R) {
	return func(o *obs.Observation, r R) {
		if o.Probes == nil {
			o.Probes = &obs.Probes{}
		}
		set(&o.Probes.SessionProbes, r)
	}
}

// probeEnv is what a probe may use: the endpoint to connect to and what
// discovery found. A live env (facts set) hands out each protocol's record
// only once that protocol's enumeration is over, waiting for it if need be,
// so a probe starts as soon as the audit has an answer and waits for
// exactly the protocols it reads. What it hands out never changes after, so
// probes share no mutable state. Without facts, the env is a complete copy
// taken after discovery (tests).
type probeEnv struct {
	ep      *endpoint
	target  obs.Target
	clients []clientsim.Profile
	http    HTTPOptions // defaults filled in
	facts   *facts      // nil: the fields below are complete
	// protocols: SSLv3 to TLS 1.3 as enumerated (suites in the server's
	// order when it has one); a missing version is not supported.
	protocols map[uint16]obs.Protocol
	groups13  []obs.Group // TLS 1.3 groups accepted (enumerated with TLS 1.3)
	// firstHello: discovery's answer to the first hello of a version below
	// TLS 1.3 (helloTLS offering every suite), when it had one.
	firstHello map[uint16]*wire.ServerHello
	// shared: results more than one probe would otherwise make the same
	// connection for (nil: none shared).
	shared *sharedResults
	// unpipelined: records after a handshake wait for the server's
	// Finished (see dial12Record); for tests comparing both ways.
	unpipelined bool
	// discovered waits for discovery's sequences (groups, signature
	// algorithms) to end and returns what they proved; nil when the
	// client simulations are all made live.
	discovered func(ctx context.Context) *simFacts
	// intolerance waits for the intolerance probe's result (ran false when
	// it is not part of this audit).
	intolerance func(ctx context.Context) (r *obs.IntoleranceResult, ran bool)
}

// facts is what discovery publishes to the probes, one protocol at a time.
// The maps are built before discovery starts and never change; each
// protoFacts is written once, before its done channel is closed, and only
// read after.
type facts struct {
	gates map[uint16]*gate // a protocol's first answer (see audit.gates)
	known map[uint16]*protoFacts
}

type protoFacts struct {
	done       chan struct{}
	p          obs.Protocol
	firstHello *wire.ServerHello
	groups13   []obs.Group // TLS 1.3 only
}

func newFacts(gates map[uint16]*gate) *facts {
	f := &facts{gates: gates, known: map[uint16]*protoFacts{}}
	for _, v := range protocolOrder {
		f.known[v] = &protoFacts{done: make(chan struct{})}
	}
	return f
}

// publish makes version v's record final for the probes; a.mu must not be
// held. Called once per version, when its enumeration is over.
func (a *audit) publish(v uint16) {
	pf := a.probeFacts.known[v]
	a.mu.Lock()
	if p := a.protocols[v]; p != nil {
		pf.p = *p
	}
	pf.firstHello = a.firstHello[v]
	if v == registry.VersionTLS13 {
		pf.groups13 = slices.Clone(a.groups.TLS13)
	}
	a.mu.Unlock()
	close(pf.done)
}

// wait returns version v's record once final.
func (f *facts) wait(v uint16) *protoFacts {
	pf := f.known[v]
	<-pf.done // the enumeration always ends (it honours the audit's context)
	return pf
}

// probeEnv is a complete copy of what the probes need; the protocol
// enumeration (TLS 1.3's includes its groups) must be over.
func (a *audit) probeEnv() *probeEnv {
	a.mu.Lock()
	defer a.mu.Unlock()
	e := a.newProbeEnv()
	e.protocols = map[uint16]obs.Protocol{}
	for v, p := range a.protocols {
		if p != nil && v != registry.VersionSSL2 {
			e.protocols[v] = *p
		}
	}
	e.groups13 = append(e.groups13, a.groups.TLS13...)
	e.firstHello = maps.Clone(a.firstHello)
	return e
}

// liveProbeEnv is the env of probes started while discovery runs.
func (a *audit) liveProbeEnv() *probeEnv {
	e := a.newProbeEnv()
	e.facts = a.probeFacts
	return e
}

// newProbeEnv is the part of an env that does not depend on discovery.
func (a *audit) newProbeEnv() *probeEnv {
	e := &probeEnv{ep: a.ep, target: a.o.Target, clients: a.clients, http: a.http.withDefaults()}
	if !a.liveSims && a.discoveredCh != nil {
		e.discovered = a.waitDiscovered
		e.intolerance = a.awaitIntolerance
	}
	return e
}

// supported returns the discovery record of version v (SSLv3 to TLS 1.3),
// waiting for its enumeration; the zero Protocol when v is not supported.
func (e *probeEnv) supported(v uint16) obs.Protocol {
	if e.facts != nil {
		if v == registry.VersionSSL2 {
			return obs.Protocol{}
		}
		return e.facts.wait(v).p
	}
	return e.protocols[v]
}

// accepts reports whether version v is supported, as supported(v).Supported
// but without waiting for the enumeration when its first hello was
// answered (which proves a suite accepted).
func (e *probeEnv) accepts(v uint16) bool {
	if e.facts != nil {
		if g := e.facts.gates[v]; g != nil {
			select {
			case <-g.ch:
				if g.supported {
					return true
				}
			default:
			}
		}
	}
	return e.supported(v).Supported
}

// tls13Groups returns the groups accepted with TLS 1.3.
func (e *probeEnv) tls13Groups() []obs.Group {
	if e.facts != nil {
		return e.facts.wait(registry.VersionTLS13).groups13
	}
	return e.groups13
}

// firstHelloOf is discovery's answer to the first hello of version v.
func (e *probeEnv) firstHelloOf(v uint16) *wire.ServerHello {
	if e.facts != nil {
		return e.facts.wait(v).firstHello
	}
	return e.firstHello[v]
}

// plainHello returns discovery's answer to the hello the probes send as
// their plain one at version v, helloTLS(v, suites accepted), or nil when
// discovery kept none. The first hello of v was the same but for offering
// every suite, and the server chose from it the suite it would choose from
// the accepted ones: the first of them (its most preferred when it has an
// order, else the first in the base order, which both lists keep).
func (e *probeEnv) plainHello(v uint16) *wire.ServerHello {
	sh := e.firstHelloOf(v)
	p := e.supported(v)
	if sh == nil || len(p.Suites) == 0 || sh.CipherSuite != p.Suites[0].ID {
		return nil
	}
	return sh
}

// runProbes runs every registered probe (or those enabled) concurrently on
// a copy of what discovery found, which must be over, and stores their
// results.
func (a *audit) runProbes(ctx context.Context, enabled func(name string) bool) {
	a.runProbesOn(ctx, enabled, a.probeEnv(), nil)
}

// runProbesOn runs the probes on e and, unless keep (called once they are
// over) says otherwise, stores their results, in the order of their names.
// A probe that panics is recorded as a probe error; the others go on.
func (a *audit) runProbesOn(ctx context.Context, enabled func(name string) bool, e *probeEnv, keep func() bool) {
	probesMu.Lock()
	var run []probe
	for n, p := range probes {
		if enabled == nil || enabled(n) {
			run = append(run, p)
		}
	}
	probesMu.Unlock()
	if len(run) == 0 {
		return
	}
	sort.Slice(run, func(i, j int) bool { return run[i].name < run[j].name })
	if e.facts != nil {
		e.shared = &sharedResults{runs: func(name string) bool { return enabled == nil || enabled(name) }}
	}
	a.probeDone = map[string]chan struct{}{}
	a.probeResults = map[string]*obs.Observation{}
	for _, p := range run {
		a.probeDone[p.name] = make(chan struct{})
		a.probeResults[p.name] = &obs.Observation{}
	}
	ctx = withPriority(ctx, priorityProbe)
	stores := make([]func(o *obs.Observation), len(run))
	took := make([]time.Duration, len(run))
	var g errgroup.Group
	for i, p := range run {
		g.Go(func() error {
			start := time.Now()
			defer close(a.probeDone[p.name]) // after the result is in probeResults
			defer func() {
				if r := recover(); r != nil {
					err := fmt.Errorf("internal error: %v\n%s", r, debug.Stack())
					stores[i] = func(*obs.Observation) { a.probeErrorLocked(p.name, err) }
				}
				took[i] = time.Since(start)
			}()
			stores[i] = p.run(withPhase(ctx, "probe:"+p.name), e)
			stores[i](a.probeResults[p.name])
			return nil
		})
	}
	g.Wait()
	if keep != nil && !keep() {
		return
	}
	a.mu.Lock()
	for _, store := range stores {
		store(a.o)
	}
	a.mu.Unlock()
	for i, p := range run {
		a.notePhaseTime("probe:"+p.name, took[i])
	}
}

// supported returns the protocol record of version v (read-only snapshot).
func (a *audit) supported(v uint16) obs.Protocol {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p := a.protocols[v]; p != nil {
		return *p
	}
	return obs.Protocol{}
}

// notePhaseTime records the wall time of one phase or probe.
func (a *audit) notePhaseTime(phase string, d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.o.ElapsedMSByPhase == nil {
		a.o.ElapsedMSByPhase = map[string]int64{}
	}
	a.o.ElapsedMSByPhase[phase] = d.Milliseconds()
}

// ProbeNames lists the registered probes, sorted.
func ProbeNames() []string {
	probesMu.Lock()
	defer probesMu.Unlock()
	names := make([]string, 0, len(probes))
	for n := range probes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// sharedResults holds the results of connections that more than one probe
// needs made the same way: the first to ask makes the connection, the
// others wait for its result. A small memo, hand-written because
// golang.org/x/sync/singleflight forgets a result once its call is over.
type sharedResults struct {
	mu    sync.Mutex
	calls map[any]*sharedCall
	// runs reports whether a probe runs in this audit.
	runs func(name string) bool
}

type sharedCall struct {
	done chan struct{}
	val  any
	err  error
}

// do returns the result of f for key, running f only the first time.
func (s *sharedResults) do(key any, f func() (any, error)) (any, error) {
	s.mu.Lock()
	if s.calls == nil {
		s.calls = map[any]*sharedCall{}
	}
	if c, ok := s.calls[key]; ok {
		s.mu.Unlock()
		<-c.done
		return c.val, c.err
	}
	c := &sharedCall{done: make(chan struct{})}
	s.calls[key] = c
	s.mu.Unlock()
	defer close(c.done)
	c.val, c.err = f()
	return c.val, c.err
}
