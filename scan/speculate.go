package scan

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
// The group and signature algorithm chains are speculated the same way
// (specDomain): their library model is OpenSSL's default preference, their
// one property their kind (curve, FFDHE group; ECDSA, RSA-PSS, ...), and
// the base-order model may assume a pick of a new kind too. Their chains
// run as often against client-order servers as against OpenSSL's order.
//
// The speculation depth grows like TCP slow start: by one for each answer
// the model predicted (doubling per round when all agree), up to the
// per-endpoint connection limit, and falls back to none when an assumed pick
// was wrong (cancelling what was in flight). A waste budget bounds the
// connections an unpredictable server can cost: wasteSpare, plus one per
// wasteRatio answers speculation provided.

// speculator wraps the pickFunc of one repeatedSelection chain. Its Pick has
// the pickFunc signature, so repeatedSelection is unchanged; Close must be
// called when the selection returns.
type speculator struct {
	pick     pickFunc
	maxDepth int
	base     []uint16
	index    []int16     // base index + 1 of each suite ID (0: not in base)
	info     []*itemInfo // by base index
	models   []*orderModel

	mu        sync.Mutex
	wg        sync.WaitGroup
	calls     map[string]*specCall // speculative offers in flight or answered, by key
	started   bool                 // the first (full) offer was made
	next      string               // key of the offer that continues the chain
	window    int                  // offers in flight per needed one: 1 = no speculation
	confirmed []bool               // suite properties (feature IDs) seen picked

	// Speculative offers made, those whose answer was used, and those
	// dropped unused: at most wasteSpare + used/wasteRatio are wasted.
	speculated, used, wasted int
	// waited: offers of the chain made when the chain asked for them.
	waited int

	// board, when set, shares the chain's picks with the chains of the
	// other versions (of TLS 1.0-1.2) and predicts from theirs; version
	// is the chain's. boardOK: no board prediction has missed yet. last
	// is the chain's latest pick (base index; -1 before the first).
	board   *orderBoard
	version uint16
	boardOK bool
	last    int
}

type specCall struct {
	offer       []uint16
	in          []bool // offer as base indexes (speculative offers)
	done        chan struct{}
	c           uint16
	refused     bool
	err         error
	cancel      context.CancelFunc
	speculative bool
	needed      atomic.Bool // the chain waits for this answer
}

// The waste budget: a chain may have wasteSpare speculative offers in flight
// from the start, and one more for every wasteRatio speculative answers
// used, less those wasted; so at most wasteSpare + used/wasteRatio are.
const (
	wasteSpare = 2
	wasteRatio = 2
)

// boardAhead: the board's predictions may have this many offers in flight
// even when the waste budget is spent (a board miss turns the board off
// for the chain, so it wastes that many at most).
const boardAhead = 3

// plausibleMax bounds the picks new in one respect a speculation assumes.
const plausibleMax = 3

// newSpeculator wraps pick for a suite chain over base (in offer order).
// maxDepth bounds the offers in flight at once (the per-endpoint connection
// limit).
func newSpeculator(base []uint16, pick pickFunc, maxDepth int) *speculator {
	return newSpeculatorIn(suiteDomain(), base, pick, maxDepth)
}

// newSpeculatorIn wraps pick for a chain over base, whose items d describes.
func newSpeculatorIn(d *specDomain, base []uint16, pick pickFunc, maxDepth int) *speculator {
	s := &speculator{
		pick:      pick,
		maxDepth:  max(maxDepth, 1),
		base:      base,
		index:     make([]int16, 1<<16),
		info:      make([]*itemInfo, len(base)),
		calls:     map[string]*specCall{},
		window:    1,
		confirmed: make([]bool, len(d.ids)),
		boardOK:   true,
		last:      -1,
	}
	rank := make([]int, len(base))
	basePos := make([]int, len(base))
	for i, id := range base {
		s.index[id] = int16(i + 1)
		s.info[i] = d.info(id)
		basePos[i] = i
		rank[i] = len(d.pos) + i // unknown to the library: after, in base order
		if r, ok := d.pos[id]; ok {
			rank[i] = r
		}
	}
	s.models = []*orderModel{newOrderModel(rank, true, len(d.ids)), newOrderModel(basePos, d.plausibleInBase, len(d.ids))}
	return s
}

