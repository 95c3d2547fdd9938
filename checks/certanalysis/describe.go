package certanalysis

import (
	"fmt"
	"strings"
)

// BestPath is the path a store's verdict rests on: its first trusted path,
// else the first path found (the closest to valid), else nil.
func (t *StoreTrust) BestPath() *TrustPath {
	for i := range t.Paths {
		if t.Paths[i].Trusted {
			return &t.Paths[i]
		}
	}
	if len(t.Paths) > 0 {
		return &t.Paths[0]
	}
	return nil
}

// Verdict is the store's line in one sentence: trusted or not, why, the
// path it builds (common names, leaf first) and the store's age.
func (t *StoreTrust) Verdict() string {
	var s string
	if t.Trusted {
		s = "trusted by " + t.Store
	} else {
		s = "not trusted by " + t.Store + ": " + t.Reason
	}
	if p := t.BestPath(); p != nil {
		s += "; path " + p.Describe()
	}
	if t.Trusted && t.Reason != "" {
		s += " (" + t.Reason + ")"
	}
	if pv := t.Provenance; pv != nil {
		s += "; " + pv.Describe()
	}
	if t.Informational {
		s += "; informational (does not decide the grade)"
	}
	return s
}

// Describe is the path as common names, leaf first, the anchor marked:
// "www.example.com > R3 > ISRG Root X1 (anchor)".
func (p *TrustPath) Describe() string {
	parts := make([]string, 0, len(p.Certs))
	for _, c := range p.Certs {
		s := commonName(c.Subject)
		if c.Source == "store" {
			s += " (anchor)"
		} else if c.Source == "aia" {
			s += " (AIA)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " > ")
}

// Describe says where a store comes from and how old it is.
func (a *StoreAge) Describe() string {
	var s string
	switch a.Origin {
	case "embedded":
		s = "embedded store"
	case "file", "platform", "system":
		s = a.Origin + " store " + a.File
	default:
		s = "store"
	}
	if a.Origin == "platform" && !a.FileModified.IsZero() {
		s += fmt.Sprintf(", file dated %s (%d days old)", a.FileModified.UTC().Format("2006-01-02"), a.FileAgeDays)
	}
	if !a.Date.IsZero() {
		what := "newest root"
		if a.DateSource == "file_mtime" {
			what = "file modified"
		}
		s += fmt.Sprintf(", %s %s (%d days old)", what, a.Date.UTC().Format("2006-01-02"), a.AgeDays)
	}
	if a.Note != "" {
		s += "; " + a.Note
	}
	return s
}

// commonName is the CN of a DN as dnString renders it, or the DN itself.
func commonName(dn string) string {
	for _, part := range strings.Split(dn, ", ") {
		if v, ok := strings.CutPrefix(part, "CN="); ok {
			return v
		}
	}
	return dn
}
