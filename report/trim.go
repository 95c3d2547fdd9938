package report

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// FindingSet selects which findings a written report carries.
type FindingSet string

const (
	// FindingsAll keeps every finding, whatever its status.
	FindingsAll FindingSet = "all"
	// FindingsNonPass keeps the findings that say something about the
	// endpoint: every status but pass and not_applicable (fail,
	// inconclusive, error).
	FindingsNonPass FindingSet = "nonpass"
	// FindingsFail keeps the failed findings only.
	FindingsFail FindingSet = "fail"
)

// ParseFindingSet parses the --findings value.
func ParseFindingSet(s string) (FindingSet, error) {
	switch f := FindingSet(s); f {
	case FindingsAll, FindingsNonPass, FindingsFail:
		return f, nil
	}
	return "", fmt.Errorf("unknown --findings %q (want all, nonpass or fail)", s)
}

func (s FindingSet) keeps(st checks.Status) bool {
	switch s {
	case FindingsNonPass:
		return st != checks.StatusPass && st != checks.StatusNotApplicable
	case FindingsFail:
		return st == checks.StatusFail
	}
	return true
}

// TrimOptions say what a written report leaves out. The zero value leaves
// out nothing.
type TrimOptions struct {
	// Findings selects the findings kept ("" keeps all); the report's
	// findings_omitted counts the others by status.
	Findings FindingSet
	// Compact leaves out what a batch record repeats or rarely needs (see
	// compact).
	Compact bool
}

// Trim returns r as opts write it: r itself when nothing is left out, else
// a shallow copy (r and its observation are not modified). Verdicts were
// computed from the whole report before: trimming changes what is written,
// never what was judged.
func Trim(r *Report, opts TrimOptions) *Report {
	filter := opts.Findings != "" && opts.Findings != FindingsAll
	if !filter && !opts.Compact {
		return r
	}
	out := *r
	if filter {
		out.Findings = make([]checks.Finding, 0, 4)
		for _, f := range r.Findings {
			if opts.Findings.keeps(f.Status) {
				out.Findings = append(out.Findings, f)
			} else {
				if out.FindingsOmitted == nil {
					out.FindingsOmitted = map[checks.Status]int{}
				}
				out.FindingsOmitted[f.Status]++
			}
		}
	}
	if opts.Compact {
		compact(&out)
	}
	return &out
}

// compact leaves out of r (a copy: what it points to is copied before it
// is changed) what a batch record repeats or rarely needs:
//   - the observation's copy of the target (the record's target is the same);
//   - the DER of each served certificate (its fingerprint, names, dates and
//     key stay in the observation's chains);
//   - the certificate analysis (trust per store with its paths, leaf facts,
//     lint counts): what it finds wrong is in the findings;
//   - a grade without a letter (a target that could not be graded, such as
//     every --quick one: the grade's error says only that).
func compact(r *Report) {
	if r.Observation != nil {
		o := *r.Observation
		o.Target = obs.Target{}
		if len(o.Chains) > 0 {
			o.Chains = make([]obs.Chain, len(r.Observation.Chains))
			for i, c := range r.Observation.Chains {
				c.Certificates = append([]obs.Certificate(nil), c.Certificates...)
				for j := range c.Certificates {
					c.Certificates[j].DER = nil
				}
				o.Chains[i] = c
			}
		}
		r.Observation = &o
	}
	r.Certificates = nil
	if r.Grade != nil && r.Grade.Letter == "" {
		r.Grade = nil
	}
}
