package certanalysis

import "github.com/tlsaudit/tlsaudit/scan/truststore"

// rawSubjectSPKI returns the encoded subject Name and SubjectPublicKeyInfo
// of a DER certificate by walking it (truststore.RawSubjectSPKI): indexing a
// trust store needs only these.
func rawSubjectSPKI(der []byte) (subject, spki []byte, ok bool) {
	return truststore.RawSubjectSPKI(der)
}
