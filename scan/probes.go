package scan

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// A probe runs after discovery (protocols, suites, groups, chains are known)
// and records what the server did in its own field of the observation. Probes
// run concurrently; every connection goes through a.ep.dial, so together they
// stay within the per-endpoint connection limit. A probe writes to a.o only
// while holding a.mu, and never decides "vulnerable": that is for checks/.
type probeFunc func(ctx context.Context, a *audit)

var (
	probesMu sync.Mutex
	probes   = map[string]probeFunc{}
)

// registerProbe adds a probe; call it from init(). It panics on a duplicate name.
func registerProbe(name string, fn probeFunc) {
	probesMu.Lock()
	defer probesMu.Unlock()
	if _, dup := probes[name]; dup {
		panic("scan: duplicate probe " + name)
	}
	probes[name] = fn
}

// runProbes runs every registered probe (or those enabled) concurrently. A
// probe that panics is recorded as a probe error; the others go on.
func (a *audit) runProbes(ctx context.Context, enabled func(name string) bool) {
	probesMu.Lock()
	names := make([]string, 0, len(probes))
	for n := range probes {
		if enabled == nil || enabled(n) {
			names = append(names, n)
		}
	}
	probesMu.Unlock()
	sort.Strings(names)
	var g errgroup.Group
	for _, n := range names {
		fn := probes[n]
		g.Go(func() error {
			defer func() {
				if r := recover(); r != nil {
					a.probeError(n, fmt.Errorf("internal error: %v\n%s", r, debug.Stack()))
				}
			}()
			start := time.Now()
			fn(withPhase(ctx, "probe:"+n), a)
			a.notePhaseTime("probe:"+n, time.Since(start))
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
