package scan

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

//go:generate go run ./internal/opensslorder/gen

// Speculative repeated selection.
//
// repeatedSelection is a chain of strictly sequential connections: the offer
// R(i+1) is R(i) minus the suite the server chose from R(i). A server that
// follows a known order can be overtaken: while the answer to R(i) is on its
// way, the offers R(i) minus {q1}, R(i) minus {q1, q2}, ... for predicted
// next picks q1, q2, ... go out in parallel. Every offer lists its suites in
// base order, so the server's answer is a function of the offered list, and
// an answer is used only for exactly the list it was given: the result (the
// accepted suites and their order) is the sequential algorithm's, whatever
// the predictions. A wrong prediction only costs the connections made for
// lists that are never needed (and those still in flight are cancelled as
// soon as they cannot be needed any more).
//
// The predictions: an OpenSSL-based server with a cipher string such as ALL,
// HIGH or DEFAULT picks in OpenSSL's own order (opensslOrder, generated from
// the installed openssl), a client-order server in the base order. A model
// is used while every pick so far agrees with its order. Evidence narrows
// it: when p is picked from an offer, every suite of the offer the model
// ranks above p was refused, and so, presumably, is every suite sharing the
// property that explains the refusal (an ECDSA or DSS authentication, a PSK
// key exchange, a cipher family, a MAC) as long as no suite with that
// property has been picked. A predicted pick is assumed (offers are made as
// if it were picked) only when every property of it has been seen picked;
// the OpenSSL model also assumes up to plausibleMax picks new in a single
// respect (a first CAMELLIA suite, say). Rare kinds (DSS, PSK, SRP, static
// DH, NULL, export) are presumed refused until one has been picked, and a
// suite the installed OpenSSL does not have is never assumed.
//
// The speculation depth grows like TCP slow start: by one for each answer
// the model predicted (doubling per round when all agree), up to the
// per-endpoint connection limit, and falls back to none when an assumed pick
// was wrong (cancelling what was in flight). A waste budget bounds the
// connections an unpredictable server can cost: wasteSpare, plus one per
// wasteRatio answers speculation provided.

// speculator wraps the pickFunc of one repeatedSelection chain. Its pick has
// the pickFunc signature, so repeatedSelection is unchanged; Close must be
// called when the selection returns.
type speculator struct {
	pick         pickFunc
	maxDepth     int
	models       []*orderModel
	plausibleMax int

	mu        sync.Mutex
	wg        sync.WaitGroup
	calls     map[string]*specCall // offers in flight or answered, by offerKey
	started   bool                 // the first (full) offer was made
	next      string               // offerKey of the offer that continues the chain
	window    int                  // offers in flight per needed one: 1 = no speculation
	confirmed map[string]bool      // suite properties seen picked

	// Speculative offers made, those whose answer was used, and those
	// dropped unused: at most wasteSpare + used/wasteRatio are wasted.
	speculated, used, wasted int
}

type specCall struct {
	offer       []uint16
	done        chan struct{}
	c           uint16
	refused     bool
	err         error
	cancel      context.CancelFunc
	speculative bool
}

// The waste budget: a chain may have wasteSpare speculative offers in flight
// from the start, and one more for every wasteRatio speculative answers
// used, less those wasted; so at most wasteSpare + used/wasteRatio are.
const (
	wasteSpare = 2
	wasteRatio = 2
)

// plausibleMax bounds the picks new in one respect a speculation assumes.
const plausibleMax = 3

// newSpeculator wraps pick for a chain over base (in offer order). maxDepth
// bounds the offers in flight at once (the per-endpoint connection limit).
func newSpeculator(base []uint16, pick pickFunc, maxDepth int) *speculator {
	basePos := make(map[uint16]int, len(base))
	for i, id := range base {
		basePos[id] = i
	}
	rank := func(id uint16) int {
		if r, ok := opensslPos[id]; ok {
			return r
		}
		return len(opensslPos) + basePos[id]
	}
	return &speculator{
		pick:     pick,
		maxDepth: max(maxDepth, 1),
		models: []*orderModel{
			newOrderModel(rank, true),
			newOrderModel(func(id uint16) int { return basePos[id] }, false),
		},
		calls:     map[string]*specCall{},
		window:    1,
		confirmed: map[string]bool{},
	}
}

var opensslPos = func() map[uint16]int {
	m := make(map[uint16]int, len(opensslOrder))
	for i, id := range opensslOrder {
		m[id] = i
	}
	return m
}()

func offerKey(offer []uint16) string {
	var b strings.Builder
	for _, id := range offer {
		b.WriteByte(byte(id >> 8))
		b.WriteByte(byte(id))
	}
	return b.String()
}

