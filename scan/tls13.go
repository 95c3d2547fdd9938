package scan

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

var tls13Suites = []uint16{wire.TLS_AES_256_GCM_SHA384, wire.TLS_CHACHA20_POLY1305_SHA256, wire.TLS_AES_128_GCM_SHA256, wire.TLS_AES_128_CCM_SHA256, wire.TLS_AES_128_CCM_8_SHA256}

// realShareGroups are groups for which wire makes real key shares, so a
// handshake through the server's encrypted flight is possible; best first.
var realShareGroups = []uint16{wire.GroupX25519, wire.GroupSecp256r1, wire.GroupSecp384r1, wire.GroupSecp521r1, wire.GroupX448, wire.GroupX25519MLKEM768, wire.GroupSecP256r1MLKEM768, wire.GroupSecP384r1MLKEM1024, wire.GroupMLKEM768, wire.GroupMLKEM1024, wire.GroupMLKEM512, wire.GroupFFDHE2048, wire.GroupFFDHE3072, wire.GroupFFDHE4096, wire.GroupFFDHE6144, wire.GroupFFDHE8192}

// hello13 builds a TLS 1.3 ClientHello. With shares nil it sends an empty
// key_share list, which makes the server answer with a HelloRetryRequest
// naming the group it prefers among those offered: enough to learn suite and
// group without key material.
func (ep *endpoint) hello13(suites, groups []uint16, sigalgs []uint16, shares []wire.KeyShare) *wire.ClientHello {
	sid := make([]byte, 32)
	rand.Read(sid)
	if shares == nil {
		shares = []wire.KeyShare{}
	}
	if sigalgs == nil {
		sigalgs = sigAlgsToOffer(true)
	}
	return &wire.ClientHello{
		Version:             registry.VersionTLS12,
		SessionID:           sid,
		CipherSuites:        suites,
		ServerName:          ep.sni,
		SupportedGroups:     groups,
		SignatureAlgorithms: sigalgs,
		SupportedVersions:   []uint16{registry.VersionTLS13},
		KeyShares:           shares,
		PSKModes:            []uint8{1},
		ECPointFormats:      []uint8{0},
		SecureRenegotiation: true,
		StatusRequest:       true,
		SCT:                 true,
		ALPN:                []string{"h2", "http/1.1"},
	}
}

// choice13 is what one TLS 1.3 hello told: the suite and group the server chose.
type choice13 struct {
	suite, group uint16
	hrr          bool
}

// try13 sends one TLS 1.3 hello without key shares and reads the server's
// choice from its HelloRetryRequest (or ServerHello). For a server that
// refuses such hellos instead of asking for a share (no HelloRetryRequest
// support), enumTLS13 sets shares13 and the hellos carry real shares.
func (a *audit) try13(ctx context.Context, suites, groups []uint16) (choice13, bool, error) {
	a.mu.Lock()
	withShares := a.shares13
	a.mu.Unlock()
	return a.try13With(ctx, suites, groups, withShares)
}

// shareGroups13 are the groups given a real key share when shares13 is set.
var shareGroups13 = []uint16{wire.GroupX25519, wire.GroupSecp256r1}

func (a *audit) try13With(ctx context.Context, suites, groups []uint16, withShares bool) (choice13, bool, error) {
	var shares []wire.KeyShare
	if withShares {
		for _, g := range shareGroups13 {
			if slices.Contains(groups, g) {
				share, _, err := wire.GenerateKeyShare(rand.Reader, g)
				if err != nil {
					return choice13{}, false, err
				}
				shares = append(shares, share)
			}
		}
	}
	f, err := a.ep.exchange(ctx, a.ep.hello13(suites, groups, nil, shares), nil, wire.StopAfterServerHello)
	ok, refused, err := a.answer(f, err)
	if !ok {
		return choice13{}, refused, err
	}
	sh := f.ServerHello
	if sh.NegotiatedVersion() != registry.VersionTLS13 {
		return choice13{}, true, nil
	}
	c := choice13{suite: sh.CipherSuite, hrr: sh.IsHelloRetryRequest}
	switch {
	case sh.IsHelloRetryRequest:
		c.group = sh.SelectedGroup
	case sh.KeyShare != nil:
		c.group = sh.KeyShare.Group
	}
	return c, false, nil
}