// key identifies an offer: the set of base indexes in when the offer lists
// them in base order (as the chain's offers do), else the list itself.
func (s *speculator) key(offer []uint16, in []bool) string {
	ordered := in != nil
	for j := 1; ordered && j < len(offer); j++ {
		ordered = s.index[offer[j-1]] < s.index[offer[j]]
	}
	if !ordered {
		b := make([]byte, 1, 1+2*len(offer))
		for _, id := range offer {
			b = append(b, byte(id>>8), byte(id))
		}
		return string(b)
	}
	b := make([]byte, 1+(len(in)+7)/8)
	b[0] = 1
	for i, x := range in {
		if x {
			b[1+i/8] |= 1 << (i % 8)
		}
	}
	return string(b)
}

// Pick answers offer, from a speculative connection's answer when one was
// made for exactly this offer, and starts the speculative offers that
// continue the chain.
func (s *speculator) Pick(ctx context.Context, offer []uint16) (uint16, bool, error) {
	s.mu.Lock()
	in, inBase := s.members(offer)
	if !inBase {
		in = nil
	}
	key := s.key(offer, in)
	chained := !s.started || key == s.next
	s.started = true
	s.next = ""
	if in == nil {
		s.cancelAll()
	} else {
		s.prune(in, len(offer))
	}
	call := s.calls[key]
	if call == nil {
		call = s.start(ctx, offer, nil)
		s.waited++
	} else {
		s.used++
		call.needed.Store(true) // its connection now waits at the chain's priority
	}
	delete(s.calls, key)
	step := chained && inBase // an offer of the chain, not the order check
	want, wantKind, fromBoard, predicted := -1, predNone, false, false
	if step {
		want, wantKind, fromBoard, predicted = s.predict(in, s.last, s.confirmed, s.boardOK)
		if predicted {
			s.speculate(ctx, in)
		}
	}
	s.mu.Unlock()

	<-call.done
	c, refused, err := call.c, call.refused, call.err

	s.mu.Lock()
	defer s.mu.Unlock()
	ci, cOK := int(s.index[c])-1, s.index[c] != 0
	if !step || err != nil || !refused && !cOK {
		s.window = 1
		s.cancelAll()
		return c, refused, err
	}
	if refused {
		s.board.end(s.version)
	} else {
		s.board.record(s.version, c)
	}
	hit := refused && wantKind == predNone || !refused && wantKind != predNone && ci == want
	switch {
	case !predicted:
		s.window = 1
		s.cancelAll()
	case hit:
		s.window = min(s.window+1, s.maxDepth)
	case fromBoard:
		// Another version's order is not this one's.
		s.boardOK = false
		s.window = 1
		s.cancelAll()
	case wantKind == predCertain || wantKind == predPlausible:
		// The speculation went wrong: what is in flight assumed the
		// predicted pick, which the model now presumes refused.
		s.window = 1
		s.cancelAll()
	}
	if refused {
		s.cancelAll() // the end of the chain
		return c, refused, err
	}
	for _, f := range s.info[ci].features {
		s.confirmed[f.id] = true
	}
	for _, m := range s.models {
		m.observe(in, ci, s.confirmed, s.info)
	}
	in[ci] = false
	s.last = ci
	s.next = s.key(without(offer, c), in)
	return c, refused, err
}

// predict names the pick expected from the offer in after the chain's
// pick last (a base index, -1 before the first): from the first order
// model every pick so far agrees with or, when none does (the server's
// own order, neither OpenSSL's nor the client's), from the board while
// useBoard and it tells (fromBoard). predicted is false when neither
// tells.
func (s *speculator) predict(in []bool, last int, conf []bool, useBoard bool) (want int, kind predKind, fromBoard, predicted bool) {
	m := s.model()
	if m == nil && useBoard && last >= 0 && s.board != nil {
		id, known := s.board.next(s.version, s.base[last], func(id uint16) (bool, bool) {
			i := s.index[id]
			return i != 0, i != 0 && in[i-1]
		})
		if known {
			if id == 0 {
				return -1, predNone, true, true
			}
			return int(s.index[id]) - 1, predCertain, true, true
		}
	}
	if m != nil {
		want, kind = m.predict(in, conf, s.info)
		return want, kind, false, true
	}
	return -1, predNone, false, false
}

