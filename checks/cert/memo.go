package cert

import (
	"strconv"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/weakkey"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// The checks of this package share one Analysis per (observation, env): the
// last few are kept, since checks.Run evaluates every check in turn.
type memoKey struct {
	o        *obs.Observation
	now      time.Time
	warn     time.Duration
	host     string
	stores   int
	chains   int
	storeKey string
	weak     *weakkey.List
}

type memoEntry struct {
	key memoKey
	a   *Analysis
}

var (
	memoMu  sync.Mutex
	memo    []*memoEntry
	memoCap = 16
)

func keyOf(o *obs.Observation, env checks.Env) memoKey {
	k := memoKey{o: o, now: env.Now, warn: env.ExpiryWarn, host: env.Hostname, stores: len(env.Stores), chains: len(o.Chains), weak: env.WeakKeys}
	var b []byte // "name:roots;" per store (fmt.Sprintf here was a sixth of judging a quick audit)
	for _, s := range env.Stores {
		b = append(b, s.Name...)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(len(s.Roots)), 10)
		b = append(b, ';')
	}
	k.storeKey = string(b)
	return k
}

// AnalysisFor returns the Analysis the cert.* checks judged for o under env
// (memoised: right after checks.Run it is the same value, not recomputed).
// Callers carry it into reports so no format recomputes it.
func AnalysisFor(o *obs.Observation, env checks.Env) *Analysis { return analysisFor(o, env) }

// analysisFor returns the memoised Analysis of o under env.
func analysisFor(o *obs.Observation, env checks.Env) *Analysis {
	k := keyOf(o, env)
	memoMu.Lock()
	for _, e := range memo {
		if e.key == k {
			memoMu.Unlock()
			return e.a
		}
	}
	memoMu.Unlock()
	a := Analyze(o, env)
	memoMu.Lock()
	defer memoMu.Unlock()
	memo = append([]*memoEntry{{key: k, a: a}}, memo...)
	if len(memo) > memoCap {
		memo = memo[:memoCap]
	}
	return a
}
