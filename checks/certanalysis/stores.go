package certanalysis

import "github.com/tlsaudit/tlsaudit/scan/truststore"

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
	for i, t := range ts {
		switch {
		case !t.Trusted || t.Store == SystemStoreName:
		case ts[i].NamedByUser():
			// a store the user named (--trust-store): no public store
		case t.Store == CustomStoreName:
			custom = true
		default:
			return false
		}
	}
	return custom
}

// NamedByUser: the store is one the user named (--trust-store,
// --trust-store-dir), not a public or platform root set.
func (t *StoreTrust) NamedByUser() bool {
	return t.Informational && t.Provenance != nil && t.Provenance.Origin == "file"
}
