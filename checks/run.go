package checks

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Run evaluates every check of r against o, in ID order. A check that
// panics yields one StatusError finding; it never stops the run.
func (r *Registry) Run(o *obs.Observation, env Env) []Finding {
	if env.Shared == nil {
		env.Shared = new(Shared)
	}
	all := r.All()
	out := make([]Finding, 0, len(all))
	for _, c := range all {
		out = append(out, evaluate(c, o, env)...)
	}
	if len(out) == 0 {
		return nil // as before the preallocation: no findings is a nil slice
	}
	return out
}

// Applier is implemented by checks that can tell up front that they have
// nothing to say about an observation. The framework then emits one
// not_applicable finding carrying the reason, so checks never repeat that
// logic (zlint's CheckApplies).
type Applier interface {
	Applies(o *obs.Observation) (ok bool, reason string)
}

// Evaluate runs one check through the framework lifecycle (applicability,
// panic recovery, metadata fill-in), as Run does for each check.
func Evaluate(c Check, o *obs.Observation, env Env) []Finding { return evaluate(c, o, env) }

func evaluate(c Check, o *obs.Observation, env Env) (fs []Finding) {
	m := c.Meta()
	defer func() {
		if r := recover(); r != nil {
			fs = []Finding{{Status: StatusError, Detail: fmt.Sprintf("internal error in check: %v", r)}}
			fill(fs, m)
		}
	}()
	if o == nil {
		fs = []Finding{NotApplicable("no observation")}
		fill(fs, m)
		return fs
	}
	if o.Mode == obs.ModeQuick && !QuickAssessable(m) {
		fs = []Finding{NotApplicable("not assessed: a quick scan makes one handshake and enumerates nothing (run a full scan)")}
		fill(fs, m)
		return fs
	}
	if a, ok := c.(Applier); ok {
		if ok, why := a.Applies(o); !ok {
			fs = []Finding{NotApplicable(why)}
			fill(fs, m)
			return fs
		}
	}
	fs = c.Evaluate(o, env)
	fill(fs, m)
	return fs
}

// QuickAssessable reports whether a check can judge a quick observation
// (obs.ModeQuick: one handshake, its chain, nothing enumerated). Only the
// certificate checks can: the others would read the absence of what was
// never probed (a protocol, a suite, a vulnerability) as a pass. zlint is
// left out too (its Meta says FullScanOnly): a quick scan is the chain,
// expiry, hostname and trust job.
func QuickAssessable(m Meta) bool { return CategoryOf(m.ID) == "cert" && !m.FullScanOnly }

func fill(fs []Finding, m Meta) {
	for i := range fs {
		f := &fs[i]
		if f.CheckID == "" {
			f.CheckID = m.ID
		}
		if f.Title == "" {
			f.Title = m.Title
		}
		if f.Category == "" {
			f.Category = m.Category
		}
		if f.Severity == "" {
			f.Severity = m.Severity
		}
		if f.Refs == nil {
			f.Refs = m.Refs
		}
	}
}
