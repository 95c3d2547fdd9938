package truststore

import (
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Hand-written walks of a certificate's first fields: indexing and dating a
// store needs only the subject, key and notBefore of each root, and a full
// parse of every root of the Mozilla, system and platform stores was most
// of the fixed cost of a run.

// tbsHead walks a DER certificate to its validity field: what follows is
// validity, subject, subjectPublicKeyInfo (RFC 5280 4.1).
func tbsHead(der []byte) (cryptobyte.String, bool) {
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, false
	}
	// [0] EXPLICIT version OPTIONAL, serialNumber, signature, issuer.
	if !tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.SkipASN1(cbasn1.INTEGER) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) {
		return nil, false
	}
	return tbs, true
}

// RawSubjectSPKI returns the encoded subject Name and SubjectPublicKeyInfo
// of a DER certificate (the bytes crypto/x509 keeps as RawSubject and
// RawSubjectPublicKeyInfo) without parsing anything else. ok is false when
// the walk fails.
func RawSubjectSPKI(der []byte) (subject, spki []byte, ok bool) {
	tbs, ok := tbsHead(der)
	if !ok || !tbs.SkipASN1(cbasn1.SEQUENCE) {
		return nil, nil, false
	}
	var subj, key cryptobyte.String
	if !tbs.ReadASN1Element(&subj, cbasn1.SEQUENCE) || !tbs.ReadASN1Element(&key, cbasn1.SEQUENCE) {
		return nil, nil, false
	}
	return subj, key, true
}

// NotBefore reads a DER certificate's notBefore (UTCTime or
// GeneralizedTime) without parsing the rest of it.
func NotBefore(der []byte) (time.Time, bool) {
	tbs, ok := tbsHead(der)
	var validity cryptobyte.String
	if !ok || !tbs.ReadASN1(&validity, cbasn1.SEQUENCE) {
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

// NewestRoot returns the latest notBefore among roots; ok is false when no
// root's date could be read.
func NewestRoot(roots [][]byte) (newest time.Time, ok bool) {
	for _, der := range roots {
		if nb, good := NotBefore(der); good && nb.After(newest) {
			newest, ok = nb, true
		}
	}
	return newest, ok
}