// Pick answers offer, from a speculative connection's answer when one was
// made for exactly this offer, and starts the speculative offers that
// continue the chain.
func (s *speculator) Pick(ctx context.Context, offer []uint16) (uint16, bool, error) {
	key := offerKey(offer)
	s.mu.Lock()
	chained := !s.started || key == s.next
	s.started = true
	s.next = ""
	s.prune(offer)
	call := s.calls[key]
	if call == nil {
		call = s.start(ctx, offer, false)
	} else if call.speculative {
		s.used++
	}
	delete(s.calls, key)
	var m *orderModel
	var want uint16
	var wantKind predKind
	if chained {
		m = s.model()
	}
	if m != nil {
		want, wantKind = m.predict(offer, s.confirmed)
		s.speculate(ctx, m, offer)
	}
	s.mu.Unlock()

	<-call.done
	c, refused, err := call.c, call.refused, call.err

	s.mu.Lock()
	defer s.mu.Unlock()
	if !chained || err != nil {
		s.window = 1
		return c, refused, err
	}
	hit := m != nil && (refused && wantKind == predNone || !refused && wantKind != predNone && c == want)
	switch {
	case hit:
		s.window = min(s.window+1, s.maxDepth)
	case wantKind == predCertain || wantKind == predPlausible:
		// The speculation went wrong: what is in flight assumed the
		// predicted pick, which the model now presumes refused.
		s.window = 1
		s.cancelAll()
	}
	if refused {
		s.cancelAll() // the end of the chain
	} else {
		s.observe(offer, c)
		s.next = offerKey(without(offer, c))
	}
	return c, refused, err
}

// Close cancels the speculative offers still in flight and waits for them.
func (s *speculator) Close() {
	s.mu.Lock()
	s.cancelAll()
	s.mu.Unlock()
	s.wg.Wait()
}

// cancelAll cancels every speculative offer; s.mu must be held.
func (s *speculator) cancelAll() {
	for k, c := range s.calls {
		c.cancel()
		delete(s.calls, k)
		s.wasted++
	}
}

// start makes one offer on its own connection; s.mu must be held.
func (s *speculator) start(ctx context.Context, offer []uint16, speculative bool) *specCall {
	cctx, cancel := context.WithCancel(ctx)
	call := &specCall{offer: offer, done: make(chan struct{}), cancel: cancel, speculative: speculative}
	if speculative {
		s.speculated++
	}
	s.calls[offerKey(offer)] = call
	s.wg.Go(func() {
		defer cancel()
		call.c, call.refused, call.err = s.pick(cctx, offer)
		close(call.done)
	})
	return call
}

// prune cancels the offers that can no longer be needed: the chain's
// offers only shrink, so one that is not a subset of offer never comes.
func (s *speculator) prune(offer []uint16) {
	in := make(map[uint16]bool, len(offer))
	for _, id := range offer {
		in[id] = true
	}
	for k, c := range s.calls {
		keep := len(c.offer) <= len(offer)
		for _, id := range c.offer {
			keep = keep && in[id]
		}
		if !keep {
			c.cancel()
			delete(s.calls, k)
			s.wasted++
		}
	}
}

// speculate starts the offers that continue the chain from offer under the
// model's predictions, up to the window; s.mu must be held.
func (s *speculator) speculate(ctx context.Context, m *orderModel, offer []uint16) {
	inFlight := len(s.calls)
	conf := maps.Clone(s.confirmed)
	cur := offer
	plausible := 0
	limit := min(s.maxDepth-1, wasteSpare+s.used/wasteRatio-s.wasted)
	for depth := 1; depth < s.window && inFlight < limit; depth++ {
		q, kind := m.predict(cur, conf)
		if kind != predCertain && kind != predPlausible {
			return
		}
		cur = without(cur, q)
		if len(cur) == 0 {
			return
		}
		for _, f := range suiteFeatures(q) {
			conf[f.name] = true
		}
		if s.calls[offerKey(cur)] == nil {
			s.start(ctx, cur, true)
			inFlight++
		}
		if kind == predPlausible {
			if plausible++; plausible >= plausibleMax {
				return
			}
		}
	}
}

// model returns the first order model every pick so far agrees with.
func (s *speculator) model() *orderModel {
	for _, m := range s.models {
		if m.consistent {
			return m
		}
	}
	return nil
}

// observe records that c was picked from offer.
func (s *speculator) observe(offer []uint16, c uint16) {
	for _, f := range suiteFeatures(c) {
		s.confirmed[f.name] = true
	}
	for _, m := range s.models {
		m.observe(offer, c, s.confirmed)
	}
}

func without(offer []uint16, x uint16) []uint16 {
	out := make([]uint16, 0, len(offer))
	for _, id := range offer {
		if id != x {
			out = append(out, id)
		}
	}
	return out
}

