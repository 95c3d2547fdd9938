package cert

import (
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// rawSubjectSPKI returns the encoded subject Name and SubjectPublicKeyInfo
// of a DER certificate (the bytes crypto/x509 keeps as RawSubject and
// RawSubjectPublicKeyInfo) by walking the tbsCertificate's first fields,
// without parsing anything else: indexing a trust store needs only these,
// and a full parse of every root of the Mozilla and system stores was most
// of the fixed cost of a run. ok is false when the walk fails.
func rawSubjectSPKI(der []byte) (subject, spki []byte, ok bool) {
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, nil, false
	}
	// [0] EXPLICIT version OPTIONAL, serialNumber, signature, issuer,
	// validity, then subject and subjectPublicKeyInfo (RFC 5280 4.1).
	if !tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.SkipASN1(cbasn1.INTEGER) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) {
		return nil, nil, false
	}
	var subj, key cryptobyte.String
	if !tbs.ReadASN1Element(&subj, cbasn1.SEQUENCE) || !tbs.ReadASN1Element(&key, cbasn1.SEQUENCE) {
		return nil, nil, false
	}
	return subj, key, true
}