// enumTLS13 finds the TLS 1.3 suites (and their order) and the TLS 1.3
// groups (and their order): two repeated selections run side by side.
func (a *audit) enumTLS13(ctx context.Context) *obs.Protocol {
	p := &obs.Protocol{Name: "TLSv1.3", Version: registry.VersionTLS13}
	defer a.orderChecks[registry.VersionTLS13].end()
	allGroups := tls13GroupsToOffer()
	var (
		wg     sync.WaitGroup
		suites selection
		groups selection
	)
	first, refused, err := a.try13(ctx, tls13Suites, allGroups)
	if err == nil && refused {
		// Some stacks (e.g. early mbed TLS 1.3) abort rather than send a
		// HelloRetryRequest for a hello without key shares: try once with
		// real shares, and keep them if that works.
		if c, refused2, err2 := a.try13With(ctx, tls13Suites, allGroups, true); err2 == nil && !refused2 {
			first, refused = c, false
			a.mu.Lock()
			a.shares13 = true
			a.mu.Unlock()
		}
	}
	a.mu.Lock()
	a.first13 = first
	a.mu.Unlock()
	if gt := a.gates[registry.VersionTLS13]; gt != nil {
		gt.open(err == nil && !refused)
	}
	if err != nil {
		p.Error = err.Error()
		return p
	}
	if refused {
		return p
	}
	// The first answer is the first pick of both selections.
	wg.Add(2)
	go func() {
		defer wg.Done()
		var used atomic.Bool
		suites = selectSpeculating(ctx, suiteDomain(), a.ep.specDepth, tls13Suites, func(ctx context.Context, offer []uint16) (uint16, bool, error) {
			if slices.Equal(offer, tls13Suites) && used.CompareAndSwap(false, true) {
				return first.suite, false, nil
			}
			c, refused, err := a.try13(ctx, offer, allGroups)
			return c.suite, refused, err
		}, registry.SuiteName, a.orderChecks[registry.VersionTLS13])
	}()
	go func() {
		defer wg.Done()
		var used atomic.Bool
		groups = selectSpeculating(withPhase(ctx, "groups"), groupDomain(), a.ep.specDepth, allGroups, func(ctx context.Context, offer []uint16) (uint16, bool, error) {
			if slices.Equal(offer, allGroups) && used.CompareAndSwap(false, true) {
				return first.group, false, nil
			}
			// The group sequence may carry the suite order check: the
			// group the server asks for does not depend on the suites.
			r := carried(ctx, a.orderChecks[registry.VersionTLS13], nil, tls13Suites, func(suites []uint16) try13Result {
				c, refused, err := a.try13(ctx, suites, offer)
				return try13Result{c, refused, err}
			}, try13Result.answered)
			return r.c.group, r.refused, r.err
		}, registry.GroupName, nil)
	}()
	wg.Wait()
	for _, id := range suites.accepted {
		p.Suites = append(p.Suites, suiteRecord(id))
	}
	p.Supported = len(p.Suites) > 0
	p.ServerOrder = suites.serverOrder
	if suites.err != nil {
		p.Error = suites.err.Error()
	}
	a.mu.Lock()
	a.groups.TLS13 = toGroups(groups.accepted)
	a.groups.TLS13ServerOrder = groups.serverOrder
	a.mu.Unlock()
	if groups.err != nil {
		a.probeError("groups_tls13", groups.err)
	}
	return p
}

func toGroups(ids []uint16) []obs.Group {
	var out []obs.Group
	for _, id := range ids {
		g := obs.Group{ID: id, Name: registry.GroupName(id)}
		if r, ok := registry.GroupByID(id); ok {
			g.Bits, g.PostQuantum = r.Bits, r.PostQuantum
		}
		out = append(out, g)
	}
	return out
}

// enumSigAlgsTLS13 runs full TLS 1.3 handshakes (decrypting the server's
// flight) to learn which signature schemes the server signs with, in its
// order, and captures every chain it serves (one per key type).
func (a *audit) enumSigAlgsTLS13(ctx context.Context, discovered func()) {
	// The group of the server's first answer is used when tlsaudit can make
	// a real key share for it; otherwise wait for the group enumeration.
	a.mu.Lock()
	group := a.first13.group
	a.mu.Unlock()
	if !slices.Contains(realShareGroups, group) {
		discovered()
		a.mu.Lock()
		accepted := slices.Clone(a.groups.TLS13)
		a.mu.Unlock()
		group = 0
		for _, g := range realShareGroups {
			if slices.ContainsFunc(accepted, func(x obs.Group) bool { return x.ID == g }) {
				group = g
				break
			}
		}
	}
	if group == 0 {
		a.probeError("signature_algorithms_tls13", fmt.Errorf("no accepted TLS 1.3 group that tlsaudit can complete a key exchange with"))
		return
	}
	// Only the suites wire can decrypt: a server preferring a CCM suite
	// would otherwise choose it and hide its certificate.
	// The sequence may carry the suite order check when both suites are
	// decryptable: the signature scheme does not depend on the suite.
	fits := func(pair []uint16) bool {
		return slices.Contains(decryptable13, pair[0]) && slices.Contains(decryptable13, pair[1])
	}
	pick := func(ctx context.Context, offer []uint16) (uint16, bool, error) {
		r := carried(ctx, a.orderChecks[registry.VersionTLS13], fits, decryptable13, func(suites []uint16) sigAlg13Result {
			var r sigAlg13Result
			r.sigalg, r.suite, r.refused, r.err = a.sigAlg13(ctx, group, suites, offer)
			return r
		}, sigAlg13Result.answered)
		return r.sigalg, r.refused, r.err
	}
	// The observation keeps no signature algorithm order: no order check.
	sel := selectItemsSpeculating(ctx, sigAlgDomain(), a.ep.specDepth, sigAlgsToOffer(true), pick, registry.SigAlgName)
	a.mu.Lock()
	a.sigalgs.TLS13 = toSigAlgs(sel.accepted)
	a.mu.Unlock()
	if sel.err == nil && len(sel.accepted) == 0 {
		sel.err = fmt.Errorf("no TLS 1.3 handshake completed: the server refused hellos offering only the suites tlsaudit can decrypt (AES-GCM, ChaCha20-Poly1305), so its TLS 1.3 certificate and signature algorithms are unknown")
	}
	if sel.err != nil {
		a.probeError("signature_algorithms_tls13", sel.err)
	}
}

