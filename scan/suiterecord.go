package scan

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// suiteRecord is the observation of an accepted TLS suite: its IANA name
// and, from the registry, its OpenSSL name and key bits.
func suiteRecord(id uint16) obs.Suite {
	s := obs.Suite{ID: id, Name: registry.SuiteName(id)}
	if info, ok := registry.SuiteByID(id); ok {
		s.OpenSSLName, s.KeyBits = info.OpenSSLName, &info.Bits
	}
	return s
}

// sslv2SuiteRecord is suiteRecord for an SSLv2 cipher kind.
func sslv2SuiteRecord(id24 uint32) obs.Suite {
	info, ok := registry.SSLv2SuiteByID(id24)
	if !ok {
		return obs.Suite{ID24: id24, Name: fmt.Sprintf("SSL_CK_0x%06X", id24)}
	}
	return obs.Suite{ID24: id24, Name: info.Name, OpenSSLName: info.OpenSSLName, KeyBits: &info.Bits}
}

func withKx(s obs.Suite, kx *obs.KeyExchange) obs.Suite {
	s.KeyExchange = kx
	return s
}
