package checks

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Run evaluates every registered check against o, in ID order. A check that
// panics yields one StatusError finding; it never stops the run.
func Run(o *obs.Observation, env Env) []Finding {
	var out []Finding
	for _, c := range All() {
		out = append(out, evaluate(c, o, env)...)
	}
	return out
}

func evaluate(c Check, o *obs.Observation, env Env) (fs []Finding) {
	m := c.Meta()
	defer func() {
		if r := recover(); r != nil {
			fs = []Finding{{Status: StatusError, Detail: fmt.Sprintf("internal error in check: %v", r)}}
			fill(fs, m)
		}
	}()
	fs = c.Evaluate(o, env)
	fill(fs, m)
	return fs
}

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
