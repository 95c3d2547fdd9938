package certanalysis

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	zx509 "github.com/zmap/zcrypto/x509"

	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

const (
	maxPathLen = 8  // certificates in one path, anchor included
	maxPaths   = 16 // paths kept per store
)

// store is a parsed trust store. Its anchors are indexed by name and key
// from a walk of their DER (rawSubjectSPKI); the full (zcrypto) parse of an
// anchor, which also checks its self-signature, happens only when a path
// reaches it. Parsing every root of the Mozilla and system stores up front
// cost about 150 ms of CPU per run with zcrypto, and still 6 ms with
// crypto/x509.
type store struct {
	name    string
	anchors []*anchor
	bySubj  map[string][]*anchor
	bySPKI  map[string][]*anchor // by RawSubject+SPKI
}

// anchor is one root of a store, parsed fully on first use.
type anchor struct {
	der    []byte
	sha256 string
	z      *Analyzer
	once   sync.Once
	p      *pcert

	// walked: indexed from the walk, so whether the root parses at all
	// (with crypto/x509 or zcrypto, the test roots once had to pass to be
	// indexed) is settled on first use by parses.
	walked     bool
	subj, spki []byte
	vonce      sync.Once
	ok         bool
}

// get returns the parsed anchor (its c is nil if zcrypto cannot parse it).
func (a *anchor) get() *pcert {
	a.once.Do(func() { a.p = newPCert(a.der, "store", -1, nil, a.z) })
	return a.p
}

// parses reports whether the root parses with crypto/x509 or, failing
// that, with zcrypto to the same name and key: an anchor that does not is
// none.
func (a *anchor) parses() bool {
	if !a.walked {
		return true
	}
	a.vonce.Do(func() {
		if _, err := x509.ParseCertificate(a.der); err == nil {
			a.ok = true
		} else if p := a.get(); p.c != nil {
			a.ok = bytes.Equal(p.c.RawSubject, a.subj) && bytes.Equal(p.c.RawSubjectPublicKeyInfo, a.spki)
		}
	})
	return a.ok
}

// parseStores returns the parsed stores ts, from z's index when it holds
// them (the nil Analyzer parses every time).
func (z *Analyzer) parseStores(ts []truststore.Store) []*store {
	out := make([]*store, 0, len(ts))
	for _, t := range ts {
		out = append(out, z.parsedStore(t))
	}
	return out
}

// An Analyzer keeps the stores it parsed: the embedded Mozilla set and the system bundle
// (hundreds of roots, each self-signature checked by the parser) are the
// same for every target of a run. A store is identified by its name and a
// hash of its roots' bytes (hashing is far cheaper than parsing).
type storeKey struct {
	name string
	sum  [sha256.Size]byte
}

func keyOfStore(t truststore.Store) storeKey {
	h := sha256.New()
	var n [8]byte
	for _, r := range t.Roots {
		binary.BigEndian.PutUint64(n[:], uint64(len(r)))
		h.Write(n[:])
		h.Write(r)
	}
	k := storeKey{name: t.Name}
	h.Sum(k.sum[:0])
	return k
}

const storeCacheCap = 32

// storeEntry parses its store once, however many audits ask at the same time.
// It keeps the roots it was made from: every audit of a run passes the very
// same slices, which are recognised without hashing them again (hashing the
// Mozilla set took a tenth of a millisecond per audit).
type storeEntry struct {
	once  sync.Once
	s     *store
	name  string
	roots [][]byte
}

// sameRoots reports whether a and b are the same byte slices (not merely
// equal bytes). The entry keeps its slices alive, so their memory cannot
// have been reused for other roots.
func sameRoots(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) || len(a[i]) > 0 && &a[i][0] != &b[i][0] {
			return false
		}
	}
	return true
}

