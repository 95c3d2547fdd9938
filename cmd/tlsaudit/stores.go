package main

import (
	"github.com/tlsaudit/tlsaudit/checks"
	_ "github.com/tlsaudit/tlsaudit/checks/all" // registers every check
	"github.com/tlsaudit/tlsaudit/checks/cert"
)

// defaultStores are the trust stores chains are validated against.
func defaultStores() []checks.TrustStore {
	return []checks.TrustStore{cert.MozillaStore()}
}
