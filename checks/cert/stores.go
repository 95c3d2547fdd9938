package cert

import (
	"encoding/pem"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/crypto/x509roots/fallback/bundle"

	"github.com/tlsaudit/tlsaudit/checks"
)

var mozillaOnce = sync.OnceValue(func() [][]byte {
	var roots [][]byte
	for r := range bundle.Roots() {
		roots = append(roots, r.Certificate)
	}
	return roots
})

// SystemStoreName names the machine's own trust store. It gets a trust line
// but does not decide cert.untrusted (see that check).
const SystemStoreName = "system"

// MozillaStore returns the Mozilla (NSS) root set embedded in the binary. The
// NSS "distrust after" constraints of a few roots are not carried over.
func MozillaStore() checks.TrustStore {
	return checks.TrustStore{Name: "mozilla", Roots: mozillaOnce()}
}

// ParseStore builds a trust store from PEM (any number of CERTIFICATE blocks)
// or from one DER certificate.
func ParseStore(name string, data []byte) (checks.TrustStore, error) {
	ts := checks.TrustStore{Name: name}
	rest := data
	sawPEM := false
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		sawPEM = true
		if b.Type != "CERTIFICATE" && b.Type != "TRUSTED CERTIFICATE" {
			continue
		}
		if p := newPCert(b.Bytes, "store", -1); p.c == nil {
			return ts, fmt.Errorf("certificate %d: %v", len(ts.Roots)+1, p.err)
		}
		ts.Roots = append(ts.Roots, b.Bytes)
	}
	if !sawPEM {
		if p := newPCert(data, "store", -1); p.c != nil {
			ts.Roots = append(ts.Roots, data)
		}
	}
	if len(ts.Roots) == 0 {
		return ts, errors.New("no certificate found")
	}
	return ts, nil
}