func (z *Analyzer) parsedStore(t truststore.Store) *store {
	if z == nil {
		return parseStore(t, nil)
	}
	z.storeMu.Lock()
	for _, e := range z.stores {
		if e.name == t.Name && sameRoots(e.roots, t.Roots) {
			z.storeMu.Unlock()
			e.once.Do(func() { e.s = parseStore(t, z) })
			return e.s
		}
	}
	z.storeMu.Unlock()
	k := keyOfStore(t)
	z.storeMu.Lock()
	e := z.stores[k]
	if e == nil {
		if len(z.stores) >= storeCacheCap {
			clear(z.stores)
		}
		e = &storeEntry{name: t.Name, roots: t.Roots}
		z.stores[k] = e
	}
	z.storeMu.Unlock()
	e.once.Do(func() { e.s = parseStore(t, z) })
	return e.s
}

// parseStore indexes the roots of t; signature checks of its anchors go
// through z's cache.
func parseStore(t truststore.Store, z *Analyzer) *store {
	s := &store{name: t.Name, bySubj: map[string][]*anchor{}, bySPKI: map[string][]*anchor{}}
	for _, der := range t.Roots {
		sum := sha256.Sum256(der)
		a := &anchor{der: der, sha256: hex.EncodeToString(sum[:]), z: z}
		subject, spki, walked := rawSubjectSPKI(der)
		if walked {
			a.walked, a.subj, a.spki = true, subject, spki
		} else if c, err := x509.ParseCertificate(der); err == nil {
			subject, spki = c.RawSubject, c.RawSubjectPublicKeyInfo
		} else if p := a.get(); p.c != nil { // only zcrypto's lenient parser takes it
			subject, spki = p.c.RawSubject, p.c.RawSubjectPublicKeyInfo
		} else {
			continue
		}
		s.anchors = append(s.anchors, a)
		s.bySubj[string(subject)] = append(s.bySubj[string(subject)], a)
		k := string(subject) + "\x00" + string(spki)
		s.bySPKI[k] = append(s.bySPKI[k], a)
	}
	return s
}

// anchorKey identifies a trust anchor by name and key, as RFC 5280 does: a
// served copy of a root (or a re-issued root) with the same name and key is
// the same anchor.
func anchorKey(p *pcert) string {
	return string(p.c.RawSubject) + "\x00" + string(p.c.RawSubjectPublicKeyInfo)
}

func (s *store) isAnchor(p *pcert) bool {
	if p.c == nil {
		return false
	}
	for _, a := range s.bySPKI[anchorKey(p)] {
		if a.parses() {
			return true
		}
	}
	return false
}

// pathBuilder enumerates certification paths from a leaf.
type pathBuilder struct {
	st            *store
	intermediates []*pcert
	now           time.Time
	paths         [][]*pcert
	badSig        bool // an issuer candidate matched by name but its signature failed
	sigChecks     int  // signature checks made (bounded by maxSignatureChecks)
	bounded       bool // a bound cut the search short
}

// issuerCandidates returns the certificates that may have issued c: same
// name, and matching key identifiers when both are present.
func (b *pathBuilder) issuerCandidates(c *pcert) []*pcert {
	var out []*pcert
	seen := map[string]bool{}
	add := func(p *pcert) {
		if p.c == nil || seen[p.sha256] || !bytes.Equal(p.c.RawSubject, c.c.RawIssuer) {
			return
		}
		if len(c.c.AuthorityKeyId) > 0 && len(p.c.SubjectKeyId) > 0 && !bytes.Equal(c.c.AuthorityKeyId, p.c.SubjectKeyId) {
			return
		}
		if len(out) >= maxIssuerCandidates {
			b.bounded = true
			return
		}
		seen[p.sha256] = true
		out = append(out, p)
	}
	for _, a := range b.st.bySubj[string(c.c.RawIssuer)] {
		if p := a.get(); p.c != nil {
			add(p)
		}
	}
	for _, p := range b.intermediates {
		add(p)
	}
	return out
}

func (b *pathBuilder) build(path []*pcert) {
	if len(b.paths) >= maxPaths {
		return
	}
	cur := path[len(path)-1]
	if b.st.isAnchor(cur) {
		if !b.havePath(path) {
			b.paths = append(b.paths, append([]*pcert(nil), path...))
		}
		// The store's own copy ends the path. A served copy of an anchor
		// may itself be cross-signed by another root of the store: that
		// longer path is a path of its own (as SSL Labs lists it).
		if cur.source == "store" {
			return
		}
	}
	if len(path) >= maxPathLen {
		return
	}
	for _, cand := range b.issuerCandidates(cur) {
		if inPath(path, cand) {
			continue
		}
		if b.sigChecks >= maxSignatureChecks {
			b.bounded = true
			return
		}
		b.sigChecks++
		if !signedBy(cur, cand) {
			b.badSig = true
			continue
		}
		b.build(append(path, cand))
	}
}

