package scan

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// suitesToOffer lists the suites valid in version v, strongest first: this is
// the order a client-order server is seen to prefer. The slice of an SSL 3.0
// to TLS 1.3 version is shared (a table derived once from the static
// registry, never changed after): do not modify it.
func suitesToOffer(v uint16) []uint16 {
	if ids, ok := offerTable()[v]; ok {
		return ids
	}
	return computeSuitesToOffer(v)
}

// offerTable is suitesToOffer of each version from SSL 3.0 to TLS 1.3.
var offerTable = sync.OnceValue(func() map[uint16][]uint16 {
	t := map[uint16][]uint16{}
	for _, v := range []uint16{registry.VersionSSL3, registry.VersionTLS10, registry.VersionTLS11, registry.VersionTLS12, registry.VersionTLS13} {
		t[v] = slices.Clip(computeSuitesToOffer(v))
	}
	return t
})

func computeSuitesToOffer(v uint16) []uint16 {
	var ss []registry.Suite
	for _, s := range registry.SuitesFor(registry.Version(v)) {
		if s.ID == 0 || s.Signalling {
			continue
		}
		ss = append(ss, s)
	}
	slices.SortStableFunc(ss, func(a, b registry.Suite) int { return suiteRank(a) - suiteRank(b) })
	ids := make([]uint16, len(ss))
	for i, s := range ss {
		ids[i] = s.ID
	}
	return ids
}

// suiteRank orders suites by strength: lower is stronger.
func suiteRank(s registry.Suite) int {
	r := 0
	if !s.FS {
		r += 4000
	}
	if !s.AEAD {
		r += 2000
	}
	if s.Anonymous || s.Export || s.Bits < 128 {
		r += 8000
	}
	r += 1000 - s.Bits
	if s.Auth == "ECDSA" {
		r-- // ECDSA before RSA at the same strength
	}
	return r
}

// Groups offered in TLS 1.2 ECDHE hellos: every elliptic curve, common ones first.
func ecGroupsToOffer() []uint16 {
	first := []uint16{wire.GroupX25519, wire.GroupSecp256r1, wire.GroupSecp384r1, wire.GroupSecp521r1, wire.GroupX448, wire.GroupBrainpoolP256r1, wire.GroupBrainpoolP384r1, wire.GroupBrainpoolP512r1}
	out := slices.Clone(first)
	for _, g := range registry.Groups() {
		if (g.Kind == "ec" || g.Kind == "ecx") && !slices.Contains(out, g.ID) {
			out = append(out, g.ID)
		}
	}
	return out
}

// tls13GroupsToOffer lists every group valid in TLS 1.3, common ones first.
func tls13GroupsToOffer() []uint16 {
	first := []uint16{wire.GroupX25519MLKEM768, wire.GroupX25519, wire.GroupSecp256r1, wire.GroupSecp384r1, wire.GroupSecp521r1, wire.GroupX448, wire.GroupSecP256r1MLKEM768, wire.GroupSecP384r1MLKEM1024}
	out := slices.Clone(first)
	for _, g := range registry.Groups() {
		if g.TLS13 && !slices.Contains(out, g.ID) {
			out = append(out, g.ID)
		}
	}
	return out
}

func sigAlgsToOffer(tls13 bool) []uint16 {
	first := []uint16{0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601}
	var out []uint16
	for _, id := range first {
		if sa, ok := registry.SigAlgByID(id); ok && (!tls13 || sa.TLS13) {
			out = append(out, id)
		}
	}
	for _, sa := range registry.SigAlgs() {
		if (!tls13 || sa.TLS13) && !slices.Contains(out, sa.ID) {
			out = append(out, sa.ID)
		}
	}
	return out
}

