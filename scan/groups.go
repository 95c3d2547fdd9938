package scan

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// bestTLS12 returns the highest version from TLS 1.0 to 1.2 the server
// accepts and its accepted suites matching keep.
func (a *audit) bestTLS12(keep func(registry.Suite) bool) (uint16, []uint16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, v := range []uint16{registry.VersionTLS12, registry.VersionTLS11, registry.VersionTLS10} {
		p := a.protocols[v]
		if !p.Supported {
			continue
		}
		var ids []uint16
		for _, s := range p.Suites {
			if rs, ok := registry.SuiteByID(s.ID); ok && keep(rs) {
				ids = append(ids, s.ID)
			}
		}
		if len(ids) > 0 {
			return v, ids
		}
	}
	return 0, nil
}

// enumGroupsTLS12 finds the curves the server accepts for ECDHE at version
// v (TLS 1.0 to 1.2), offering ECDHE suites and reading the curve from each
// ServerKeyExchange.
func (a *audit) enumGroupsTLS12(ctx context.Context, v uint16, suites []uint16) {
	all := ecGroupsToOffer()
	var derived string
	pick := func(ctx context.Context, offer []uint16) (uint16, bool, error) {
		if slices.Equal(offer, all) {
			// The suite hellos offer every curve too.
			curve := func(ske *wire.ServerKeyExchange) (uint16, bool) { return ske.NamedCurve, ske.NamedCurve != 0 }
			if c, by, ok := a.suiteAnswers.answer(ctx, v, suites, curve); ok {
				derived = derivedFrom(v, by, registry.GroupName(c))
				return c, false, nil
			}
		}
		r := carried(ctx, a.orderChecks[v], pairFits12("ECDHE"), suites, func(suites []uint16) skeResult {
			ch := a.ep.helloTLS(v, suites)
			ch.SupportedGroups = offer
			return a.serverKeyExchangeResult(ctx, ch, v)
		}, skeResult.answered)
		f, ske, refused, err := r.f, r.ske, r.refused, r.err
		if f == nil || err != nil {
			return 0, refused, err
		}
		if ske == nil {
			return 0, false, fmt.Errorf("no ServerKeyExchange after an ECDHE suite (messages: %v)", f.Messages)
		}
		return ske.NamedCurve, false, nil
	}
	// The curves and the FFDHE groups are two chains side by side.
	var ff []uint16
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		ff, err = a.enumFFDHE(ctx, v, allSuitesWith(v, "DHE"))
	}()
	sel := selectSpeculating(ctx, groupDomain(), a.ep.specDepth, all, pick, registry.GroupName, nil)
	<-done
	a.mu.Lock()
	a.groups.TLS12 = toGroups(append(sel.accepted, ff...))
	a.groups.TLS12ServerOrder = sel.serverOrder
	if len(sel.accepted) > 0 {
		a.groups.TLS12DerivedFrom = derived
	}
	a.mu.Unlock()
	if sel.err != nil {
		a.probeError("groups_tls12", sel.err)
	}
	if err != nil {
		a.probeError("groups_tls12_ffdhe", err)
	}
}

// enumFFDHE finds the RFC 7919 groups the server negotiates for DHE at
// version v (TLS 1.0 to 1.2): hellos offering only DHE suites and only
// FFDHE groups, the group read from the prime of each ServerKeyExchange.
// The parameters seen are recorded as DH parameters: a client offering
// these groups gets them (e.g. GnuTLS answers ffdhe2048 instead of its
// configured 1024-bit prime). A server that sends the same named prime
// whatever is offered has fixed parameters and negotiates nothing.
func (a *audit) enumFFDHE(ctx context.Context, v uint16, suites []uint16) ([]uint16, error) {
	var offer []uint16
	byName := map[string]uint16{}
	for _, g := range registry.Groups() {
		if g.Kind == "ffdhe" {
			offer = append(offer, g.ID)
			byName[g.Name] = g.ID
		}
	}
	if len(suites) == 0 || len(offer) == 0 {
		return nil, nil
	}
	// What each offer's answer showed, replayed in the order of the
	// sequential chain once it is over: speculative offers answer out of
	// order, and some are never part of the chain.
	type dhSeen struct {
		suite uint16
		p, g  []byte
		fixed bool // a named prime that was not offered
	}
	var mu sync.Mutex
	seen := map[string]dhSeen{}
	pick := func(ctx context.Context, groups []uint16) (uint16, bool, error) {
		ch := a.ep.helloTLS(v, suites)
		ch.SupportedGroups = groups
		f, suite, ske, refused, err := a.serverKeyExchange(ctx, ch, v)
		if f == nil || err != nil {
			return 0, refused, err
		}
		if suite.Kx != "DHE" || suite.Anonymous || ske == nil {
			return 0, true, nil
		}
		name, _, _ := registry.KnownPrime(new(big.Int).SetBytes(ske.P))
		id, named := byName[name]
		negotiated := named && slices.Contains(groups, id)
		mu.Lock()
		seen[fmt.Sprint(groups)] = dhSeen{suite.ID, ske.P, ske.G, named && !negotiated}
		mu.Unlock()
		if !negotiated {
			// Not negotiated: the server's own parameters.
			return 0, true, nil
		}
		return id, false, nil
	}
	// The groups join the curves' list, whose order is the curves' alone:
	// no order check.
	sel := selectItemsSpeculating(ctx, groupDomain(), a.ep.specDepth, offer, pick, registry.GroupName)
	fixed := false
	replay := func(groups []uint16) {
		if d, ok := seen[fmt.Sprint(groups)]; ok {
			a.addDH(v, d.suite, d.p, d.g)
			fixed = fixed || d.fixed
		}
	}
	// sel.accepted is in the order picked (a client order's picks follow
	// the offer's order), each picked from the offers left before it.
	remaining := slices.Clone(offer)
	for _, c := range sel.accepted {
		replay(remaining)
		remaining = without(remaining, c)
	}
	if len(remaining) > 0 {
		replay(remaining) // the refusal (or failure) that ended the chain
	}
	if fixed {
		return nil, sel.err
	}
	return sel.accepted, sel.err
}