// havePath reports whether a path with the same certificates up to the
// anchor, and the same anchor (name and key), was found already: a served
// copy of a root (say, the root cross-signed by an older one) ends the same
// path as the store's own copy, which is found first.
func (b *pathBuilder) havePath(path []*pcert) bool {
	n := len(path)
next:
	for _, q := range b.paths {
		if len(q) != n || anchorKey(q[n-1]) != anchorKey(path[n-1]) {
			continue
		}
		for i := 0; i < n-1; i++ {
			if q[i].sha256 != path[i].sha256 {
				continue next
			}
		}
		return true
	}
	return false
}

func inPath(path []*pcert, p *pcert) bool {
	for _, q := range path {
		if q.sha256 == p.sha256 || (q.c != nil && p.c != nil && bytes.Equal(q.c.RawSubject, p.c.RawSubject) &&
			bytes.Equal(q.c.RawSubjectPublicKeyInfo, p.c.RawSubjectPublicKeyInfo)) {
			return true
		}
	}
	return false
}

// evalTrust builds and judges the paths from leaf to the anchors of st.
func evalTrust(st *store, leaf *pcert, intermediates []*pcert, now time.Time) StoreTrust {
	res := StoreTrust{Store: st.name}
	if leaf.c == nil {
		res.Reason = "leaf certificate does not parse"
		return res
	}
	b := &pathBuilder{st: st, intermediates: intermediates, now: now}
	b.build([]*pcert{leaf})
	for _, p := range b.paths {
		tp := TrustPath{Problems: pathProblems(p, now)}
		tp.Trusted = len(tp.Problems) == 0
		for _, c := range p {
			src := c.source
			if st.isAnchor(c) {
				src = "store"
			}
			tp.Certs = append(tp.Certs, PathCert{Subject: c.subject(), SHA256: c.sha256, Source: src, Index: c.index})
		}
		res.Paths = append(res.Paths, tp)
		res.Trusted = res.Trusted || tp.Trusted
	}
	// Trusted paths first, then shorter ones.
	sort.SliceStable(res.Paths, func(i, j int) bool {
		if res.Paths[i].Trusted != res.Paths[j].Trusted {
			return res.Paths[i].Trusted
		}
		return len(res.Paths[i].Problems) < len(res.Paths[j].Problems)
	})
	switch {
	case res.Trusted:
	case len(res.Paths) > 0:
		res.Reason = strings.Join(res.Paths[0].Problems, "; ")
	case b.bounded:
		res.Reason = boundsReason
	case b.badSig:
		res.Reason = "bad signature: an issuer with the right name did not sign the certificate"
	case leaf.selfSigned():
		res.Reason = "self-signed certificate not in the store"
	default:
		res.Reason = "unknown issuer: no path to a trust anchor of this store"
	}
	return res
}

