package cert

import (
	"encoding/pem"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/tlsaudit/tlsaudit/checks"
)

// StoreAge is a store's provenance with its age on the day of the audit.
type StoreAge struct {
	checks.StoreProvenance
	// AgeDays is how many whole days before the audit Date was.
	AgeDays int `json:"age_days"`
}

// decides reports whether a store's verdict counts for cert.untrusted and
// so for the grade: every store but the informational ones and "system".
func decides(t checks.TrustStore) bool {
	return !t.Informational && t.Name != SystemStoreName
}

// storeAge returns the provenance of t aged at now, or nil.
func storeAge(t checks.TrustStore, now time.Time) *StoreAge {
	if t.Provenance == nil {
		return nil
	}
	a := &StoreAge{StoreProvenance: *t.Provenance}
	if !a.Date.IsZero() && now.After(a.Date) {
		a.AgeDays = int(now.Sub(a.Date) / (24 * time.Hour))
	}
	return a
}

// NewestRoot returns the latest notBefore among roots (DER certificates),
// read by walking each certificate's validity field only; ok is false when
// no root's date could be read.
func NewestRoot(roots [][]byte) (newest time.Time, ok bool) {
	for _, der := range roots {
		if nb, good := rawNotBefore(der); good && nb.After(newest) {
			newest, ok = nb, true
		}
	}
	return newest, ok
}

// rawNotBefore reads a DER certificate's notBefore (RFC 5280 4.1.2.5: UTCTime
// or GeneralizedTime) without parsing the rest of it.
func rawNotBefore(der []byte) (time.Time, bool) {
	in := cryptobyte.String(der)
	var cert, tbs, validity cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.SkipASN1(cbasn1.INTEGER) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.ReadASN1(&validity, cbasn1.SEQUENCE) {
		return time.Time{}, false
	}
	var t time.Time
	switch {
	case validity.PeekASN1Tag(cbasn1.UTCTime):
		if !validity.ReadASN1UTCTime(&t) {
			return time.Time{}, false
		}
	case validity.PeekASN1Tag(cbasn1.GeneralizedTime):
		if !validity.ReadASN1GeneralizedTime(&t) {
			return time.Time{}, false
		}
	default:
		return time.Time{}, false
	}
	return t, true
}

// ParseBundle is ParseStore for large bundles of informational stores (the
// platform stores hold about 700 roots): a certificate whose name and key
// can be walked is kept without a full parse, which happens, as for every
// anchor, when a path first reaches it (an anchor that does not parse then
// is none). Parsing them all up front cost about 12 ms of CPU per run.
func ParseBundle(name string, data []byte) (checks.TrustStore, error) {
	ts := checks.TrustStore{Name: name}
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" && b.Type != "TRUSTED CERTIFICATE" {
			continue
		}
		if _, _, ok := rawSubjectSPKI(b.Bytes); !ok {
			if err := checkRoot(b.Bytes); err != nil {
				return ts, fmt.Errorf("certificate %d: %v", len(ts.Roots)+1, err)
			}
		}
		ts.Roots = append(ts.Roots, b.Bytes)
	}
	if len(ts.Roots) == 0 {
		return ParseStore(name, data) // one DER certificate, or the error
	}
	return ts, nil
}
