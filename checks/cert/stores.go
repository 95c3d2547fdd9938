package cert

import (
	"crypto/x509"
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
	return checks.TrustStore{Name: "mozilla", Roots: mozillaOnce(), Provenance: mozillaProvenance()}
}

// mozillaProvenance dates the embedded set by its newest root.
var mozillaProvenance = sync.OnceValue(func() *checks.StoreProvenance {
	p := &checks.StoreProvenance{Origin: "embedded", DateSource: "newest_certificate",
		Note: "Mozilla NSS roots compiled into this binary (golang.org/x/crypto/x509roots/fallback)"}
	p.Date, _ = NewestRoot(mozillaOnce())
	return p
})

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
		if err := checkRoot(b.Bytes); err != nil {
			return ts, fmt.Errorf("certificate %d: %v", len(ts.Roots)+1, err)
		}
		ts.Roots = append(ts.Roots, b.Bytes)
	}
	if !sawPEM {
		if checkRoot(data) == nil {
			ts.Roots = append(ts.Roots, data)
		}
	}
	if len(ts.Roots) == 0 {
		return ts, errors.New("no certificate found")
	}
	return ts, nil
}

// checkRoot reports whether der is a certificate: the standard library's
// parse (which checks no signature) first, zcrypto's lenient one only for
// what it refuses. Parsing with zcrypto alone checked every self-signature
// of the system store (about 30 ms per run).
func checkRoot(der []byte) error {
	if _, err := x509.ParseCertificate(der); err == nil {
		return nil
	}
	_, err := parseLenient(der)
	return err
}
