package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// SystemStoreName names the machine's own trust store. It gets a trust line
// but does not decide cert.untrusted (see that check).
const SystemStoreName = truststore.SystemName

// CustomStoreName names the store of --ca-file (a private PKI's anchors).
const CustomStoreName = truststore.CustomName

// trustedOnlyPrivately: the custom store trusts the chain and no store
// other than it, the system store and the stores the user named
// (--trust-store, --trust-store-dir) does.
func trustedOnlyPrivately(ts []StoreTrust) bool {
	custom := false
	for _, t := range ts {
		switch {
		case !t.Trusted || t.Store == SystemStoreName:
		case namedByUser(t):
			// a store the user named (--trust-store): no public store
		case t.Store == CustomStoreName:
			custom = true
		default:
			return false
		}
	}
	return custom
}

// namedByUser: the store is one the user named (--trust-store,
// --trust-store-dir), not a public or platform root set.
func namedByUser(t StoreTrust) bool {
	return t.Informational && t.Provenance != nil && t.Provenance.Origin == "file"
}

// MozillaStore returns the Mozilla (NSS) root set embedded in the binary.
func MozillaStore() checks.TrustStore { return truststore.Mozilla() }

// ParseStore builds a trust store from PEM or from one DER certificate
// (truststore.Parse).
func ParseStore(name string, data []byte) (checks.TrustStore, error) {
	return truststore.Parse(name, data)
}
