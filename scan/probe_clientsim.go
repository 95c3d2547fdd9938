package scan

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/clientsim"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Client simulation: replay every captured real client's ClientHello (the
// built-in set plus Options.Clients) and every synthesised legacy client's
// (clientsim.Legacy), and record what each would negotiate.
// A client whose handshake what discovery proved determines exactly is
// derived from it, without a connection (see deriveSimulation; not with
// Options.LiveClientSimulations); every other one takes a connection of its
// own (two when the server unexpectedly asks for another key share, see
// simulate), all through e.ep.dial (so within the per-endpoint limit).

// simulatedClients returns the built-in profiles plus extra ones; an extra
// profile with the ID of a built-in one replaces it.
func simulatedClients(extra []clientsim.Profile) ([]clientsim.Profile, error) {
	builtin, err := clientsim.Builtin()
	if legacy, lerr := clientsim.Legacy(); lerr != nil {
		err = errors.Join(err, lerr)
	} else {
		builtin = append(builtin, legacy...)
	}
	seen := map[string]bool{}
	for _, p := range extra {
		seen[p.ID] = true
	}
	out := make([]clientsim.Profile, 0, len(builtin)+len(extra))
	for _, p := range builtin {
		if !seen[p.ID] {
			out = append(out, p)
		}
	}
	return append(out, extra...), err
}

func init() {
	registerProbe("client_simulation", probeClientSimulation, func(o *obs.Observation, r clientSimResult) {
		if r.err != nil {
			addProbeError(o, "client_simulation", r.err)
		}
		if r.sims != nil {
			o.ClientSimulations = r.sims
		}
	})
}

// clientSimResult is the simulations, and an error loading the profiles.
type clientSimResult struct {
	sims []obs.ClientSimulation
	err  error
}

func probeClientSimulation(ctx context.Context, e *probeEnv) clientSimResult {
	profiles, err := simulatedClients(e.clients)
	if len(profiles) == 0 {
		return clientSimResult{err: err}
	}
	ctx = withPhase(ctx, "client_simulation")
	var facts *simFacts
	if e.discovered != nil {
		facts = e.discovered(ctx)
	}
	results := make([]obs.ClientSimulation, len(profiles))
	var wg sync.WaitGroup
	live := func(i int) {
		wg.Go(func() { results[i] = simulate(ctx, e, profiles[i], !retryLikely(profiles[i], e)) })
	}
	// Clients are derived, replayed at once, or (pending) derived once a
	// check connection has told what their derivation lacks.
	var derived, pending []int
	orderPending := false
	groupPending := map[string]int{} // clients per groupSignature
	derive := func(i int) string {
		r, why := deriveSimulation(profiles[i], facts)
		if why == "" {
			results[i] = r
			derived = append(derived, i)
		}
		return why
	}
	for i := range profiles {
		switch derive(i) {
		case "":
		case whyChaChaOrder:
			orderPending = true
			pending = append(pending, i)
		case whyGroup:
			groupPending[groupSignature(profiles[i].Hello.Raw)]++
			pending = append(pending, i)
		case whyALPN:
			pending = append(pending, i)
		default:
			live(i)
		}
	}
	if len(pending) > 0 {
		var pp []clientsim.Profile
		for _, i := range pending {
			pp = append(pp, profiles[i])
		}
		var cwg sync.WaitGroup
		var order map[uint16]bool
		var none map[string]bool
		var groups map[string]groupChoice
		base := facts.alpnBase
		cwg.Go(func() { groups = checkGroups(ctx, e, profiles, groupPending) })
		if orderPending {
			cwg.Go(func() { order = checkClientOrder(ctx, e, facts) })
		}
		if base == nil && alpnClients(pp) >= 2 {
			cwg.Go(func() { base = checkALPNBase(ctx, e) })
		}
		cwg.Go(func() { none = checkALPN(ctx, e, exoticALPN(pp)) })
		cwg.Wait()
		facts.clientOrder, facts.alpnNone, facts.alpnBase, facts.groupChoice = order, none, base, groups
		for _, i := range pending {
			if derive(i) != "" {
				live(i)
			}
		}
	}
	// A server intolerant of some hellos may answer a real client's
	// otherwise than discovery's: then every client is replayed.
	if len(derived) > 0 && !tolerant(e.intoleranceResult(ctx)) {
		for _, i := range derived {
			live(i)
		}
	}
	wg.Wait()
	return clientSimResult{sims: results, err: err}
}

