package checks

import (
	"fmt"
	"path"
	"strings"
)

// severityRank orders severities from info (0) to critical (4).
var severityRank = map[Severity]int{
	SeverityInfo: 0, SeverityLow: 1, SeverityMedium: 2, SeverityHigh: 3, SeverityCritical: 4,
}

// Severities lists the severities from lowest to highest.
func Severities() []Severity {
	return []Severity{SeverityInfo, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}
}

// Rank orders severities: info 0 … critical 4; unknown values rank -1.
func (s Severity) Rank() int {
	if r, ok := severityRank[s]; ok {
		return r
	}
	return -1
}

// ParseSeverity parses a severity name (case-insensitive).
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	if v.Rank() < 0 {
		return "", fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", s)
	}
	return v, nil
}

// Filter selects checks. Empty fields select everything. IDs in IncludeIDs and
// ExcludeIDs may be path.Match patterns ("cipher.*"). Categories match either
// Meta.Category ("protocol") or the ID prefix ("proto").
type Filter struct {
	IncludeIDs  []string `json:"include_ids,omitempty"`
	ExcludeIDs  []string `json:"exclude_ids,omitempty"`
	Categories  []string `json:"categories,omitempty"`
	MinSeverity Severity `json:"min_severity,omitempty"`
}

// Match reports whether a check with metadata m passes the filter.
func (f Filter) Match(m Meta) bool {
	if len(f.IncludeIDs) > 0 && !matchAny(f.IncludeIDs, m.ID) {
		return false
	}
	if matchAny(f.ExcludeIDs, m.ID) {
		return false
	}
	if len(f.Categories) > 0 {
		prefix, _, _ := strings.Cut(m.ID, ".")
		found := false
		for _, c := range f.Categories {
			if c == m.Category || c == prefix {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if f.MinSeverity != "" && m.Severity.Rank() < f.MinSeverity.Rank() {
		return false
	}
	return true
}

func matchAny(patterns []string, id string) bool {
	for _, p := range patterns {
		if ok, err := path.Match(p, id); (err == nil && ok) || p == id {
			return true
		}
	}
	return false
}

// Validate reports filter entries that select nothing in r (a typo in
// --include-checks should be an error, not a silent empty run) and an unknown
// MinSeverity.
func (f Filter) Validate(r *Registry) error {
	if f.MinSeverity != "" && f.MinSeverity.Rank() < 0 {
		return fmt.Errorf("unknown severity %q", f.MinSeverity)
	}
	all := r.All()
	for _, p := range append(append([]string{}, f.IncludeIDs...), f.ExcludeIDs...) {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("bad check pattern %q: %v", p, err)
		}
		hit := false
		for _, c := range all {
			if matchAny([]string{p}, c.Meta().ID) {
				hit = true
				break
			}
		}
		if !hit {
			return fmt.Errorf("no check matches %q", p)
		}
	}
	for _, cat := range f.Categories {
		hit := false
		for _, c := range all {
			m := c.Meta()
			if prefix, _, _ := strings.Cut(m.ID, "."); cat == prefix || cat == m.Category {
				hit = true
				break
			}
		}
		if !hit {
			return fmt.Errorf("no check in category %q", cat)
		}
	}
	return nil
}

// Filter returns a new registry holding the checks of r that pass f.
func (r *Registry) Filter(f Filter) *Registry {
	out := NewRegistry()
	for _, c := range r.All() {
		if f.Match(c.Meta()) {
			out.checks[c.Meta().ID] = c
		}
	}
	return out
}

// Catalogue lists the metadata of every check in r, sorted by ID: the data
// behind `tlsaudit checks` (table or JSON).
func (r *Registry) Catalogue() []Meta {
	all := r.All()
	out := make([]Meta, len(all))
	for i, c := range all {
		out[i] = c.Meta()
	}
	return out
}
