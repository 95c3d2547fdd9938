package certanalysis

import (
	"fmt"

	zx509 "github.com/zmap/zcrypto/x509"

	"github.com/tlsaudit/tlsaudit/scan/certcache"
)

// Certificate parsing and signature checks are the bulk of a quick audit's
// CPU. The same certificates recur across the targets of a batch (every
// address of a name, a CDN's shared certificate, every CA's intermediates)
// and the same issuer/subject pairs recur within one audit (the served
// chain checked again by path building in every store). A parse depends on
// the DER alone and a signature check on the two certificates alone, so
// both are kept across analyses (parses in the certcache.Cache of the
// Input, signatures in the Analyzer), keyed by SHA-256. Parsed certificates
// are shared: nothing may modify them.

// cacheCap bounds the signature cache (times four); when full it starts
// over, so memory stays flat however long the target list.
const cacheCap = 1024

type sigKey struct{ child, parent string }

// parseCached is parseLenient through the cache the scan shares
// (scan/certcache; keyed by the hex SHA-256 of der); nil pc parses.
func parseCached(pc *certcache.Cache, der []byte, sha string) (*zx509.Certificate, error) {
	r := pc.Parse(der, sha)
	if r.Panic != nil {
		return nil, fmt.Errorf("certificate parser panic: %v", r.Panic)
	}
	if r.Err != nil && r.Cert == nil {
		return nil, r.Err
	}
	return r.Cert, nil
}

// signedBy reports whether parent's public key verifies child's signature,
// through the signature cache of child's Analyzer (none: computed).
func signedBy(child, parent *pcert) bool {
	if child.c == nil || parent.c == nil {
		return false
	}
	z := child.z
	if z == nil {
		return verify(child, parent)
	}
	if child.sha256 == parent.sha256 && child.err == nil {
		// The parser checked the self-signature already (same test: the
		// raw subject equals the raw issuer and the own key verifies it).
		return child.c.SelfSigned
	}
	k := sigKey{child.sha256, parent.sha256}
	z.sigMu.Lock()
	ok, hit := z.sigs[k]
	z.sigMu.Unlock()
	if hit {
		return ok
	}
	z.verified.Add(1)
	ok = verify(child, parent)
	z.sigMu.Lock()
	if len(z.sigs) >= cacheCap*4 {
		clear(z.sigs)
	}
	z.sigs[k] = ok
	z.sigMu.Unlock()
	return ok
}

func verify(child, parent *pcert) bool {
	return parent.c.CheckSignature(child.c.SignatureAlgorithm, child.c.RawTBSCertificate, child.c.Signature) == nil
}
