package scan

import (
	"context"
	"fmt"
	"maps"
	"runtime/debug"
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
// for checks/). The audit runs the probes concurrently once the protocols
// and their suites are known, while the group and signature algorithm
// sequences may still run, and stores each result in the observation (under
// a.mu) with the store function registered with the probe. Probes share no
// mutable state: the env is read-only, and every connection goes through
// env.ep.dial, so together they stay within the per-endpoint connection
// limit.
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

// probeEnv is what a probe may use: the endpoint to connect to and a copy
// of what discovery found, taken when the probes start. Nothing in it
// changes after that, so probes read it without a lock.
type probeEnv struct {
	ep     *endpoint
	target obs.Target
	// protocols: SSLv3 to TLS 1.3 as enumerated (suites in the server's
	// order when it has one); a missing version is not supported.
	protocols map[uint16]obs.Protocol
	groups13  []obs.Group // TLS 1.3 groups accepted (enumerated with TLS 1.3)
	clients   []clientsim.Profile
	http      HTTPOptions // defaults filled in
	// firstHello: discovery's answer to the first hello of a version below
	// TLS 1.3 (helloTLS offering every suite), when it had one.
	firstHello map[uint16]*wire.ServerHello
	// discovered waits for discovery's sequences (groups, signature
	// algorithms) to end and returns what they proved; nil when the
	// client simulations are all made live.
	discovered func(ctx context.Context) *simFacts
}

// probeEnv snapshots what the probes need. The protocol enumeration
// (TLS 1.3's includes its groups) must be over.
func (a *audit) probeEnv() *probeEnv {
	a.mu.Lock()
	defer a.mu.Unlock()
	e := &probeEnv{ep: a.ep, target: a.o.Target, protocols: map[uint16]obs.Protocol{}, clients: a.clients, http: a.http.withDefaults()}
	for v, p := range a.protocols {
		if p != nil && v != registry.VersionSSL2 {
			e.protocols[v] = *p
		}
	}
	e.groups13 = append(e.groups13, a.groups.TLS13...)
	e.firstHello = maps.Clone(a.firstHello)
	if !a.liveSims && a.discoveredCh != nil {
		e.discovered = a.waitDiscovered
	}
	return e
}

// plainHello returns discovery's answer to the hello the probes send as
// their plain one at version v, helloTLS(v, suites accepted), or nil when
// discovery kept none. The first hello of v was the same but for offering
// every suite, and the server chose from it the suite it would choose from
// the accepted ones: the first of them (its most preferred when it has an
// order, else the first in the base order, which both lists keep).
func (e *probeEnv) plainHello(v uint16) *wire.ServerHello {
	sh := e.firstHello[v]
	p := e.protocols[v]
	if sh == nil || len(p.Suites) == 0 || sh.CipherSuite != p.Suites[0].ID {
		return nil
	}
	return sh
}

// runProbes runs every registered probe (or those enabled) concurrently
// and stores their results. A probe that panics is recorded as a probe
// error; the others go on.
func (a *audit) runProbes(ctx context.Context, enabled func(name string) bool) {
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
	e := a.probeEnv()
	ctx = withPriority(ctx, priorityProbe)
	var g errgroup.Group
	for _, p := range run {
		g.Go(func() error {
			defer func() {
				if r := recover(); r != nil {
					a.probeError(p.name, fmt.Errorf("internal error: %v\n%s", r, debug.Stack()))
				}
			}()
			start := time.Now()
			store := p.run(withPhase(ctx, "probe:"+p.name), e)
			a.mu.Lock()
			store(a.o)
			a.mu.Unlock()
			a.notePhaseTime("probe:"+p.name, time.Since(start))
			return nil
		})
	}
	g.Wait()
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