// selectSpeculating is repeatedSelectionWith over base whose offers are
// speculated (see speculator), for items d describes.
func selectSpeculating(ctx context.Context, d *specDomain, depth int, base []uint16, pick pickFunc, name func(uint16) string, oc *orderCheck) selection {
	sp := newSpeculatorIn(d, base, pick, depth)
	defer sp.Close()
	return repeatedSelectionWith(ctx, base, sp.Pick, name, oc)
}

// selectItemsSpeculating is selectSpeculating for a caller that keeps the
// accepted items only, not whether the server has an order of its own:
// it makes no order check (see selectChain).
func selectItemsSpeculating(ctx context.Context, d *specDomain, depth int, base []uint16, pick pickFunc, name func(uint16) string) selection {
	sp := newSpeculatorIn(d, base, pick, depth)
	defer sp.Close()
	return selectChain(ctx, base, sp.Pick, name, nil, false)
}

// Close cancels the speculative offers still in flight and waits for them.
func (s *speculator) Close() {
	s.mu.Lock()
	s.cancelAll()
	s.mu.Unlock()
	s.wg.Wait()
}

// members returns offer as a set of base indexes, and whether every suite
// of it is in base.
func (s *speculator) members(offer []uint16) ([]bool, bool) {
	in := make([]bool, len(s.base))
	all := true
	for _, id := range offer {
		if i := s.index[id]; i != 0 {
			in[i-1] = true
		} else {
			all = false
		}
	}
	return in, all
}

// cancelAll cancels every speculative offer; s.mu must be held.
func (s *speculator) cancelAll() {
	for k, c := range s.calls {
		c.cancel()
		delete(s.calls, k)
		s.wasted++
	}
}

// start makes one offer on its own connection: a speculative one when in
// (the offer as base indexes) is set; s.mu must be held.
func (s *speculator) start(ctx context.Context, offer []uint16, in []bool) *specCall {
	cctx, cancel := context.WithCancel(ctx)
	call := &specCall{offer: offer, in: in, done: make(chan struct{}), cancel: cancel, speculative: in != nil}
	if call.speculative {
		// A slot waits for it only when nothing else needs one, until
		// the chain needs its answer.
		chain := priorityOf(ctx)
		cctx = withPriorityFunc(cctx, func() int {
			if call.needed.Load() {
				return chain()
			}
			return prioritySpeculative
		})
	}
	if call.speculative {
		s.speculated++
		s.calls[s.key(offer, in)] = call
	}
	s.wg.Go(func() {
		defer cancel()
		call.c, call.refused, call.err = s.pick(cctx, offer)
		close(call.done)
	})
	return call
}

// prune cancels the offers that can no longer be needed: the chain's
// offers only shrink, so one that is not a subset of the offer in (of n
// suites) never comes.
func (s *speculator) prune(in []bool, n int) {
	for k, c := range s.calls {
		keep := len(c.offer) <= n
		for i, x := range c.in {
			keep = keep && (!x || in[i])
		}
		if !keep {
			c.cancel()
			delete(s.calls, k)
			s.wasted++
		}
	}
}