// orderModel predicts picks by one preference order.
type orderModel struct {
	pos        func(uint16) int // position in the order: lower is preferred
	plausible  bool             // a pick new in one respect may be assumed
	consistent bool             // every pick so far agrees with the order
	lastPos    int
	skipped    map[uint16]bool // suites ranked above a pick: refused
	skippedF   map[string]bool // properties presumed refused (unless confirmed)
}

func newOrderModel(pos func(uint16) int, plausible bool) *orderModel {
	return &orderModel{pos: pos, plausible: plausible, consistent: true, lastPos: -1,
		skipped: map[uint16]bool{}, skippedF: map[string]bool{}}
}

type predKind int

const (
	predNone      predKind = iota // every suite left is presumed refused
	predCertain                   // every property of the suite was seen picked
	predPlausible                 // new in one respect only
	predUncertain                 // a guess, never assumed
)

// predict names the suite the server is expected to pick from offer.
func (m *orderModel) predict(offer []uint16, conf map[string]bool) (uint16, predKind) {
	best, bestPos := uint16(0), -1
	for _, id := range offer {
		if p := m.pos(id); (bestPos < 0 || p < bestPos) && !m.dead(id, conf) {
			best, bestPos = id, p
		}
	}
	if bestPos < 0 {
		return 0, predNone
	}
	newDims := map[int]bool{}
	for _, f := range suiteFeatures(best) {
		if !conf[f.name] {
			newDims[f.dim] = true
		}
	}
	_, known := opensslPos[best]
	switch {
	case !known:
		// Not even OpenSSL has it: whether a server implements it is
		// anybody's guess, however common its properties.
		return best, predUncertain
	case len(newDims) == 0:
		return best, predCertain
	case len(newDims) == 1 && m.plausible && !rareSuite(best):
		return best, predPlausible
	}
	return best, predUncertain
}

// dead reports whether id is presumed refused.
func (m *orderModel) dead(id uint16, conf map[string]bool) bool {
	if m.skipped[id] {
		return true
	}
	seen := true
	for _, f := range suiteFeatures(id) {
		if m.skippedF[f.name] && !conf[f.name] {
			return true
		}
		seen = seen && conf[f.name]
	}
	// A rare kind is presumed refused until one of its kind was picked.
	return !seen && rareSuite(id)
}

// observe records that c was picked from offer: the suites ranked above it
// were refused, and the properties that explain it.
func (m *orderModel) observe(offer []uint16, c uint16, conf map[string]bool) {
	p := m.pos(c)
	if p < m.lastPos {
		m.consistent = false
	}
	m.lastPos = p
	above := slices.DeleteFunc(slices.Clone(offer), func(id uint16) bool { return m.pos(id) >= p })
	slices.SortFunc(above, func(a, b uint16) int { return m.pos(a) - m.pos(b) })
	for _, id := range above {
		explained := m.dead(id, conf)
		m.skipped[id] = true
		if explained {
			continue
		}
		for _, f := range suiteFeatures(id) {
			if !conf[f.name] {
				m.skippedF[f.name] = true
			}
		}
	}
}

// feature is one property of a suite; dim groups the properties of one
// respect (key exchange and authentication, cipher, MAC).
type feature struct {
	name string
	dim  int
}

var featureCache sync.Map // uint16 -> []feature

func suiteFeatures(id uint16) []feature {
	if fs, ok := featureCache.Load(id); ok {
		return fs.([]feature)
	}
	s, ok := registry.SuiteByID(id)
	if !ok {
		s = registry.Suite{Kx: "?", Auth: "?", Cipher: "?", MAC: "?"}
	}
	var family []string
	for _, part := range strings.Split(s.Cipher, "_") {
		if strings.Trim(part, "0123456789") != "" {
			family = append(family, part)
		}
	}
	fs := []feature{
		{"kx:" + s.Kx + "/" + s.Auth, 0},
		{"au:" + s.Auth, 0},
		{"enc:" + s.Cipher, 1},
		{"encfamily:" + strings.Join(family, "_"), 1},
		{"mac:" + s.MAC, 2},
	}
	if s.Export {
		fs = append(fs, feature{"export", 1})
	}
	featureCache.Store(id, fs)
	return fs
}

// rareSuite: kinds a server rarely enables, never assumed before one of
// their kind was picked.
func rareSuite(id uint16) bool {
	s, ok := registry.SuiteByID(id)
	if !ok {
		return true
	}
	if s.Auth == "DSS" {
		return true // DSA certificates are all but extinct
	}
	switch s.Kx {
	case "RSA", "DHE", "ECDHE":
	case "DH", "ECDH":
		if !s.Anonymous {
			return true // static (EC)DH: needs a DH certificate
		}
	default:
		return true // PSK, SRP, KRB5, GOST, ...
	}
	return s.Export || s.Cipher == "NULL"
}