// checkClientOrder tells, for each protocol whose order check could not
// tell a client order from a ChaCha20 preference, which it is: one
// connection each, together (see chachaCheckPair).
func checkClientOrder(ctx context.Context, e *probeEnv, f *simFacts) map[uint16]bool {
	var mu sync.Mutex
	var wg sync.WaitGroup
	out := map[uint16]bool{}
	for v, p := range f.protocols {
		pair := chachaCheckPair(p)
		if pair == nil {
			continue
		}
		wg.Go(func() {
			ch := e.ep.helloTLS(v, pair)
			if v == registry.VersionTLS13 {
				ch = e.ep.hello13(pair, tls13GroupsToOffer(), nil, nil)
			}
			fl, err := e.ep.exchange(ctx, ch, nil, wire.StopAfterServerHello)
			if err != nil || fl.Alert != nil || fl.ServerHello == nil || fl.ServerHello.NegotiatedVersion() != v {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			switch fl.ServerHello.CipherSuite {
			case pair[0]:
				out[v] = true
			case pair[1]:
				out[v] = false
			}
		})
	}
	wg.Wait()
	return out
}

// checkALPN offers the ALPN protocols exotic alone, in a hello of the
// best protocol below TLS 1.3 (whose ServerHello shows the selection), and
// returns them when the server selects none (no ALPN extension, or a
// no_application_protocol alert); nil when unknown.
func checkALPN(ctx context.Context, e *probeEnv, exotic []string) map[string]bool {
	v, suites, ok := e.bestLegacy()
	if len(exotic) == 0 || !ok || v < registry.VersionTLS10 {
		return nil
	}
	ch := e.ep.helloTLS(v, suites)
	ch.ALPN = exotic
	fl, err := e.ep.exchange(ctx, ch, nil, wire.StopAfterServerHello)
	switch {
	case err != nil:
		return nil
	case fl.Alert != nil && fl.Alert.Description == wire.AlertNoApplicationProtocol,
		fl.Alert == nil && fl.ServerHello != nil && fl.ServerHello.NegotiatedVersion() == v && fl.ServerHello.ALPN == "" && !hasExtension(fl.ServerHello, wire.ExtALPN):
		none := map[string]bool{}
		for _, p := range exotic {
			none[p] = true
		}
		return none
	}
	return nil
}

// checkGroups asks the server, for each group signature two clients or
// more wait on (pending), which TLS 1.3 group it chooses for a hello with
// those supported groups and key shares: one connection each, together.
func checkGroups(ctx context.Context, e *probeEnv, profiles []clientsim.Profile, pending map[string]int) map[string]groupChoice {
	var mu sync.Mutex
	var wg sync.WaitGroup
	out := map[string]groupChoice{}
	done := map[string]bool{}
	for _, p := range profiles {
		if p.Hello == nil || p.Hello.Raw == nil {
			continue
		}
		raw := p.Hello.Raw
		sig := groupSignature(raw)
		if pending[sig] < 2 || done[sig] {
			continue
		}
		done[sig] = true
		var groups []uint16
		var shares []wire.KeyShare
		for _, g := range raw.SupportedGroups {
			if !wire.IsGREASE(g) {
				groups = append(groups, g)
			}
		}
		ok := true
		for _, ks := range raw.KeyShares {
			if wire.IsGREASE(ks.Group) {
				continue
			}
			share, _, err := wire.GenerateKeyShare(rand.Reader, ks.Group)
			if err != nil {
				ok = false
				break
			}
			shares = append(shares, share)
		}
		if !ok || len(shares) == 0 {
			continue
		}
		wg.Go(func() {
			fl, err := e.ep.exchange(ctx, e.ep.hello13(tls13Suites, groups, nil, shares), nil, wire.StopAfterServerHello)
			if err != nil || fl.Alert != nil || fl.ServerHello == nil || fl.ServerHello.NegotiatedVersion() != registry.VersionTLS13 {
				return
			}
			sh := fl.ServerHello
			c := groupChoice{hrr: sh.IsHelloRetryRequest}
			switch {
			case sh.IsHelloRetryRequest:
				c.group = sh.SelectedGroup
			case sh.KeyShare != nil:
				c.group = sh.KeyShare.Group
			default:
				return
			}
			mu.Lock()
			out[sig] = c
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// checkALPNBase offers h2 and http/1.1, in that order, in a hello of the
// best protocol below TLS 1.3, for a server discovery made no TLS 1.3
// handshake with: the protocol selected ("" none), nil when unknown.
func checkALPNBase(ctx context.Context, e *probeEnv) *string {
	v, suites, ok := e.bestLegacy()
	if !ok || v < registry.VersionTLS10 {
		return nil
	}
	ch := e.ep.helloTLS(v, suites)
	ch.ALPN = []string{"h2", "http/1.1"}
	fl, err := e.ep.exchange(ctx, ch, nil, wire.StopAfterServerHello)
	if err != nil || fl.Alert != nil || fl.ServerHello == nil || fl.ServerHello.NegotiatedVersion() != v {
		return nil
	}
	alpn := fl.ServerHello.ALPN
	return &alpn
}

// alpnClients counts the profiles sending an ALPN extension.
func alpnClients(profiles []clientsim.Profile) int {
	n := 0
	for _, p := range profiles {
		if p.Hello != nil && p.Hello.Raw != nil {
			if _, ok := p.Hello.Raw.Extension(wire.ExtALPN); ok {
				n++
			}
		}
	}
	return n
}

func hasExtension(sh *wire.ServerHello, t uint16) bool {
	return slices.ContainsFunc(sh.Extensions, func(x wire.Extension) bool { return x.Type == t })
}

// intoleranceResult is the intolerance probe's result: this audit's, or
// the probe run here when the audit does not run it.
func (e *probeEnv) intoleranceResult(ctx context.Context) *obs.IntoleranceResult {
	if e.intolerance != nil {
		if r, ran := e.intolerance(ctx); ran {
			return r
		}
	}
	return probeIntolerance(ctx, e)
}

// simulate replays p on a connection of its own. With helloOnly, the hello
// is followed by a close_notify (see countingConn), which frees a server
// that serves one connection at a time a round trip sooner; a server that
// asks for another hello (HelloRetryRequest) then closes instead of
// reading it, so the simulation is made again without.
func simulate(ctx context.Context, e *probeEnv, p clientsim.Profile, helloOnly bool) obs.ClientSimulation {
	c, err := e.ep.dial(ctx)
	if err != nil {
		return obs.ClientSimulation{Client: p.Meta.Label, ID: p.ID, Source: p.Source,
			Reference: p.Meta.Reference, Origin: p.Meta.Origin, Error: "error: " + err.Error()}
	}
	defer c.Close()
	res := clientsim.Simulate(&countingConn{Conn: c, closeAfterHello: helloOnly}, p, e.ep.sni)
	if helloOnly && res.HelloRetry {
		c.Close()
		return simulate(ctx, e, p, false)
	}
	return res
}

// retryLikely guesses whether the server answers p's hello with a
// HelloRetryRequest: it does TLS 1.3, the client offers it, and none of
// the client's key shares is for a group the server accepts in TLS 1.3
// (servers take an acceptable share before asking for another: OpenSSL,
// crypto/tls, GnuTLS). A wrong guess costs a connection, never a result.
func retryLikely(p clientsim.Profile, e *probeEnv) bool {
	if !e.ep.helloOnly {
		return true
	}
	raw := p.Hello.Raw
	if !e.accepts(registry.VersionTLS13) || !slices.Contains(raw.SupportedVersions, registry.VersionTLS13) {
		return false
	}
	for _, ks := range raw.KeyShares {
		if slices.ContainsFunc(e.tls13Groups(), func(g obs.Group) bool { return g.ID == ks.Group }) {
			return false
		}
	}
	return true
}
