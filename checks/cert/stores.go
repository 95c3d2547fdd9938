package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// SystemStoreName names the machine's own trust store. It gets a trust line
// but does not decide cert.untrusted (see that check).
const SystemStoreName = truststore.SystemName

// MozillaStore returns the Mozilla (NSS) root set embedded in the binary.
func MozillaStore() checks.TrustStore { return truststore.Mozilla() }

// ParseStore builds a trust store from PEM or from one DER certificate
// (truststore.Parse).
func ParseStore(name string, data []byte) (checks.TrustStore, error) {
	return truststore.Parse(name, data)
}