// speculate starts the offers that continue the chain from the offer in
// under the predictions (see predict), up to the window (beyond it for
// the board's: a pick proven at another version); s.mu must be held.
func (s *speculator) speculate(ctx context.Context, in []bool) {
	budget := 1 + wasteSpare + s.used/wasteRatio - s.wasted
	limit := min(s.window, s.maxDepth, budget)
	conf := slices.Clone(s.confirmed)
	cur := slices.Clone(in)
	last := s.last
	inFlight, plausible := len(s.calls), 0
	for depth := 1; ; depth++ {
		q, kind, fromBoard, ok := s.predict(cur, last, conf, s.boardOK)
		if !ok || kind != predCertain && kind != predPlausible {
			return
		}
		if l := min(s.maxDepth, max(budget, boardAhead+1)); fromBoard && limit < l {
			limit = l
		}
		if depth >= limit || inFlight >= limit-1 {
			return
		}
		cur[q] = false
		last = q
		var offer []uint16
		for i, id := range s.base {
			if cur[i] {
				offer = append(offer, id)
			}
		}
		if len(offer) == 0 {
			return
		}
		for _, f := range s.info[q].features {
			conf[f.id] = true
		}
		if s.calls[s.key(offer, cur)] == nil {
			s.start(ctx, offer, slices.Clone(cur))
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

func without(offer []uint16, x uint16) []uint16 {
	return slices.DeleteFunc(slices.Clone(offer), func(id uint16) bool { return id == x })
}

// orderModel predicts picks by one preference order. Suites are base
// indexes.
type orderModel struct {
	pos        []int // position in the order: lower is preferred
	order      []int // suites by position
	plausible  bool  // a pick new in one respect may be assumed
	consistent bool  // every pick so far agrees with the order
	lastPos    int
	skipped    []bool // suites ranked above a pick: refused
	skippedF   []bool // properties presumed refused (unless confirmed)
}

func newOrderModel(pos []int, plausible bool, nFeatures int) *orderModel {
	order := make([]int, len(pos))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return pos[a] - pos[b] })
	return &orderModel{pos: pos, order: order, plausible: plausible, consistent: true, lastPos: -1,
		skipped: make([]bool, len(pos)), skippedF: make([]bool, nFeatures)}
}

type predKind int

const (
	predNone      predKind = iota // every suite left is presumed refused
	predCertain                   // every property of the suite was seen picked
	predPlausible                 // new in one respect only
	predUncertain                 // a guess, never assumed
)

// predict names the suite the server is expected to pick from the offer in.
func (m *orderModel) predict(in, conf []bool, info []*itemInfo) (int, predKind) {
	for _, i := range m.order {
		if !in[i] || m.dead(i, conf, info) {
			continue
		}
		var newDims [numDims]bool
		n := 0
		for _, f := range info[i].features {
			if !conf[f.id] && !newDims[f.dim] {
				newDims[f.dim] = true
				n++
			}
		}
		switch {
		case !info[i].known:
			// Not even OpenSSL has it: whether a server implements it is
			// anybody's guess, however common its properties.
			return i, predUncertain
		case n == 0:
			return i, predCertain
		case n == 1 && m.plausible && !info[i].rare:
			return i, predPlausible
		}
		return i, predUncertain
	}
	return -1, predNone
}

// dead reports whether suite i is presumed refused.
func (m *orderModel) dead(i int, conf []bool, info []*itemInfo) bool {
	if m.skipped[i] {
		return true
	}
	seen := true
	for _, f := range info[i].features {
		if m.skippedF[f.id] && !conf[f.id] {
			return true
		}
		seen = seen && conf[f.id]
	}
	// A rare kind is presumed refused until one of its kind was picked.
	return !seen && info[i].rare
}

// observe records that c was picked from the offer in: the suites ranked
// above it were refused, and the properties that explain it.
func (m *orderModel) observe(in []bool, c int, conf []bool, info []*itemInfo) {
	p := m.pos[c]
	if p < m.lastPos {
		m.consistent = false
	}
	m.lastPos = p
	for _, i := range m.order {
		if m.pos[i] >= p {
			break
		}
		if !in[i] {
			continue
		}
		explained := m.dead(i, conf, info)
		m.skipped[i] = true
		if explained {
			continue
		}
		for _, f := range info[i].features {
			if !conf[f.id] {
				m.skippedF[f.id] = true
			}
		}
	}
}

// itemInfo is what the models know of an item (suite, group, signature
// algorithm).
type itemInfo struct {
	features []feature
	rare     bool // presumed refused until one of its kind was picked
	known    bool // in the library order of its domain
}

// feature is one property of an item; dim groups the properties of one
// respect.
type feature struct {
	id  int
	dim int
}

const (
	dimKx = iota // suites: key exchange and authentication; groups and signature algorithms: their kind
	dimCipher
	dimMAC
	numDims
)

// specDomain is what the order models know of one kind of item: the
// properties of each, and a common implementation's default preference
// order (the library model's).
type specDomain struct {
	pos   map[uint16]int // position in the library order
	ids   map[string]int // feature IDs by name
	items map[uint16]*itemInfo
	// unknown describes the items the domain does not have.
	unknown *itemInfo
	// plausibleInBase: the base-order model may assume a pick new in one
	// respect (see predPlausible).
	plausibleInBase bool
}

func newSpecDomain(order []uint16) *specDomain {
	d := &specDomain{pos: make(map[uint16]int, len(order)), ids: map[string]int{}, items: map[uint16]*itemInfo{}}
	for i, id := range order {
		d.pos[id] = i
	}
	return d
}

// add describes item id (rare, with the named properties); known is
// whether the library order has it.
func (d *specDomain) add(id uint16, rare bool, names ...featureName) *itemInfo {
	in := &itemInfo{rare: rare}
	_, in.known = d.pos[id]
	for _, n := range names {
		fid, ok := d.ids[n.name]
		if !ok {
			fid = len(d.ids)
			d.ids[n.name] = fid
		}
		in.features = append(in.features, feature{fid, n.dim})
	}
	d.items[id] = in
	return in
}

type featureName struct {
	name string
	dim  int
}

func (d *specDomain) info(id uint16) *itemInfo {
	if in, ok := d.items[id]; ok {
		return in
	}
	return d.unknown
}

// suiteDomain: cipher suites, in the installed OpenSSL's order.
var suiteDomain = sync.OnceValue(func() *specDomain {
	d := newSpecDomain(opensslOrder[:])
	for _, s := range registry.Suites() {
		d.add(s.ID, rareSuite(s), suiteFeatures(s)...)
	}
	unknown := registry.Suite{Kx: "?", Auth: "?", Cipher: "?", MAC: "?"}
	d.unknown = d.add(unknownItem, rareSuite(unknown), suiteFeatures(unknown)...)
	delete(d.items, unknownItem)
	return d
})

// unknownItem stands for items the registry does not have (it has no
// suite, group or signature algorithm 0xFFFF).
const unknownItem = 0xFFFF

// suiteFeatures names a suite's properties.
func suiteFeatures(s registry.Suite) []featureName {
	var family []string
	for _, part := range strings.Split(s.Cipher, "_") {
		if strings.Trim(part, "0123456789") != "" {
			family = append(family, part)
		}
	}
	names := []featureName{
		{"kx:" + s.Kx + "/" + s.Auth, dimKx},
		{"au:" + s.Auth, dimKx},
		{"enc:" + s.Cipher, dimCipher},
		{"encfamily:" + strings.Join(family, "_"), dimCipher},
		{"mac:" + s.MAC, dimMAC},
	}
	if s.Export {
		names = append(names, featureName{"export", dimCipher})
	}
	return names
}

// opensslGroups is OpenSSL 3.0's default group preference
// (supported_groups_default in ssl/t1_lib.c). Other groups, the hybrids
// included, are rare: a chain's last offers are often a hybrid away from
// the end, and assuming one would be picked costs a connection each.
var opensslGroups = []uint16{0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}

// groupDomain: groups (TLS 1.2 curves and FFDHE groups, TLS 1.3 groups),
// whose one property is their kind (Weierstrass curve, x25519/x448, FFDHE,
// hybrid, ML-KEM). Groups no common library enables by default (binary
// curves, brainpool, ...) are rare.
var groupDomain = sync.OnceValue(func() *specDomain {
	d := newSpecDomain(opensslGroups)
	d.plausibleInBase = true
	for _, g := range registry.Groups() {
		_, known := d.pos[g.ID]
		d.add(g.ID, !known, featureName{"kind:" + g.Kind, dimKx})
	}
	d.unknown = d.add(unknownItem, true, featureName{"kind:?", dimKx})
	delete(d.items, unknownItem)
	return d
})

// opensslSigAlgs is OpenSSL 3.0's default signature algorithm preference
// (tls12_sigalgs in ssl/t1_lib.c).
var opensslSigAlgs = []uint16{0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806,
	0x0401, 0x0501, 0x0601, 0x0303, 0x0203, 0x0301, 0x0201, 0x0302, 0x0202, 0x0402, 0x0502, 0x0602}

// sigAlgDomain: signature algorithms, whose one property is the signature
// kind (ECDSA, RSA PKCS#1, RSA-PSS, EdDSA, ...). DSA, MD5, GOST, SM2 and
// the other schemes rarely enabled are rare.
var sigAlgDomain = sync.OnceValue(func() *specDomain {
	d := newSpecDomain(opensslSigAlgs)
	d.plausibleInBase = true
	for _, sa := range registry.SigAlgs() {
		rare := sa.Hash == "md5"
		switch sa.Sig {
		case "rsa_pkcs1", "rsa_pss_rsae", "rsa_pss_pss", "ecdsa", "ed25519", "ed448":
		default:
			rare = true
		}
		d.add(sa.ID, rare, featureName{"sig:" + sa.Sig, dimKx})
	}
	d.unknown = d.add(unknownItem, true, featureName{"sig:?", dimKx})
	delete(d.items, unknownItem)
	return d
})

// rareSuite: kinds a server rarely enables, presumed refused before one of
// their kind was picked.
func rareSuite(s registry.Suite) bool {
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