type sigAlg13Result struct {
	sigalg, suite uint16
	refused       bool
	err           error
}

func (r sigAlg13Result) answered() (uint16, bool) {
	return r.suite, r.err == nil && !r.refused && r.suite != 0
}

// sigAlg13 runs one TLS 1.3 handshake with a key share for group, offering
// suiteIDs and the signature schemes offer, through the server's
// CertificateVerify: the scheme it signed with and the suite it chose.
func (a *audit) sigAlg13(ctx context.Context, group uint16, suiteIDs, offer []uint16) (sigalg, suite uint16, refused bool, err error) {
	share, priv, err := wire.GenerateKeyShare(rand.Reader, group)
	if err != nil {
		return 0, 0, false, err
	}
	ch := a.ep.hello13(suiteIDs, []uint16{group}, offer, []wire.KeyShare{share})
	f, err := a.ep.exchange(ctx, ch, []*wire.KeySharePrivate{priv}, wire.StopAfterServerKeyExchange)
	ok, refused, err := a.answer(f, err)
	if !ok {
		return 0, 0, refused, err
	}
	sh := f.ServerHello
	if sh.NegotiatedVersion() == registry.VersionTLS13 && sh.IsHelloRetryRequest {
		err := fmt.Errorf("HelloRetryRequest loop: the server answered a TLS 1.3 ClientHello carrying a key share for %s, a group it accepts, with another HelloRetryRequest (for %s), so no TLS 1.3 handshake can complete",
			registry.GroupName(group), registry.GroupName(sh.SelectedGroup))
		a.mu.Lock()
		a.hrrLoop = err
		a.mu.Unlock()
		return 0, 0, false, err
	}
	if sh.NegotiatedVersion() != registry.VersionTLS13 {
		return 0, 0, false, fmt.Errorf("the server answered a TLS 1.3 hello with a %s key share with %s", registry.GroupName(group), registry.Version(sh.NegotiatedVersion()).String())
	}
	if f.CertificateVerify == nil {
		return 0, 0, false, fmt.Errorf("TLS 1.3 handshake ended before CertificateVerify (messages: %v)", f.Messages)
	}
	if f.Certificate != nil && len(f.Certificate.Certificates) > 0 {
		var scts [][]byte
		if len(f.Certificate.SCTs) > 0 {
			scts = f.Certificate.SCTs[0]
		}
		sa, _ := registry.SigAlgByID(f.CertificateVerify.SigAlg)
		a.addChain(registry.VersionTLS13, keyTypeOfSig(sa), f.Certificate.Certificates, f.CertificateStatus, scts)
	}
	a.noteHandshake(registry.VersionTLS13, sh, registry.GroupName(group), f.EncryptedExtensions)
	return f.CertificateVerify.SigAlg, sh.CipherSuite, false, nil
}

// decryptable13 are the TLS 1.3 suites wire can decrypt a server flight with.
var decryptable13 = []uint16{wire.TLS_AES_256_GCM_SHA384, wire.TLS_CHACHA20_POLY1305_SHA256, wire.TLS_AES_128_GCM_SHA256}

func toSigAlgs(ids []uint16) []obs.SigAlg {
	var out []obs.SigAlg
	for _, id := range ids {
		out = append(out, obs.SigAlg{ID: id, Name: registry.SigAlgName(id)})
	}
	return out
}

// keyTypeOfSig names the certificate key type a signature scheme implies.
func keyTypeOfSig(sa registry.SigAlg) string {
	switch sa.Sig {
	case "ecdsa":
		return "ECDSA"
	case "rsa", "rsa_pss_rsae", "rsa_pss_pss", "rsa_pss":
		return "RSA"
	case "ed25519":
		return "Ed25519"
	case "ed448":
		return "Ed448"
	case "dsa":
		return "DSA"
	}
	return ""
}

// try13Result is try13's result as one value.
type try13Result struct {
	c       choice13
	refused bool
	err     error
}

func (r try13Result) answered() (uint16, bool) {
	return r.c.suite, r.err == nil && !r.refused && r.c.suite != 0
}
