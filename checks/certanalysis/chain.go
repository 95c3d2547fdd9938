package certanalysis

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func (z *Analyzer) analyzeChain(o *obs.Observation, ch *obs.Chain, env Input, host string, stores []*store) ChainAnalysis {
	ca := ChainAnalysis{KeyType: ch.KeyType, Protocol: ch.Protocol}
	var served []*pcert
	for i, c := range ch.Certificates {
		p := newPCert(c.DER, "served", i, env.Certs, z)
		served = append(served, p)
		s := p.summary()
		if p.c != nil {
			s.Key.DebianWeak = env.WeakKeys.Contains(rsaModulus(p.c))
		}
		if p.c != nil && o.Mode != obs.ModeQuick && i < maxLinted { // a quick scan is chain, expiry, hostname, trust
			s.Lints = z.lint(p.c)
			for _, l := range s.Lints {
				if l.Status == "warn" {
					s.LintWarnings++
				} else {
					s.LintErrors++
				}
			}
		}
		ca.Certificates = append(ca.Certificates, s)
	}
	if len(served) == 0 {
		return ca
	}
	leaf := served[0]
	fetched := fetchedFor(o, served, z)
	for _, f := range fetched {
		ca.Fetched = append(ca.Fetched, FetchedInfo{URL: f.url, Subject: f.p.subject(), SHA256: f.p.sha256})
	}
	for _, fo := range o.AIAFetched {
		if fo.Error != "" && servedHas(served, fo.For) {
			ca.Fetched = append(ca.Fetched, FetchedInfo{URL: fo.URL, Error: fo.Error})
		}
	}
	now := env.Now
	if now.IsZero() {
		now = time.Now() // only reached when a caller forgot Env.Now
	}
	inter := append([]*pcert(nil), served[1:]...)
	var issuer *pcert
	for i, st := range stores {
		t := evalTrust(st, leaf, inter, now)
		if !t.Trusted && len(fetched) > 0 {
			withAIA := inter
			for _, f := range fetched {
				withAIA = append(withAIA, f.p)
			}
			// Trusted, as by clients that fetch AIA (browsers, SSL Labs);
			// cert.chain_incomplete still fails for the others.
			if t2 := evalTrust(st, leaf, withAIA, now); t2.Trusted {
				t = t2
				t.Reason = "incomplete chain: trusted only with the intermediate fetched via AIA"
				ca.Quality.CompletedByAIA = true
			}
		}
		if issuer == nil {
			issuer = issuerFromPaths(t, served, st)
		}
		t.Informational = !decides(env.Stores[i])
		t.Roots = len(env.Stores[i].Roots)
		t.Provenance = storeAge(env.Stores[i], now)
		ca.Trust = append(ca.Trust, t)
	}
	if issuer == nil {
		issuer = servedIssuer(leaf, served)
	}
	ca.PrivatePKI = trustedOnlyPrivately(ca.Trust)
	ca.Quality = chainQuality(served, stores, ca.Quality.CompletedByAIA, fetched)
	if ca.Quality.UnknownRoot {
		for i, t := range ca.Trust {
			if !t.Trusted && strings.HasPrefix(t.Reason, "unknown issuer") {
				ca.Trust[i].Reason = fmt.Sprintf("unknown issuer: %q, the issuer of the last certificate sent (a CA), is not in any store",
					ca.Quality.UnknownIssuer)
			}
		}
	}
	ca.Leaf = leafFacts(leaf, host, now, env.ExpiryWarn)
	if ca.Leaf != nil {
		for _, p := range served {
			if p.c != nil && isSymantec(p.c) {
				ca.Leaf.SymantecDistrusted = true
			}
		}
	}
	if len(ch.OCSPStaple) > 0 {
		var scts []SCTInfo
		ca.Staple, scts = parseStaple(ch.OCSPStaple, leaf, issuer, now)
		ca.SCTs = append(ca.SCTs, scts...)
	}
	if leaf.c != nil {
		for _, e := range leaf.c.Extensions {
			if e.Id.String() == oidSCTList.String() {
				ca.SCTs = append(sctsFromExtension(e.Value, "certificate"), ca.SCTs...)
			}
		}
	}
	for _, raw := range ch.SCTs {
		ca.SCTs = append(ca.SCTs, sctInfo(raw, "tls_extension"))
	}
	for _, r := range o.Revocation {
		if servedHas(served, r.Cert) {
			ca.Revocation = append(ca.Revocation, r)
		}
	}
	return ca
}

type fetchedCert struct {
	url string
	p   *pcert
}

