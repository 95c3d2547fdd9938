package cert

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
)

// IDStoreTrust is the check giving one verdict per trust store and chain.
const IDStoreTrust = "cert.store_trust"

func init() {
	register(checks.Meta{
		ID:    IDStoreTrust,
		Title: "Chain trusted by store",
		Description: "One finding per trust store (and per chain when several are served): whether the store builds a valid path from the served leaf to one of its anchors, which path, and how old the store is. " +
			"Like the platform lines of SSL Labs (Mozilla, Apple, Android, Java, Windows), these are informational: only mozilla and custom decide cert.untrusted and the grade; " +
			"--require-store NAME and the policy rule require_stores turn a store's verdict into a CI gate.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{ref("rfc", "RFC 5280 6.1"), ref("rfc", "RFC 4158")},
	}, func(a *Analysis, env checks.Env) []checks.Finding {
		if len(env.Stores) == 0 {
			return []checks.Finding{{Status: checks.StatusInconclusive, Detail: "no trust store configured"}}
		}
		var out []checks.Finding
		for i := range a.Chains {
			ch := &a.Chains[i]
			for _, t := range ch.Trust {
				f := checks.Finding{Status: checks.StatusPass, Subject: StoreSubject(t.Store)}
				if len(a.Chains) > 1 {
					f.Subject += ", " + chainName(ch)
				}
				f.Detail = t.Verdict()
				if !t.Trusted {
					f.Status = checks.StatusFail
					if ch.PrivatePKI {
						f.Detail += "; expected: private PKI trusted via --ca-file"
						// The custom store trusts the chain and no public
						// store does: a public or platform store (mozilla
						// included) cannot be expected to trust a private
						// PKI, so its verdict is shown, not failed. A store
						// the user named keeps its failure: whether it
						// trusts the chain is the question they asked.
						// --require-store fails on either
						// (policy.StoreViolations).
						if !namedByUser(t) {
							f.Status = checks.StatusNotApplicable
						}
					}
				}
				out = append(out, f)
			}
		}
		return out
	})
}

// StoreSubject is the Subject of a store's cert.store_trust finding (the
// chain is appended when several are served).
func StoreSubject(store string) string { return "store " + store }

// StoreOfSubject returns the store a cert.store_trust finding's Subject names.
func StoreOfSubject(subject string) (string, bool) {
	s, ok := strings.CutPrefix(subject, "store ")
	if !ok {
		return "", false
	}
	s, _, _ = strings.Cut(s, ", ")
	return s, true
}

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