// helloTLS builds a broad ClientHello for version v (SSLv3 to TLS 1.2).
func (ep *endpoint) helloTLS(v uint16, suites []uint16) *wire.ClientHello {
	ch := &wire.ClientHello{Version: v, CipherSuites: suites, ServerName: ep.sni}
	if v == registry.VersionSSL3 {
		// SSLv3 stacks predate extensions: signal renegotiation by SCSV.
		ch.RecordVersion = registry.VersionSSL3
		ch.ServerName = ""
		ch.CipherSuites = append(slices.Clone(suites), wire.SCSVRenegotiation)
		return ch
	}
	ch.SupportedGroups = ecGroupsToOffer()
	ch.ECPointFormats = []uint8{0}
	ch.SecureRenegotiation = true
	ch.ExtendedMasterSecret = true
	ch.SessionTicket = true
	ch.StatusRequest = true
	ch.SCT = true
	if v >= registry.VersionTLS12 {
		ch.SignatureAlgorithms = sigAlgsToOffer(false)
	}
	return ch
}

// enumTLS finds whether version v (SSLv3 to TLS 1.2) is accepted and which
// suites, in which order.
func (a *audit) enumTLS(ctx context.Context, v uint16) *obs.Protocol {
	p := &obs.Protocol{Name: registry.Version(v).String(), Version: v}
	defer a.orderChecks[v].end()
	defer a.suiteAnswers.end(v)
	base := suitesToOffer(v)
	var mu sync.Mutex
	kx := map[uint16]*obs.KeyExchange{}
	var closedSilently atomic.Bool // the last refusal was a close, not an alert
	pick := func(ctx context.Context, offer []uint16) (uint16, bool, error) {
		f, err := a.ep.exchange(ctx, a.ep.helloTLS(v, offer), nil, wire.StopAfterServerHelloDone)
		closedSilently.Store(err != nil && isClosed(err))
		ok, refused, err := a.answer(f, err)
		if !ok {
			return 0, refused, err
		}
		sh := f.ServerHello
		if sh.Version < v {
			return 0, true, nil // negotiated down: v is not supported
		}
		if sh.Version > v || sh.SupportedVersion != 0 {
			what := registry.Version(sh.NegotiatedVersion()).String()
			if sh.IsHelloRetryRequest {
				what = "a TLS 1.3 HelloRetryRequest"
			}
			return 0, false, fmt.Errorf("server answered a %s ClientHello with %s", registry.Version(v).String(), what)
		}
		if slices.Equal(offer, base) {
			a.keepFirstHello(v, sh)
		}
		k, ske := a.learnTLSKx(v, f)
		a.suiteAnswers.add(v, offer, sh.CipherSuite, ske)
		mu.Lock()
		if k != nil && kx[sh.CipherSuite] == nil {
			kx[sh.CipherSuite] = k
		}
		mu.Unlock()
		return sh.CipherSuite, false, nil
	}
	gt := a.gates[v]
	first := func(ctx context.Context, offer []uint16) (uint16, bool, error) {
		c, refused, err := pick(ctx, offer)
		if gt != nil {
			gt.open(err == nil && !refused)
		}
		return c, refused, err
	}
	// Speculation overtakes the chain of offers (see speculate.go); the
	// result is the sequential one. It starts only after answers it
	// predicted, so the first (and, for a refusing version, only) answer is
	// made alone and closedSilently describes it.
	spec := newSpeculator(base, first, a.ep.specDepth)
	if v >= registry.VersionTLS10 {
		spec.board, spec.version = a.board, v
	}
	sel := repeatedSelectionWith(ctx, base, spec.Pick, registry.SuiteName, a.orderChecks[v])
	spec.Close()
	a.mu.Lock()
	if a.chainSteps == nil {
		a.chainSteps = map[uint16]int{}
	}
	a.chainSteps[v] = spec.waited
	a.mu.Unlock()
	longHelloSuspect := sel.err != nil && !isDialOrCtx(sel.err) && !errors.Is(sel.err, wire.ErrNotTLS) ||
		sel.err == nil && closedSilently.Load()
	if len(sel.accepted) == 0 && longHelloSuspect && v != registry.VersionSSL3 {
		// Some servers choke on long hellos (closing or failing instead of
		// answering): retry with short ones.
		if s2 := a.enumChunked(ctx, base, pick, a.orderChecks[v]); len(s2.accepted) > 0 {
			sel = s2
		}
	}
	for _, id := range sel.accepted {
		p.Suites = append(p.Suites, withKx(suiteRecord(id), kx[id]))
	}
	p.Supported = len(p.Suites) > 0
	p.ServerOrder = sel.serverOrder
	if sel.err != nil {
		p.Error = sel.err.Error()
	}
	return p
}

