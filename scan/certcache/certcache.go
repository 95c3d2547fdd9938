// Package certcache keeps zcrypto's lenient parse of certificates
// process-wide, keyed by SHA-256, so that the scan (which summarises the
// served chain) and the certificate checks (which analyse it) parse each
// certificate once per process rather than once each per audit (the parse,
// with the self-signature check zcrypto's parser makes, is a fifth of a
// quick audit's CPU). Parsed certificates are shared: nothing
// may modify them.
package certcache

import (
	"sync/atomic"

	"github.com/zmap/zcrypto/x509"
)

// Result is one parse: what zcrypto's ParseCertificate returned, or the
// value the parser panicked with (Cert and Err then nil).
type Result struct {
	Cert  *x509.Certificate
	Err   error
	Panic any
}

// Cap bounds the cache; when full it starts over, so memory stays flat
// however long the target list (about 1,024 parsed certificates of a few
// KiB each at most).
const Cap = 1024

var (
	cache   = NewBounded[string, Result](Cap)
	onParse atomic.Pointer[func(*x509.Certificate)]
)

// Parse returns zcrypto's parse of der, whose hex SHA-256 is sha256hex,
// from the cache when it is there.
func Parse(der []byte, sha256hex string) Result {
	if r, hit := cache.Get(sha256hex); hit {
		return r
	}
	r := parse(der)
	cache.Put(sha256hex, r)
	if f := onParse.Load(); f != nil && r.Cert != nil {
		(*f)(r.Cert)
	}
	return r
}

// OnParse sets f to be called with every certificate parsed (not found in
// the cache) from now on; nil stops it. The command uses it to start work
// that depends on a certificate alone (zlint) while the scan goes on.
func OnParse(f func(*x509.Certificate)) {
	if f == nil {
		onParse.Store(nil)
		return
	}
	onParse.Store(&f)
}

func parse(der []byte) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Panic: p}
		}
	}()
	r.Cert, r.Err = x509.ParseCertificate(der)
	return r
}

// Len returns the number of parses held (for tests of the bound).
func Len() int { return cache.Len() }

// Reset empties the cache (for tests that compare cold and warm runs).
func Reset() { cache.Reset() }
