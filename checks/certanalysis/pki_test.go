package certanalysis

import (
	"github.com/tlsaudit/tlsaudit/checks/internal/certtest"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// The test PKI (package certtest) under this package's short names.
type tcert = certtest.Cert

var (
	testNow = certtest.Now
	getPKI  = certtest.Get
	observe = certtest.Observe
)

// inputWith is an analysis input trusting roots (a store named custom).
func inputWith(roots ...*tcert) Input {
	st := truststore.Store{Name: "custom"}
	for _, r := range roots {
		st.Roots = append(st.Roots, r.DER)
	}
	return Input{Now: testNow, Stores: []truststore.Store{st}}
}

const host = "www.example.test"