// keepFirstHello keeps the server's answer to the first hello of version v
// (every suite offered), for the probes that would send the same hello.
func (a *audit) keepFirstHello(v uint16, sh *wire.ServerHello) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.firstHello == nil {
		a.firstHello = map[uint16]*wire.ServerHello{}
	}
	if a.firstHello[v] == nil {
		a.firstHello[v] = sh
	}
}

// enumChunked enumerates base in chunks of 64 suites, for servers that
// refuse long ClientHellos, then orders what was found.
func (a *audit) enumChunked(ctx context.Context, base []uint16, pick pickFunc, oc *orderCheck) selection {
	var found []uint16
	for chunk := range slices.Chunk(base, 64) {
		s := repeatedSelection(ctx, chunk, pick, registry.SuiteName)
		found = append(found, s.accepted...)
		if s.err != nil && len(s.accepted) == 0 && (isDialOrCtx(s.err) || len(found) == 0) {
			// Dead, or failing even with a short hello (silent, broken):
			// the length was not the problem; do not pay for every chunk.
			return s
		}
	}
	if len(found) == 0 {
		return selection{err: errors.New("no suite accepted, even in short ClientHellos")}
	}
	sortByBase(found, base)
	return repeatedSelectionWith(ctx, found, pick, registry.SuiteName, oc)
}

