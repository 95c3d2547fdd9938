package scan

import (
	"context"
	"math/big"
	"slices"

	"github.com/tlsaudit/tlsaudit/scan/clientsim"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Client simulations derived from discovery. A simulated client's
// handshake is fully determined by facts the enumeration proved when the
// server is a plain chooser: the highest protocol both accept; the suite by
// the server's order (or the client's, when it follows the client), skipping
// suites the client's groups or signature algorithms rule out; the TLS 1.3
// group by its preference, when the client sent a share for it (or a
// HelloRetryRequest for it when the client sent no acceptable share); the
// chain of the suite's key type (TLS 1.3: of the signature scheme's) when
// only one leaf of that type exists; the DH prime when the server has one;
// ALPN from the TLS 1.3 handshake that offered h2 and http/1.1. Two checks
// of the client simulation's own complete them (a client order told from a
// ChaCha20 preference, ALPN protocols the server ignores), and the
// intolerance probe must show the server answers unusual hellos alike.
// deriveSimulation returns a result only when every such input is known and
// unambiguous; otherwise the client is replayed.

// simFacts is what discovery proved, taken when its sequences are over.
type simFacts struct {
	protocols map[uint16]obs.Protocol
	groups    obs.Groups
	sigalgs   obs.SignatureAlgorithms
	chains    []obs.Chain
	dh        []obs.DHParams
	handshake *obs.Handshake
	// retries: the server answers a TLS 1.3 hello without a key share for
	// its group with a HelloRetryRequest (rather than refusing it).
	retries bool
	// clientOrder: per protocol whose order check could not tell a client
	// order from a server order preferring ChaCha20 (chachaConfounded), what
	// the client simulation's own check told (true: the client's order).
	clientOrder map[uint16]bool
	// groupChoice: per groupSignature, the server's answer to a check hello
	// with those groups and shares (see checkGroups).
	groupChoice map[string]groupChoice
	// alpnBase is the ALPN protocol the server selected ("" none) for a
	// hello offering h2 and http/1.1, in that order: from discovery's
	// TLS 1.3 handshake or the client simulation's check (checkALPNBase);
	// nil when unknown.
	alpnBase *string
	// alpnNone are ALPN protocols other than h2 and http/1.1 the server
	// selected none of when offered alone (see exoticALPN).
	alpnNone map[string]bool
	// unsure: discovery met something that makes its facts incomplete
	// (an error of a sequence, a broken protocol, a HelloRetryRequest loop).
	unsure bool
}

// discoveryErrors are the probe error names discovery's sequences record.
var discoveryErrors = []string{"groups_tls12", "groups_tls12_ffdhe", "groups_tls13", "signature_algorithms_tls12", "signature_algorithms_tls13", "key_exchange"}

// simFacts snapshots what discovery found; its sequences must be over.
func (a *audit) simFacts() *simFacts {
	a.mu.Lock()
	defer a.mu.Unlock()
	f := &simFacts{protocols: map[uint16]obs.Protocol{}, groups: a.groups, sigalgs: a.sigalgs,
		chains: slices.Clone(a.o.Chains), dh: slices.Clone(a.o.DH), handshake: a.bestHandshakeLocked()}
	f.retries = a.first13.hrr && !a.shares13
	if hs := f.handshake; hs != nil && hs.Protocol == registry.Version(registry.VersionTLS13).String() {
		alpn := hs.ALPN
		f.alpnBase = &alpn
	}
	f.unsure = a.hrrLoop != nil || a.badKeyShare != nil || a.sigalgs.Error != ""
	for v, p := range a.protocols {
		if p == nil || v == registry.VersionSSL2 {
			continue
		}
		f.protocols[v] = *p
		if p.Error != "" {
			f.unsure = true
		}
	}
	for _, e := range a.o.Errors {
		if slices.Contains(discoveryErrors, e.Probe) {
			f.unsure = true
		}
	}
	return f
}

// awaitIntolerance waits for the intolerance probe of this audit and
// returns its result; ran is false when the probe is not part of it.
func (a *audit) awaitIntolerance(ctx context.Context) (*obs.IntoleranceResult, bool) {
	done := a.probeDone["intolerance"]
	if done == nil {
		return nil, false
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, true
	}
	if r := a.probeResults["intolerance"]; r != nil && r.Probes != nil {
		return r.Probes.Intolerance, true
	}
	return nil, true
}

// tolerant: every hello variant of the intolerance probe (a higher
// version, long hellos, an unknown extension, GREASE) got the baseline's
// protocol, so the server answers the peculiarities of real clients' hellos
// as it answered discovery's.
func tolerant(r *obs.IntoleranceResult) bool {
	if r == nil || r.Status != obs.AttemptCompleted || len(r.Tests) == 0 {
		return false
	}
	for _, t := range r.Tests {
		if !t.Accepted || t.Negotiated != r.Baseline {
			return false
		}
	}
	return true
}

// Reasons a derivation lacks what a check connection of the client
// simulation may tell (see checkClientOrder, checkALPN).
const (
	whyChaChaOrder = "client order not told from a ChaCha20 preference"
	whyALPN        = "ALPN selection not known for the client's list"
	whyGroup       = "the client's first acceptable key share is not the server's preferred group"
)

// groupChoice is the TLS 1.3 group a server chose for a hello: with its
// ServerHello, or asked for with a HelloRetryRequest (hrr).
type groupChoice struct {
	group uint16
	hrr   bool
}

// groupSignature names what a TLS 1.3 server's group choice depends on:
// the client's supported groups and the groups of its key shares, in order
// (GREASE left out).
func groupSignature(raw *wire.RawClientHello) string {
	var b []byte
	for _, g := range raw.SupportedGroups {
		if !wire.IsGREASE(g) {
			b = append(b, byte(g>>8), byte(g))
		}
	}
	b = append(b, '|')
	for _, ks := range raw.KeyShares {
		if !wire.IsGREASE(ks.Group) {
			b = append(b, byte(ks.Group>>8), byte(ks.Group))
		}
	}
	return string(b)
}

// usability of a suite for a client: the server may choose it, may not, or
// the facts do not tell.
type usability int

const (
	usable usability = iota
	unusable
	unknown
)

// deriveSimulation returns what simulating p would record, when the facts
// determine it exactly; otherwise why not (the client is then replayed).
// Only successful handshakes are derived.
func deriveSimulation(p clientsim.Profile, f *simFacts) (obs.ClientSimulation, string) {
	switch {
	case f == nil:
		return obs.ClientSimulation{}, "live simulations asked for"
	case f.unsure:
		return obs.ClientSimulation{}, "discovery incomplete"
	case p.Hello == nil || p.Hello.Raw == nil:
		return obs.ClientSimulation{}, "no hello"
	}
	raw := p.Hello.Raw
	if slices.Contains(raw.CipherSuites, wire.SCSVFallback) {
		return obs.ClientSimulation{}, "fallback SCSV: the server may refuse it"
	}
	if pf, ok := raw.Extension(wire.ExtECPointFormats); ok && !slices.Contains(pointFormats(pf), 0) {
		return obs.ClientSimulation{}, "no uncompressed EC points: ECDHE depends on the server"
	}
	// The server answers with the highest version both accept.
	offered := clientsim.OfferedVersions(raw)
	v := uint16(0)
	for _, c := range offered {
		if c > v && f.protocols[c].Supported {
			v = c
		}
	}
	if v == 0 || v < registry.VersionTLS10 {
		return obs.ClientSimulation{}, "no common protocol from TLS 1.0"
	}
	var o clientsim.Outcome
	var why string
	if v == registry.VersionTLS13 {
		o, why = derive13(raw, f)
	} else {
		o, why = derive12(raw, f, v)
	}
	if why != "" {
		return obs.ClientSimulation{}, why
	}
	var ok bool
	if o.ALPN, ok = deriveALPN(raw, f.alpnBase, f.alpnNone); !ok {
		return obs.ClientSimulation{}, whyALPN
	}
	o.Version = v
	return clientsim.Derived(p, o), ""
}

func pointFormats(data []byte) []uint8 {
	if len(data) < 1 || int(data[0]) != len(data)-1 {
		return nil
	}
	return data[1:]
}

// derive13 is a TLS 1.3 handshake's outcome: suite, group, leaf.
func derive13(raw *wire.RawClientHello, f *simFacts) (clientsim.Outcome, string) {
	var o clientsim.Outcome
	p := f.protocols[registry.VersionTLS13]
	orders, why := candidateSuites(p, tls13Suites, raw, f.clientOrder)
	if why != "" {
		return o, why
	}
	candidates := orders[0]
	if len(candidates) == 0 {
		return o, "no TLS 1.3 suite in common"
	}
	o.Suite = candidates[0]
	for _, alt := range orders[1:] {
		if alt[0] != o.Suite {
			return o, whyChaChaOrder
		}
	}
	if !chachaSettled(raw, p, tls13Suites, candidates, o.Suite) {
		return o, "ChaCha20 preference not known"
	}
	if !slices.Contains(decryptable13, o.Suite) {
		return o, "the suite hides the certificate from a replay"
	}
	// The group: the server's preferred one among the client's (or the
	// client's first the server accepts, for a server following the
	// client), which must also be the first share the server accepts, so
	// that a server taking the first acceptable share and one asking
	// (HelloRetryRequest) for its preferred group agree, without a retry.
	accepted := groupIDs(f.groups.TLS13)
	top, ok := preferredGroup(accepted, f.groups.TLS13ServerOrder, tls13GroupsToOffer(), raw.SupportedGroups)
	switch {
	case !ok:
		return o, "TLS 1.3 group preference not known"
	case !slices.Contains(realShareGroups, top) || slices.ContainsFunc(f.groups.TLS13HRR, func(g obs.Group) bool { return g.ID == top }):
		return o, "TLS 1.3 group needs a replay"
	}
	// Without an acceptable share, the server asks for its group (as it
	// did in the enumeration) and the client sends a share for it.
	share := slices.IndexFunc(raw.KeyShares, func(ks wire.KeyShare) bool { return slices.Contains(accepted, ks.Group) })
	switch {
	case share < 0 && f.retries:
		o.HelloRetry = true
	case share < 0:
		return o, "the server's answer to a hello without an acceptable share is not known"
	case raw.KeyShares[share].Group != top:
		// The server's answer to the same groups and shares, when a check
		// asked it (see checkGroups).
		c, ok := f.groupChoice[groupSignature(raw)]
		if !ok || !slices.Contains(realShareGroups, c.group) {
			return o, whyGroup
		}
		shared := slices.ContainsFunc(raw.KeyShares, func(ks wire.KeyShare) bool { return ks.Group == c.group })
		if c.hrr == shared || !slices.Contains(raw.SupportedGroups, c.group) {
			return o, whyGroup
		}
		top, o.HelloRetry = c.group, c.hrr
	}
	o.Group = top
	// The chain: the server signs with one of the client's schemes; the
	// leaf is known when the server has only one.
	if !slices.ContainsFunc(f.sigalgs.TLS13, func(sa obs.SigAlg) bool { return slices.Contains(raw.SignatureAlgorithms, sa.ID) }) {
		return o, "no TLS 1.3 signature scheme in common"
	}
	if o.LeafSHA256, ok = onlyLeaf(f.chains, ""); !ok {
		if o.LeafSHA256, why = leafBySigAlg13(raw, f); why != "" {
			return o, why
		}
	}
	return o, ""
}

// leafBySigAlg13 is the leaf a server with several serves the client in
// TLS 1.3, where the signature scheme it chooses decides the key: by its
// preference, the first scheme it chose for tlsaudit's hello offering them
// all (when the client offers it); by the client's, the client's first
// scheme the server accepts. Known when both are of one key type, of which
// the server has one leaf.
func leafBySigAlg13(raw *wire.RawClientHello, f *simFacts) (string, string) {
	accepted := make([]uint16, len(f.sigalgs.TLS13))
	for i, sa := range f.sigalgs.TLS13 {
		accepted[i] = sa.ID
	}
	if len(accepted) == 0 || !slices.Contains(raw.SignatureAlgorithms, accepted[0]) {
		return "", "several leaves"
	}
	i := slices.IndexFunc(raw.SignatureAlgorithms, func(id uint16) bool { return slices.Contains(accepted, id) })
	server, _ := registry.SigAlgByID(accepted[0])
	client, _ := registry.SigAlgByID(raw.SignatureAlgorithms[i])
	kt := keyTypeOfSig(server)
	if kt == "" || keyTypeOfSig(client) != kt {
		return "", "several leaves, the server's choice not known"
	}
	leaf, ok := onlyLeaf(f.chains, kt)
	if !ok {
		return "", "several leaves of the key type"
	}
	return leaf, ""
}

// derive12 is the outcome of a handshake at v (TLS 1.0 to 1.2): the first
// suite in the ruling order the client's hello makes usable, its group or
// DH prime, and the leaf of its key type.
func derive12(raw *wire.RawClientHello, f *simFacts, v uint16) (clientsim.Outcome, string) {
	var o clientsim.Outcome
	p := f.protocols[v]
	orders, why := candidateSuites(p, suitesToOffer(v), raw, f.clientOrder)
	if why != "" {
		return o, why
	}
	var picked []clientsim.Outcome
	for _, candidates := range orders {
		out, why := firstUsable12(raw, f, p, v, candidates)
		if why != "" {
			return o, why
		}
		if len(picked) > 0 && out.Suite != picked[0].Suite {
			return o, whyChaChaOrder
		}
		picked = append(picked, out)
	}
	return picked[0], ""
}

// firstUsable12 is the outcome of the first of candidates the client's
// hello makes usable at v.
func firstUsable12(raw *wire.RawClientHello, f *simFacts, p obs.Protocol, v uint16, candidates []uint16) (clientsim.Outcome, string) {
	for _, id := range candidates {
		u, out, why := suiteUsable12(raw, f, v, id)
		switch u {
		case unknown:
			return out, registry.SuiteName(id) + ": " + why
		case unusable:
			continue
		}
		if !chachaSettled(raw, p, suitesToOffer(v), candidates, id) {
			return out, "ChaCha20 preference not known"
		}
		out.Suite = id
		return out, ""
	}
	return clientsim.Outcome{}, "no usable suite in common"
}

// candidateSuites are the suites of p the client of raw offers, in the
// order the server considers them: its own, or the client's. A server
// preferring ChaCha20 for clients that list it first (OpenSSL's
// PRIORITIZE_CHACHA) looks like one following the client's order when the
// order check offered a ChaCha20 suite first (chachaConfounded); then
// clientOrder may tell (see chachaCheckPair), and otherwise the client's
// choice is derived only when it is the same in the server's order as
// found, for a client offering no accepted ChaCha20 suite (whose place in
// that order is not known). Each returned order is one hypothesis.
func candidateSuites(p obs.Protocol, base []uint16, raw *wire.RawClientHello, clientOrder map[uint16]bool) ([][]uint16, string) {
	order, ok := suiteOrder(p, base)
	if !ok {
		return nil, "suite order not known"
	}
	var found []uint16
	for _, s := range order {
		if slices.Contains(raw.CipherSuites, s) {
			found = append(found, s)
		}
	}
	if p.ServerOrder == nil || *p.ServerOrder {
		return [][]uint16{found}, ""
	}
	var client []uint16
	for _, s := range raw.CipherSuites {
		if slices.Contains(order, s) && !slices.Contains(client, s) {
			client = append(client, s)
		}
	}
	co, checked := clientOrder[p.Version]
	switch {
	case !chachaConfounded(order) || checked && co:
		return [][]uint16{client}, ""
	case slices.ContainsFunc(client, isChaCha):
		return nil, whyChaChaOrder
	case checked:
		return [][]uint16{found}, "" // the server's order, found
	}
	return [][]uint16{client, found}, ""
}

// chachaConfounded: of the first two suites found (those the order check
// offered swapped), one is a ChaCha20 suite and the other not, so a server
// preferring ChaCha20 for a client listing it first answered the check as a
// client-order server would.
func chachaConfounded(found []uint16) bool {
	return len(found) >= 2 && isChaCha(found[0]) != isChaCha(found[1])
}

// chachaCheckPair is the hello's suites that tell, for a protocol whose
// order check was confounded, a client order (the server picks the first)
// from a server order (the second): two suites without ChaCha20, found in
// this order, offered swapped; below TLS 1.3 of the same key exchange and
// authentication, which any hello makes usable alike. nil: none or no need.
func chachaCheckPair(p obs.Protocol) []uint16 {
	if p.ServerOrder == nil || *p.ServerOrder {
		return nil
	}
	var found, plain []uint16
	for _, s := range p.Suites {
		found = append(found, s.ID)
		if !isChaCha(s.ID) {
			plain = append(plain, s.ID)
		}
	}
	if !chachaConfounded(found) {
		return nil
	}
	for i, a := range plain {
		for _, b := range plain[i+1:] {
			sa, oka := registry.SuiteByID(a)
			sb, okb := registry.SuiteByID(b)
			if p.Version == registry.VersionTLS13 || oka && okb && sa.Kx == sb.Kx && sa.Auth == sb.Auth && !sa.Anonymous && !sb.Anonymous {
				return []uint16{b, a}
			}
		}
	}
	return nil
}

// suiteUsable12 tells whether the server can choose suite id at v for the
// client of raw, and what the handshake then gives.
func suiteUsable12(raw *wire.RawClientHello, f *simFacts, v, id uint16) (usability, clientsim.Outcome, string) {
	var o clientsim.Outcome
	s, ok := registry.SuiteByID(id)
	if !ok || s.Anonymous || s.Export {
		return unknown, o, "not a plain suite"
	}
	var keyType string
	switch s.Auth {
	case "RSA":
		keyType = "RSA"
	case "ECDSA":
		keyType = "ECDSA"
	default:
		return unknown, o, "authentication without a certificate"
	}
	// The server signs with a scheme of the client's (TLS 1.2) for the
	// suite's key type; it has one key of that type.
	if v == registry.VersionTLS12 && s.Kx != "RSA" {
		if raw.SignatureAlgorithms == nil || !slices.ContainsFunc(f.sigalgs.TLS12, func(sa obs.SigAlg) bool {
			return sigKeyType(sa.ID) == keyType && slices.Contains(raw.SignatureAlgorithms, sa.ID)
		}) {
			return unknown, o, "no signature scheme of the key type in common"
		}
	}
	leaf, ok := onlyLeaf(f.chains, keyType)
	if !ok {
		return unknown, o, "not one leaf of the key type"
	}
	if keyType == "ECDSA" && !slices.Contains(raw.SupportedGroups, leafCurve(f.chains)) {
		return unknown, o, "the client may not support the ECDSA key's curve"
	}
	o.LeafSHA256 = leaf
	switch s.Kx {
	case "RSA":
		return usable, o, ""
	case "ECDHE":
		var ec []obs.Group
		for _, g := range f.groups.TLS12 {
			if info, ok := registry.GroupByID(g.ID); ok && info.Kind != "ffdhe" {
				ec = append(ec, g)
			}
		}
		if raw.SupportedGroups == nil {
			return unknown, o, "no supported_groups"
		}
		common := slices.ContainsFunc(raw.SupportedGroups, func(g uint16) bool { return slices.Contains(groupIDs(ec), g) })
		if !common {
			// No curve in common rules ECDHE out, when every curve the
			// client offers was offered to the server too.
			for _, g := range raw.SupportedGroups {
				if info, ok := registry.GroupByID(g); !wire.IsGREASE(g) && (!ok || info.Kind != "ffdhe" && !slices.Contains(ecGroupsToOffer(), g)) {
					return unknown, o, "a curve tlsaudit did not offer"
				}
			}
			return unusable, o, ""
		}
		g, ok := preferredGroup(groupIDs(ec), f.groups.TLS12ServerOrder, ecGroupsToOffer(), raw.SupportedGroups)
		if !ok {
			return unknown, o, "curve preference not known"
		}
		o.Group = g
		return usable, o, ""
	case "DHE":
		// A server with one DH prime that negotiates no RFC 7919 group.
		if len(f.dh) != 1 || slices.ContainsFunc(f.groups.TLS12, func(g obs.Group) bool {
			info, ok := registry.GroupByID(g.ID)
			return ok && info.Kind == "ffdhe"
		}) {
			return unknown, o, "DH parameters negotiated or several"
		}
		prime, ok := new(big.Int).SetString(f.dh[0].Prime, 16)
		if !ok {
			return unknown, o, "bad DH prime"
		}
		o.DHPrime = prime
		return usable, o, ""
	}
	return unknown, o, "key exchange not modelled"
}

// suiteOrder returns the accepted suites of p in the server's order, or
// in base order (tlsaudit's, in which a client-order server was seen to
// choose them) for a server following the client's order; not ok when the
// order is not known or not consistent with it.
func suiteOrder(p obs.Protocol, base []uint16) ([]uint16, bool) {
	if !p.Supported || p.Error != "" || len(p.Suites) == 0 {
		return nil, false
	}
	ids := make([]uint16, len(p.Suites))
	for i, s := range p.Suites {
		ids[i] = s.ID
	}
	switch {
	case p.ServerOrder == nil:
		return ids, len(ids) == 1
	case !*p.ServerOrder:
		return ids, inBaseOrder(ids, base)
	}
	return ids, true
}

// inBaseOrder: ids appear in base in this order (a server following the
// client's order chose them so).
func inBaseOrder(ids, base []uint16) bool {
	last := -1
	for _, id := range ids {
		i := slices.Index(base, id)
		if i <= last {
			return false
		}
		last = i
	}
	return true
}

// preferredGroup is the group a server accepting accepted (in its order
// when serverOrder is true) chooses among the client's groups.
func preferredGroup(accepted []uint16, serverOrder *bool, base, client []uint16) (uint16, bool) {
	switch {
	case len(accepted) == 0:
		return 0, false
	case serverOrder == nil:
		if len(accepted) == 1 && slices.Contains(client, accepted[0]) {
			return accepted[0], true
		}
		return 0, false
	case *serverOrder:
		for _, g := range accepted {
			if slices.Contains(client, g) {
				return g, true
			}
		}
		return 0, false
	}
	if !inBaseOrder(accepted, base) {
		return 0, false
	}
	for _, g := range client {
		if slices.Contains(accepted, g) {
			return g, true
		}
	}
	return 0, false
}

// chachaSettled: a server-order server chooses pick from candidates (in
// the order found) whatever the client prefers. Servers that honour a
// client's preference for ChaCha20 (OpenSSL's PRIORITIZE_CHACHA,
// crypto/tls) decide by the client's first suite: for a client listing
// AES-GCM first, as tlsaudit's hellos do, they keep their order, but a
// ChaCha20 suite found by an offer starting with it may sit later in that
// order; for a client listing ChaCha20 first, they choose ChaCha20. So a
// pick before an offered ChaCha20 suite holds for a client listing AES-GCM
// first, and a ChaCha20 pick before another offered suite holds when an
// offer not starting with ChaCha20 found it, or for a client listing
// ChaCha20 first. base is the order of tlsaudit's offers.
func chachaSettled(raw *wire.RawClientHello, p obs.Protocol, base, candidates []uint16, pick uint16) bool {
	if p.ServerOrder == nil || !*p.ServerOrder {
		return true
	}
	i := slices.Index(candidates, pick)
	rest := candidates[i+1:]
	first := ""
	for _, id := range raw.CipherSuites {
		if s, ok := registry.SuiteByID(id); ok && !wire.IsGREASE(id) && !s.Signalling {
			first = s.Cipher
			break
		}
	}
	switch {
	case isChaCha(pick):
		return len(rest) == 0 || first == "CHACHA20_POLY1305" || !isChaCha(offerFirst(p, base, pick))
	case slices.ContainsFunc(rest, isChaCha):
		return first == "AES_128_GCM" || first == "AES_256_GCM"
	}
	return true
}

// offerFirst is the first suite of the offer that found suite id in p's
// repeated selection: the first of base not found before it.
func offerFirst(p obs.Protocol, base []uint16, id uint16) uint16 {
	var before []uint16
	for _, s := range p.Suites {
		if s.ID == id {
			break
		}
		before = append(before, s.ID)
	}
	for _, b := range base {
		if !slices.Contains(before, b) {
			return b
		}
	}
	return 0
}

func isChaCha(id uint16) bool {
	s, ok := registry.SuiteByID(id)
	return ok && s.Cipher == "CHACHA20_POLY1305"
}

// sigKeyType names the key type of the certificate a TLS 1.2 signature
// scheme signs with: "RSA" (PKCS#1 v1.5 or PSS with an rsaEncryption key),
// "ECDSA", or "" for the others.
func sigKeyType(id uint16) string {
	sa, ok := registry.SigAlgByID(id)
	switch {
	case !ok:
		return ""
	case sa.Sig == "rsa_pkcs1" || sa.Sig == "rsa_pss_rsae":
		return "RSA"
	case sa.Sig == "ecdsa":
		return "ECDSA"
	}
	return ""
}

func groupIDs(gs []obs.Group) []uint16 {
	ids := make([]uint16, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	return ids
}

// onlyLeaf is the SHA-256 of the one leaf the server serves with keyType
// ("" any): not ok when there is none or several.
func onlyLeaf(chains []obs.Chain, keyType string) (string, bool) {
	leaf := ""
	for _, c := range chains {
		if len(c.Certificates) == 0 || keyType != "" && c.KeyType != keyType {
			continue
		}
		if h := c.Certificates[0].SHA256; leaf != "" && h != leaf {
			return "", false
		} else {
			leaf = h
		}
	}
	return leaf, leaf != ""
}

// leafCurve is the named group of the ECDSA leaf's curve (0: unknown).
func leafCurve(chains []obs.Chain) uint16 {
	for _, c := range chains {
		if c.KeyType == "ECDSA" && len(c.Certificates) > 0 {
			switch c.Certificates[0].Curve {
			case "P-256":
				return wire.GroupSecp256r1
			case "P-384":
				return wire.GroupSecp384r1
			case "P-521":
				return wire.GroupSecp521r1
			}
		}
	}
	return 0
}

// deriveALPN is the protocol the server selects from the client's ALPN
// list, known from its answer base to a hello offering h2 and http/1.1 (in
// that order), for lists of those two and of protocols in none (which the
// server selects in no case).
func deriveALPN(raw *wire.RawClientHello, base *string, none map[string]bool) (string, bool) {
	if _, sent := raw.Extension(wire.ExtALPN); !sent {
		return "", true
	}
	if base == nil {
		return "", false
	}
	var list []string
	for _, proto := range raw.ALPN {
		switch {
		case proto == "h2" || proto == "http/1.1":
			list = append(list, proto)
		case !none[proto]:
			return "", false
		}
	}
	if len(list) == 0 {
		return "", false
	}
	switch *base {
	case "":
		// Neither selected: the server does no ALPN or neither protocol.
		return "", true
	case "http/1.1":
		// h2 unsupported or less preferred: http/1.1 wherever offered.
		return "http/1.1", slices.Contains(list, "http/1.1")
	case "h2":
		// h2 supported and not less preferred: h2 when the client puts it first.
		return "h2", list[0] == "h2"
	}
	return "", false
}

// exoticALPN lists the ALPN protocols other than h2 and http/1.1 the
// clients offer, when at least two clients offer some (one connection
// telling that the server selects none of them then saves one).
func exoticALPN(profiles []clientsim.Profile) []string {
	var out []string
	clients := 0
	for _, p := range profiles {
		if p.Hello == nil || p.Hello.Raw == nil {
			continue
		}
		some := false
		for _, proto := range p.Hello.Raw.ALPN {
			if proto == "h2" || proto == "http/1.1" {
				continue
			}
			some = true
			if !slices.Contains(out, proto) {
				out = append(out, proto)
			}
		}
		if some {
			clients++
		}
	}
	if clients < 2 {
		return nil
	}
	return out
}
