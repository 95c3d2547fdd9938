package certfetch

import (
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// SystemBundle is the Debian/Ubuntu system CA bundle.
const SystemBundle = truststore.SystemBundle

// SystemStore reads the system trust store (SystemBundle), named "system".
func SystemStore() (truststore.Store, error) { return truststore.System() }

// LoadCAFile reads a PEM (or single DER) file of trust anchors, named
// "custom" (--ca-file).
func LoadCAFile(path string) (truststore.Store, error) {
	return truststore.Load(truststore.CustomName, path)
}

// ReadFileCapped reads the file at path, or fails with an error naming it
// when it is larger than max bytes (reading at most max+1 of them).
func ReadFileCapped(path string, max int64) ([]byte, error) {
	return truststore.ReadFileCapped(path, max)
}