// pathProblems judges one complete path (leaf first, anchor last).
func pathProblems(path []*pcert, now time.Time) []string {
	var probs []string
	add := func(format string, a ...any) {
		s := fmt.Sprintf(format, a...)
		for _, p := range probs {
			if p == s {
				return
			}
		}
		probs = append(probs, s)
	}
	leaf := path[0].c
	anchorIdx := len(path) - 1
	for i, p := range path {
		c := p.c
		if now.After(c.NotAfter) {
			add("expired: %s (not after %s)", p.subject(), c.NotAfter.UTC().Format(time.DateOnly))
		}
		if now.Before(c.NotBefore) {
			add("not yet valid: %s (not before %s)", p.subject(), c.NotBefore.UTC().Format(time.DateOnly))
		}
		if i > 0 && i < anchorIdx { // the anchor's own constraints are not enforced
			if !c.BasicConstraintsValid || !c.IsCA {
				add("not a CA: %s lacks basicConstraints CA:TRUE", p.subject())
			} else if c.KeyUsage != 0 && c.KeyUsage&zx509.KeyUsageCertSign == 0 {
				add("not a CA: %s key usage lacks keyCertSign", p.subject())
			}
			// Path length: intermediates below this CA (the leaf excluded).
			if c.BasicConstraintsValid && (c.MaxPathLen > 0 || c.MaxPathLenZero) && i-1 > c.MaxPathLen {
				add("path too long: %s allows %d intermediate(s) below it", p.subject(), c.MaxPathLen)
			}
		}
		if i < anchorIdx {
			switch c.SignatureAlgorithm {
			case zx509.MD5WithRSA, zx509.MD2WithRSA:
				add("weak signature: %s is signed with %s", p.subject(), c.SignatureAlgorithm)
			case zx509.SHA1WithRSA, zx509.ECDSAWithSHA1, zx509.DSAWithSHA1:
				add("weak signature: %s is signed with %s", p.subject(), c.SignatureAlgorithm)
			}
		}
		if i < anchorIdx && !ekuAllowsServerAuth(c, i == 0) {
			add("wrong EKU: %s is not valid for TLS server authentication", p.subject())
		}
		if i > 0 {
			if v := nameConstraintViolation(c, leaf); v != "" {
				add("name constraints: %s %s", p.subject(), v)
			}
		}
	}
	return probs
}

// ekuAllowsServerAuth: a leaf without EKU is accepted (as browsers do); a CA
// with EKU restricts its subtree (EKU chaining, as NSS and Go do).
func ekuAllowsServerAuth(c *zx509.Certificate, leaf bool) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == zx509.ExtKeyUsageServerAuth || u == zx509.ExtKeyUsageAny {
			return true
		}
		// Netscape/Microsoft SGC were accepted on intermediates.
		if !leaf && (u == zx509.ExtKeyUsageNetscapeServerGatedCrypto || u == zx509.ExtKeyUsageMicrosoftServerGatedCrypto) {
			return true
		}
	}
	return false
}

// nameConstraintViolation checks the leaf's DNS and IP SANs against the DNS
// and IP name constraints of ca. It returns "" when they comply.
func nameConstraintViolation(ca, leaf *zx509.Certificate) string {
	for _, name := range leaf.DNSNames {
		n := strings.ToLower(strings.TrimSuffix(name, "."))
		for _, ex := range ca.ExcludedDNSNames {
			if dnsInSubtree(n, ex.Data) {
				return fmt.Sprintf("excludes %q (leaf name %q)", ex.Data, name)
			}
		}
		if len(ca.PermittedDNSNames) == 0 {
			continue
		}
		ok := false
		for _, pe := range ca.PermittedDNSNames {
			if dnsInSubtree(n, pe.Data) {
				ok = true
				break
			}
		}
		if !ok {
			return fmt.Sprintf("does not permit leaf name %q", name)
		}
	}
	for _, ip := range leaf.IPAddresses {
		for _, ex := range ca.ExcludedIPAddresses {
			if ex.Data.IP != nil && ex.Data.Contains(ip) {
				return fmt.Sprintf("excludes %s (leaf address %s)", ex.Data.String(), ip)
			}
		}
		if len(ca.PermittedIPAddresses) == 0 {
			continue
		}
		ok := false
		for _, pe := range ca.PermittedIPAddresses {
			if pe.Data.IP != nil && pe.Data.Contains(ip) {
				ok = true
				break
			}
		}
		if !ok {
			return fmt.Sprintf("does not permit leaf address %s", ip)
		}
	}
	return ""
}

// dnsInSubtree reports whether name is within the DNS name constraint c
// (RFC 5280 4.2.1.10): "example.com" covers itself and its subdomains;
// ".example.com" only subdomains.
func dnsInSubtree(name, c string) bool {
	c = strings.ToLower(strings.TrimSuffix(c, "."))
	if c == "" {
		return true
	}
	if strings.HasPrefix(c, ".") {
		return strings.HasSuffix(name, c)
	}
	return name == c || strings.HasSuffix(name, "."+c)
}