func isDialOrCtx(err error) bool {
	var de *DialError
	return errors.As(err, &de) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// learnTLS records what a TLS <= 1.2 server flight tells beyond the suite:
// the chain, DH parameters, and the key exchange of the suite.
func (a *audit) learnTLS(v uint16, f *wire.Flight) *obs.KeyExchange {
	k, _ := a.learnTLSKx(v, f)
	return k
}

// learnTLSKx is learnTLS, also returning the parsed ServerKeyExchange (nil
// when none was sent or read).
func (a *audit) learnTLSKx(v uint16, f *wire.Flight) (*obs.KeyExchange, *wire.ServerKeyExchange) {
	sh := f.ServerHello
	suite, _ := registry.SuiteByID(sh.CipherSuite)
	if f.Certificate != nil {
		a.addChain(v, keyTypeOf(suite), f.Certificate.Certificates, f.CertificateStatus, sh.SCTList)
	}
	var k *obs.KeyExchange
	var parsed *wire.ServerKeyExchange
	group := ""
	if kxName := skeKind(suite); kxName != "" && f.ServerKeyExchange != nil {
		ske, err := wire.ParseServerKeyExchange(f.ServerKeyExchange, kxName, v)
		if err != nil {
			a.probeError("key_exchange", fmt.Errorf("%s %s: %w", registry.Version(v).String(), suite.Name, err))
		} else {
			parsed = ske
			switch {
			case len(ske.P) > 0:
				a.addDH(v, sh.CipherSuite, ske.P, ske.G)
				k = &obs.KeyExchange{Kind: "DHE", Bits: new(big.Int).SetBytes(ske.P).BitLen()}
				if name, _, ok := registry.KnownPrime(new(big.Int).SetBytes(ske.P)); ok {
					k.Group = name
				}
			case ske.NamedCurve != 0:
				group = registry.GroupName(ske.NamedCurve)
				k = &obs.KeyExchange{Kind: "ECDHE", Group: group}
				if g, ok := registry.GroupByID(ske.NamedCurve); ok {
					k.Bits = g.Bits
				}
			case kxName == "RSA":
				k = &obs.KeyExchange{Kind: "RSA_EXPORT"}
			}
		}
	} else if suite.Kx == "RSA" {
		k = &obs.KeyExchange{Kind: "RSA"}
	}
	a.noteHandshake(v, sh, group, nil)
	return k, parsed
}

// skeKind names the ServerKeyExchange format of a suite for wire's parser,
// or "" when the suite sends none we read.
func skeKind(s registry.Suite) string {
	switch {
	case s.Anonymous && (s.Kx == "DH" || s.Kx == "DHE"):
		return "DH_anon"
	case s.Anonymous && (s.Kx == "ECDH" || s.Kx == "ECDHE"):
		return "ECDH_anon"
	case s.Kx == "DHE":
		return "DHE"
	case s.Kx == "ECDHE":
		return "ECDHE"
	case s.Kx == "RSA" && s.Export:
		return "RSA"
	}
	return ""
}

// tlsFirstByte reports a reader that gave up after one byte (a drip, or a
// close) that starts a TLS record: the start of a TLS answer, not another
// protocol.
func tlsFirstByte(err error) bool {
	var nt *wire.NotTLSError
	return errors.As(err, &nt) && len(nt.Prefix) == 1 && nt.Prefix[0] >= wire.RecordChangeCipherSpec && nt.Prefix[0] <= wire.RecordHeartbeat
}

// enumSSLv2 sends one SSLv2 CLIENT-HELLO offering every SSLv2 cipher kind;
// an SSLv2 server answers with the kinds it shares, all in one connection.
func (a *audit) enumSSLv2(ctx context.Context) *obs.Protocol {
	p := &obs.Protocol{Name: "SSLv2", Version: registry.VersionSSL2}
	var specs []uint32
	for _, s := range registry.SSLv2Suites() {
		specs = append(specs, s.ID24)
	}
	challenge := make([]byte, 16)
	rand.Read(challenge)
	c, err := a.ep.dial(ctx)
	if err != nil {
		a.answer(nil, err)
		p.Error = err.Error()
		return p
	}
	defer c.Close()
	if _, err := c.Write((&wire.SSLv2ClientHello{Version: registry.VersionSSL2, CipherSpecs: specs, Challenge: challenge}).Marshal()); err != nil {
		a.answer(nil, err)
		return p
	}
	sh, err := wire.ReadSSLv2ServerHello(c)
	if err != nil {
		// Modern servers close, reset or answer with a TLS alert: all mean no SSLv2.
		var ae *wire.AlertError
		var e2 *wire.SSLv2Error
		if errors.As(err, &ae) || errors.As(err, &e2) || isClosed(err) || errors.Is(err, wire.ErrTLSReply) || tlsFirstByte(err) {
			switch {
			case ae != nil:
				a.refused("alert " + ae.Name())
			case e2 != nil:
				a.refused("SSLv2 error")
			case isClosed(err):
				a.refused(refusedClosed)
			default:
				a.refused("TLS record to an SSLv2 hello")
			}
			return p
		}
		if isTimeout(err) {
			// Silence after an SSLv2 hello is a refusal by many servers; it
			// is not an error of the audit.
			return p
		}
		_, _, err = a.answer(nil, err)
		p.Error = err.Error()
		return p
	}
	a.answer(&wire.Flight{ServerHello: &wire.ServerHello{}}, nil)
	p.Supported = true
	for _, id := range sh.CipherSpecs {
		p.Suites = append(p.Suites, sslv2SuiteRecord(id))
	}
	if len(sh.CipherSpecs) == 0 {
		p.Error = "the server speaks SSLv2 but listed no cipher (CVE-2015-3197 behaviour)"
	}
	if len(sh.Certificate) > 0 {
		a.addChain(registry.VersionSSL2, "RSA", [][]byte{sh.Certificate}, nil, nil)
	}
	return p
}
