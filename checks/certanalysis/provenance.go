package certanalysis

import (
	"time"

	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// StoreAge is a store's provenance with its age on the day of the audit.
type StoreAge struct {
	truststore.Provenance
	// AgeDays is how many whole days before the audit Date was.
	AgeDays int `json:"age_days"`
	// FileAgeDays is the same for FileModified: for a snapshot whose
	// newest root is years older than the snapshot (the platform
	// bundles), the file's date says when it was taken.
	FileAgeDays int `json:"file_age_days,omitempty"`
}

// decides reports whether a store's verdict counts for cert.untrusted and
// so for the grade: every store but the informational ones and "system".
func decides(t truststore.Store) bool {
	return !t.Informational && t.Name != SystemStoreName
}

// storeAge returns the provenance of t aged at now, or nil.
func storeAge(t truststore.Store, now time.Time) *StoreAge {
	if t.Provenance == nil {
		return nil
	}
	a := &StoreAge{Provenance: *t.Provenance}
	if !a.Date.IsZero() && now.After(a.Date) {
		a.AgeDays = int(now.Sub(a.Date) / (24 * time.Hour))
	}
	if !a.FileModified.IsZero() && now.After(a.FileModified) {
		a.FileAgeDays = int(now.Sub(a.FileModified) / (24 * time.Hour))
	}
	return a
}