// enumSigAlgsTLS12 finds the signature algorithms the server signs its
// ServerKeyExchange with at TLS 1.2, offering the given (ECDHE and DHE) suites.
func (a *audit) enumSigAlgsTLS12(ctx context.Context, suites []uint16) {
	all := sigAlgsToOffer(false)
	var derived string
	pick := func(ctx context.Context, offer []uint16) (uint16, bool, error) {
		if slices.Equal(offer, all) {
			// The suite hellos offer every signature algorithm too.
			sigAlg := func(ske *wire.ServerKeyExchange) (uint16, bool) { return ske.SigAlg, ske.SigAlg != 0 }
			if c, by, ok := a.suiteAnswers.answer(ctx, registry.VersionTLS12, suites, sigAlg); ok {
				derived = derivedFrom(registry.VersionTLS12, by, registry.SigAlgName(c))
				return c, false, nil
			}
		}
		r := carried(ctx, a.orderChecks[registry.VersionTLS12], pairFits12("ECDHE", "DHE"), suites, func(suites []uint16) skeResult {
			ch := a.ep.helloTLS(registry.VersionTLS12, suites)
			ch.SignatureAlgorithms = offer
			return a.serverKeyExchangeResult(ctx, ch, registry.VersionTLS12)
		}, skeResult.answered)
		f, suite, ske, refused, err := r.f, r.suite, r.ske, r.refused, r.err
		if f == nil || err != nil {
			return 0, refused, err
		}
		if ske == nil {
			return 0, false, fmt.Errorf("no ServerKeyExchange after %s", suite.Name)
		}
		if f.Certificate != nil {
			a.addChain(registry.VersionTLS12, keyTypeOf(suite), f.Certificate.Certificates, f.CertificateStatus, f.ServerHello.SCTList)
		}
		return ske.SigAlg, false, nil
	}
	// The observation keeps no signature algorithm order: no order check.
	sel := selectItemsSpeculating(ctx, sigAlgDomain(), a.ep.specDepth, all, pick, registry.SigAlgName)
	a.mu.Lock()
	a.sigalgs.TLS12 = toSigAlgs(sel.accepted)
	if len(sel.accepted) > 0 {
		a.sigalgs.TLS12DerivedFrom = derived
	}
	a.mu.Unlock()
	if sel.err != nil {
		a.probeError("signature_algorithms_tls12", sel.err)
	}
}

// serverKeyExchange sends ch (version v) and reads the server's flight up to
// its ServerKeyExchange. f is nil when the server refused (refused) or the
// exchange failed (err); otherwise suite is the chosen suite and ske its
// parsed ServerKeyExchange, nil when the server sent none or the suite has
// no format we read.
func (a *audit) serverKeyExchange(ctx context.Context, ch *wire.ClientHello, v uint16) (f *wire.Flight, suite registry.Suite, ske *wire.ServerKeyExchange, refused bool, err error) {
	f, err = a.ep.exchange(ctx, ch, nil, wire.StopAfterServerKeyExchange)
	ok, refused, err := a.answer(f, err)
	if !ok {
		return nil, suite, nil, refused, err
	}
	suite, _ = registry.SuiteByID(f.ServerHello.CipherSuite)
	if kind := skeKind(suite); kind != "" && f.ServerKeyExchange != nil {
		if ske, err = wire.ParseServerKeyExchange(f.ServerKeyExchange, kind, v); err != nil {
			return f, suite, nil, false, err
		}
	}
	return f, suite, ske, false, nil
}

// skeResult is serverKeyExchange's result as one value.
type skeResult struct {
	f       *wire.Flight
	suite   registry.Suite
	ske     *wire.ServerKeyExchange
	refused bool
	err     error
}

func (a *audit) serverKeyExchangeResult(ctx context.Context, ch *wire.ClientHello, v uint16) skeResult {
	var r skeResult
	r.f, r.suite, r.ske, r.refused, r.err = a.serverKeyExchange(ctx, ch, v)
	return r
}

// answered: the server picked a suite and sent the ServerKeyExchange a
// group or signature algorithm sequence reads.
func (r skeResult) answered() (uint16, bool) {
	if r.f == nil || r.err != nil || r.ske == nil {
		return 0, false
	}
	return r.f.ServerHello.CipherSuite, true
}
