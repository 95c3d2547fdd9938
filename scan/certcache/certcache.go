// Package certcache keeps zcrypto's lenient parse of certificates, keyed by
// SHA-256, in a Cache an engine owns and hands to both the scan (which
// summarises the served chain) and the certificate checks (which analyse
// it): each certificate is parsed once per engine rather than once each per
// audit (the parse, with the self-signature check zcrypto's parser makes,
// is a fifth of a quick audit's CPU). Parsed certificates are shared:
// nothing may modify them.
package certcache

import (
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

// Cache is a bounded map of parses shared by the scan and the certificate
// checks of one engine. It is safe for concurrent use. The nil *Cache
// parses every time.
type Cache struct {
	parses  *Bounded[string, Result]
	onParse func(*x509.Certificate)
}

// New returns an empty cache of at most capacity parses. onParse, when not
// nil, is called with every certificate parsed (not found in the cache):
// an engine uses it to start work that depends on a certificate alone
// (zlint) while the scan goes on.
func New(capacity int, onParse func(*x509.Certificate)) *Cache {
	return &Cache{parses: NewBounded[string, Result](capacity), onParse: onParse}
}

// Parse returns zcrypto's parse of der, whose hex SHA-256 is sha256hex,
// from the cache when it is there.
func (c *Cache) Parse(der []byte, sha256hex string) Result {
	if c == nil {
		return parse(der)
	}
	if r, hit := c.parses.Get(sha256hex); hit {
		return r
	}
	r := parse(der)
	c.parses.Put(sha256hex, r)
	if c.onParse != nil && r.Cert != nil {
		c.onParse(r.Cert)
	}
	return r
}

// Len returns the number of parses held.
func (c *Cache) Len() int { return c.parses.Len() }

func parse(der []byte) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Panic: p}
		}
	}()
	r.Cert, r.Err = x509.ParseCertificate(der)
	return r
}
