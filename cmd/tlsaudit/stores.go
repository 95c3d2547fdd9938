package main

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/cert"
)

// defaultStores are the trust stores chains are validated against.
func defaultStores() []checks.TrustStore {
	return []checks.TrustStore{cert.MozillaStore()}
}