func fetchedFor(o *obs.Observation, served []*pcert, z *Analyzer) []fetchedCert {
	var out []fetchedCert
	for _, f := range o.AIAFetched {
		if f.Error != "" || len(f.DER) == 0 {
			continue
		}
		p := newPCert(f.DER, "aia", -1, nil, z)
		if p.c != nil {
			out = append(out, fetchedCert{url: f.URL, p: p})
		}
	}
	return out
}

func servedHas(served []*pcert, sha string) bool {
	for _, p := range served {
		if p.sha256 == sha {
			return true
		}
	}
	return false
}

// issuerFromPaths returns the leaf's issuer on the best path of t.
func issuerFromPaths(t StoreTrust, served []*pcert, st *store) *pcert {
	for _, p := range t.Paths {
		if len(p.Certs) < 2 {
			continue
		}
		pc := p.Certs[1]
		if pc.Index >= 0 {
			return served[pc.Index]
		}
		for _, a := range st.anchors {
			if a.sha256 == pc.SHA256 {
				return a.get()
			}
		}
	}
	return nil
}

// servedIssuer finds the leaf's issuer among the served certificates (the
// first maxIssuerCandidates of the right name).
func servedIssuer(c *pcert, served []*pcert) *pcert {
	if c.c == nil {
		return nil
	}
	tried := 0
	for _, p := range served {
		if p == c || p.c == nil || !bytes.Equal(p.c.RawSubject, c.c.RawIssuer) {
			continue
		}
		if tried++; tried > maxIssuerCandidates {
			return nil
		}
		if signedBy(c, p) {
			return p
		}
	}
	return nil
}

// chainQuality judges the chain as sent: it follows the issuance chain from
// the leaf through the served certificates.
func chainQuality(served []*pcert, stores []*store, completedByAIA bool, fetched []fetchedCert) ChainQuality {
	q := ChainQuality{CompletedByAIA: completedByAIA}
	seen := map[string]int{}
	for i, p := range served {
		if _, dup := seen[p.sha256]; dup {
			q.Duplicates = append(q.Duplicates, i)
			continue
		}
		seen[p.sha256] = i
	}
	// Walk the issuance chain from the leaf.
	used := map[int]bool{0: true}
	order := []int{0}
	cur := served[0]
	for len(order) < min(len(served), maxServedWalk) {
		next := servedIssuer(cur, served)
		if next == nil || used[next.index] || next == cur {
			break
		}
		used[next.index] = true
		order = append(order, next.index)
		cur = next
	}
	for i, idx := range order {
		if idx != i {
			q.WrongOrder = true
		}
	}
	for i, p := range served {
		if i > 0 && p.selfSigned() && p.c.BasicConstraintsValid && p.c.IsCA {
			q.RootSent = append(q.RootSent, i)
		}
		if !used[i] && !isDup(q.Duplicates, i) {
			q.Extra = append(q.Extra, i)
		}
	}
	// The served chain stops at a certificate that is neither self-signed,
	// nor an anchor, nor issued by an anchor of some store. When that
	// certificate is a CA other than the leaf and nothing fetched via AIA
	// shows its issuer to be an intermediate, the issuer is taken for a
	// root no store knows (UnknownRoot: a trust problem, the chain is
	// complete); otherwise an intermediate is missing (Incomplete).
	last := cur
	if last.c != nil && !last.selfSigned() && !anchoredSomewhere(last, stores) || completedByAIA {
		switch {
		case !completedByAIA && last != served[0] && last.c.BasicConstraintsValid && last.c.IsCA &&
			!issuerIsIntermediate(last, fetched):
			q.UnknownRoot = true
			q.UnknownIssuer = dnString(last.c.Issuer)
		default:
			q.Incomplete = true
			if last.c != nil {
				q.MissingIssuer = dnString(last.c.Issuer)
			}
		}
	}
	return q
}

// issuerIsIntermediate: a certificate fetched via AIA issued p and is not
// self-signed.
func issuerIsIntermediate(p *pcert, fetched []fetchedCert) bool {
	for _, f := range fetched {
		if f.p.c != nil && bytes.Equal(f.p.c.RawSubject, p.c.RawIssuer) && !f.p.selfSigned() {
			return true
		}
	}
	return false
}

func isDup(d []int, i int) bool {
	for _, x := range d {
		if x == i {
			return true
		}
	}
	return false
}

func anchoredSomewhere(p *pcert, stores []*store) bool {
	for _, st := range stores {
		if st.isAnchor(p) {
			return true
		}
		for _, a := range st.bySubj[string(p.c.RawIssuer)] {
			if signedBy(p, a.get()) {
				return true
			}
		}
	}
	return false
}
