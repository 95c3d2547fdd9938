package scan

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tlsaudit/tlsaudit/scan/certcache"
	"github.com/tlsaudit/tlsaudit/scan/clientsim"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// protocolOrder is the order protocols appear in an observation.
var protocolOrder = []uint16{registry.VersionSSL2, registry.VersionSSL3, registry.VersionTLS10, registry.VersionTLS11, registry.VersionTLS12, registry.VersionTLS13}

// audit is the state of one target's scan. The fields above mu are set
// before the scan starts and only read after. Below it is what discovery's
// concurrent sequences (one per protocol, the group and signature algorithm
// sequences) learn: each writes under mu, and run reads it once they are
// over. Probes never see the audit: they get a probeEnv (which hands out
// each protocol's record once its enumeration is over) and return their
// results, which run stores into o under mu. gates, facts and orderChecks
// are made before the sequences start and synchronise themselves.
type audit struct {
	ep      *endpoint
	o       *obs.Observation
	clients []clientsim.Profile // extra client simulations
	probes  []string            // probes to run; nil: all
	// liveSims: replay every client simulation, derive none.
	liveSims bool
	http     HTTPOptions      // for the HTTP probes
	certs    *certcache.Cache // parses shared with the engine's checks; nil: none

	mu        sync.Mutex
	protocols map[uint16]*obs.Protocol
	chainKeys map[string]bool
	dhKeys    map[string]int
	// failures records why probes could not reach the server at all, to tell a
	// dead or non-TLS endpoint from one that accepts no protocol.
	failures []error
	// refusals counts how the server turned hellos down ("alert
	// handshake_failure", "closed the connection"), to explain an endpoint
	// that accepted nothing.
	refusals map[string]int
	hrrLoop  error // a TLS 1.3 HelloRetryRequest loop, see enumSigAlgsTLS13
	// badKeyShare: a TLS 1.3 server key share no handshake could use
	// (see probeError).
	badKeyShare error
	// handshakes are the full handshakes of the best protocol seen so far
	// (see noteHandshake); the observation keeps one of them.
	handshakes []notedHandshake
	// gates open when a protocol's first answer is in: the sequences that
	// depend on the protocol wait for them.
	gates map[uint16]*gate
	// facts: what the probes may read, published per protocol (see
	// probeEnv); made before the sequences start.
	probeFacts *facts
	// first13 is the server's answer to the first TLS 1.3 hello.
	first13 choice13
	// shares13: TLS 1.3 hellos carry real key shares (see try13).
	shares13 bool
	groups   obs.Groups
	sigalgs  obs.SignatureAlgorithms
	// orderChecks: per protocol, the suite order check, which a group or
	// signature algorithm connection of the same protocol may carry.
	orderChecks map[uint16]*orderCheck
	// firstHello: per protocol below TLS 1.3, the ServerHello answering the
	// first hello, which offered every suite (keepFirstHello).
	firstHello map[uint16]*wire.ServerHello
	// board: the suite chains of TLS 1.0-1.2 predict each other's picks
	// (see orderBoard); noBoard: they do not (for comparisons).
	board    *orderBoard
	noBoard  bool
	noDerive bool // no suiteAnswers (for comparisons)
	// suiteAnswers: the suite chains' answers, from which the group and
	// signature algorithm sequences take their first (see
	// suiteAnswerLog); nil: they do not.
	suiteAnswers *suiteAnswerLog
	// chainSteps counts, per protocol below TLS 1.3, the suite chain's
	// offers whose answer the chain waited for from the start (not
	// overtaken by speculation): its length in round trips of connections.
	chainSteps map[uint16]int
	// discoveredCh is closed when discovery's sequences are over,
	// discovered then holding what they proved (see waitDiscovered).
	discoveredCh chan struct{}
	discovered   *simFacts
	// probeDone: per probe of runProbes, closed once its result is in
	// probeResults (an observation of its own, made before the probes
	// start; o gets the results once they are all over).
	probeDone    map[string]chan struct{}
	probeResults map[string]*obs.Observation
}

// waitDiscovered waits for discovery's sequences to end and returns what
// they proved (nil when ctx ends first).
func (a *audit) waitDiscovered(ctx context.Context) *simFacts {
	select {
	case <-a.discoveredCh:
		return a.discovered
	case <-ctx.Done():
		return nil
	}
}

func (a *audit) run(ctx context.Context) {
	a.protocols = map[uint16]*obs.Protocol{}
	a.chainKeys = map[string]bool{}
	a.dhKeys = map[string]int{}
	a.discoveredCh = make(chan struct{})

	// Discovery: one sequence per protocol, plus the group and signature
	// algorithm sequences, which start as soon as the first answer of their
	// protocol shows it is supported.
	a.gates = map[uint16]*gate{}
	a.orderChecks = map[uint16]*orderCheck{}
	if !a.noBoard {
		a.board = newOrderBoard()
	}
	if !a.noDerive {
		a.suiteAnswers = newSuiteAnswerLog()
	}
	for _, v := range protocolOrder {
		a.gates[v] = newGate()
		a.orderChecks[v] = newOrderCheck()
	}
	a.probeFacts = newFacts(a.gates)
	discoveryStart := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	pctx := withPhase(gctx, "protocols")
	var protoWG sync.WaitGroup
	for _, v := range protocolOrder {
		protoWG.Add(1)
		g.Go(func() error {
			defer protoWG.Done()
			defer a.gates[v].open(false)
			var p *obs.Protocol
			switch v {
			case registry.VersionSSL2:
				p = a.enumSSLv2(pctx)
			case registry.VersionTLS13:
				p = a.enumTLS13(pctx)
			default:
				p = a.enumTLS(pctx, v)
			}
			a.mu.Lock()
			a.protocols[v] = p
			a.mu.Unlock()
			a.publish(v)
			return nil
		})
	}
	g.Go(func() error {
		gctx := withPhase(gctx, "groups")
		if a.gates[registry.VersionTLS12].wait(gctx) {
			a.enumGroupsTLS12(gctx, registry.VersionTLS12, allSuitesWith(registry.VersionTLS12, "ECDHE"))
			return nil
		}
		// No TLS 1.2: use the best older protocol once its suites are known.
		protoWG.Wait()
		if v, suites := a.bestTLS12(func(s registry.Suite) bool { return s.Kx == "ECDHE" && !s.Anonymous }); v != 0 {
			a.enumGroupsTLS12(gctx, v, suites)
		}
		return nil
	})
	g.Go(func() error {
		gctx := withPhase(gctx, "signature_algorithms")
		signing := func(s registry.Suite) bool { return (s.Kx == "ECDHE" || s.Kx == "DHE") && !s.Anonymous }
		if a.gates[registry.VersionTLS12].wait(gctx) {
			a.enumSigAlgsTLS12(gctx, append(allSuitesWith(registry.VersionTLS12, "ECDHE"), allSuitesWith(registry.VersionTLS12, "DHE")...))
			return nil
		}
		// The first TLS 1.2 hello failed (e.g. a server that needed short
		// hellos): use the suites found in the end.
		protoWG.Wait()
		if v, suites := a.bestTLS12(signing); v == registry.VersionTLS12 {
			a.enumSigAlgsTLS12(gctx, suites)
		}
		return nil
	})
	g.Go(func() error {
		gctx := withPhase(gctx, "signature_algorithms")
		if a.gates[registry.VersionTLS13].wait(gctx) {
			a.enumSigAlgsTLS13(gctx, protoWG.Wait)
		}
		return nil
	})
	// The probes (vulnerabilities, HTTP, ...) start as soon as a protocol
	// answered, beside discovery, which keeps the priority for connection
	// slots (see connLimit); each waits for the protocols it reads (see
	// probeEnv). When no first hello was answered they wait for the end of
	// the protocol enumeration, and run only if something was supported;
	// their results are kept on the same condition.
	allProtocols := make(chan struct{})
	go func() { protoWG.Wait(); close(allProtocols) }()
	answered := make(chan struct{})
	var answeredOnce sync.Once
	for _, v := range protocolOrder {
		go func() {
			if a.gates[v].wait(context.Background()) { // every gate opens when its protocol's sequence ends
				answeredOnce.Do(func() { close(answered) })
			}
		}()
	}
	probesDone := make(chan struct{})
	go func() {
		defer close(probesDone)
		select {
		case <-answered:
		case <-allProtocols:
			if !a.anySupported() {
				return
			}
		}
		var enabled func(string) bool
		if a.probes != nil {
			enabled = func(name string) bool { return slices.Contains(a.probes, name) }
		}
		a.runProbesOn(ctx, enabled, a.liveProbeEnv(), func() bool {
			<-allProtocols
			return a.anySupported()
		})
	}()
	g.Wait()
	a.notePhaseTime("discovery", time.Since(discoveryStart))
	a.discovered = a.simFacts()
	close(a.discoveredCh)
	<-probesDone

	o := a.o
	for _, v := range protocolOrder {
		o.Protocols = append(o.Protocols, *a.protocols[v])
	}
	if !a.anySupported() {
		// Nothing accepted: say why, from the failures (dead, not TLS,
		// silent, broken) or, when the server only refused, how it refused.
		o.Status, o.Error = a.failureStatus()
		return
	}
	o.Status = obs.StatusOK
	if a.hrrLoop != nil && a.onlyTLS13() {
		o.Status, o.Error = obs.StatusProtocolError, a.hrrLoop.Error()
	} else if p := a.brokenProtocol(); p != nil {
		// A protocol the server answered with broken TLS is not "not
		// supported": the record says so, and what the other protocols
		// showed is kept but judged by no grade.
		o.Status = obs.StatusProtocolError
		o.Error = fmt.Sprintf("broken TLS in the answer to a %s ClientHello: %s (other protocols answered; the target is not graded from them)", p.Name, p.Error)
	} else if err := a.keyShareFailure(); err != nil {
		// Suites and groups are read from ServerHellos alone; a key share
		// no handshake can use makes TLS 1.3 unusable all the same.
		o.Status = obs.StatusProtocolError
		o.Error = fmt.Sprintf("broken TLS in the answer to a TLSv1.3 ClientHello: %v (no TLS 1.3 handshake can complete; the target is not graded)", err)
		for i := range o.Protocols {
			if o.Protocols[i].Version == registry.VersionTLS13 && o.Protocols[i].Error == "" {
				o.Protocols[i].Error = err.Error()
			}
		}
	}

	if len(a.groups.TLS12) > 0 || len(a.groups.TLS13) > 0 {
		gr := a.groups
		o.Groups = &gr
	}
	if len(a.sigalgs.TLS12) > 0 || len(a.sigalgs.TLS13) > 0 || a.sigalgs.Error != "" {
		sa := a.sigalgs
		o.SignatureAlgorithms = &sa
	}
	o.Handshake = a.bestHandshake()
	sortCollected(o)
}

// sortCollected puts the chains and DH parameters an audit collected in an
// order of their own: concurrent sequences add them in any order, and the
// same server must give the same observation. Chains: newest protocol
// first, then by key type, then by their certificates' hash; DH
// parameters by size, then prime, each with the suites it was seen with
// sorted.
func sortCollected(o *obs.Observation) {
	sort.SliceStable(o.Chains, func(i, j int) bool {
		x, y := o.Chains[i], o.Chains[j]
		return cmp.Or(cmp.Compare(chainRank(x), chainRank(y)), strings.Compare(x.KeyType, y.KeyType), strings.Compare(chainKey(&x), chainKey(&y))) < 0
	})
	for i := range o.DH {
		slices.Sort(o.DH[i].SeenWith)
	}
	slices.SortStableFunc(o.DH, func(x, y obs.DHParams) int {
		return cmp.Or(cmp.Compare(x.Bits, y.Bits), strings.Compare(x.Prime, y.Prime), strings.Compare(x.Generator, y.Generator))
	})
}

func chainRank(c obs.Chain) int {
	for i, v := range protocolOrder {
		if registry.Version(v).String() == c.Protocol {
			return -i // newest protocol first
		}
	}
	return 0
}

// brokenProtocol returns the newest protocol that is not supported because
// its hello got broken TLS back (a malformed message, a size cap exceeded,
// an invalid key share), or nil. Refusals, timeouts and closed connections
// do not count.
func (a *audit) brokenProtocol() *obs.Protocol {
	a.mu.Lock()
	defer a.mu.Unlock()
	violations := map[string]bool{}
	for _, err := range a.failures {
		var de *wire.DecodeError
		if !isTimeout(err) && (errors.Is(err, wire.ErrLimit) || errors.As(err, &de)) {
			violations[err.Error()] = true
		}
	}
	for i := len(protocolOrder) - 1; i >= 0 && len(violations) > 0; i-- {
		if p := a.protocols[protocolOrder[i]]; p != nil && !p.Supported && p.Error != "" && violations[p.Error] {
			return p
		}
	}
	return nil
}

// keyShareFailure is the first invalid server key share a TLS 1.3
// handshake met, or nil.
func (a *audit) keyShareFailure() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.badKeyShare
}

func (a *audit) anySupported() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.anySupportedLocked()
}

func (a *audit) anySupportedLocked() bool {
	for _, p := range a.protocols {
		if p.Supported {
			return true
		}
	}
	return false
}

// failureStatus explains an endpoint that accepted no protocol: the first
// failure in order of precedence (dial error, not TLS, end of the audit,
// broken TLS, slow answer, silence),
// or, when every hello was merely refused, how the server refused.
func (a *audit) failureStatus() (obs.Status, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var dialErr *DialError
	for _, err := range a.failures {
		if errors.As(err, &dialErr) {
			return dialStatus(err), err.Error()
		}
	}
	// Of the non-TLS answers, the one with the most bytes seen names the
	// protocol best (an SSLv2 hello reads only two).
	var notTLS *wire.NotTLSError
	for _, err := range a.failures {
		var nt *wire.NotTLSError
		if errors.As(err, &nt) && (notTLS == nil || len(nt.Prefix) > len(notTLS.Prefix)) {
			notTLS = nt
		}
	}
	if notTLS != nil {
		return obs.StatusNotTLS, notTLS.Error()
	}
	for _, err := range a.failures {
		if errors.Is(err, context.Canceled) {
			return obs.StatusCanceled, err.Error()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return obs.StatusTimeout, err.Error()
		}
	}
	// A clear protocol violation says more than a timeout on another
	// connection.
	var broken []error
	texts := map[string]bool{}
	for _, err := range a.failures {
		if !isTimeout(err) {
			broken = append(broken, err)
			texts[err.Error()] = true
		}
	}
	if len(broken) > 0 {
		// The newest protocol's error names the hello that failed.
		for i := len(protocolOrder) - 1; i >= 0; i-- {
			if p := a.protocols[protocolOrder[i]]; p != nil && texts[p.Error] {
				return obs.StatusProtocolError, fmt.Sprintf("broken TLS in the answer to a %s ClientHello: %s", p.Name, p.Error)
			}
		}
		return obs.StatusProtocolError, "broken TLS: " + broken[0].Error()
	}
	for _, err := range a.failures {
		var slow *PartialError
		if errors.As(err, &slow) && isTimeout(err) {
			return obs.StatusConnectionTimeout, fmt.Sprintf("the server did not finish answering the ClientHello within %s: %v", a.ep.connTimeout, err)
		}
	}
	for _, err := range a.failures {
		if isTimeout(err) {
			return obs.StatusConnectionTimeout, fmt.Sprintf("the server accepted the connection but did not answer the ClientHello within %s: %v", a.ep.connTimeout, err)
		}
	}
	return obs.StatusNoTLS, a.refusalSummary()
}

// refusalSummary describes how a server that accepted nothing refused; a.mu
// must be held.
func (a *audit) refusalSummary() string {
	if len(a.refusals) == 0 {
		return "the server accepted none of SSLv2, SSLv3, TLS 1.0-1.3 with any cipher suite tlsaudit offered"
	}
	if n := a.refusals[refusedClosed]; n > 0 && len(a.refusals) == 1 {
		return fmt.Sprintf("the server closed every connection (%d) without answering the ClientHello", n)
	}
	kinds := make([]string, 0, len(a.refusals))
	for k := range a.refusals {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		if a.refusals[kinds[i]] != a.refusals[kinds[j]] {
			return a.refusals[kinds[i]] > a.refusals[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	for i, k := range kinds {
		kinds[i] = fmt.Sprintf("%s (%d×)", k, a.refusals[k])
	}
	return "the server accepted none of SSLv2, SSLv3, TLS 1.0-1.3 with any cipher suite tlsaudit offered; it answered: " + strings.Join(kinds, ", ")
}

const refusedClosed = "closed the connection"

// onlyTLS13 reports whether TLS 1.3 is the only protocol accepted.
func (a *audit) onlyTLS13() bool {
	for v, p := range a.protocols {
		if p.Supported != (v == registry.VersionTLS13) {
			return false
		}
	}
	return true
}

// exchange opens one connection, sends ch and reads the server's flight up
// to stop. A server that answers with an alert returns a Flight with Alert set.
func (ep *endpoint) exchange(ctx context.Context, ch *wire.ClientHello, privs []*wire.KeySharePrivate, stop wire.Stage) (*wire.Flight, error) {
	c, err := ep.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	cc := &countingConn{Conn: c, closeAfterHello: ep.helloOnly}
	f, err := wire.Exchange(cc, ch, privs, stop)
	if err != nil && cc.n > 0 && (isTimeout(err) || isClosed(err)) {
		// A refusal is an alert or a close before any byte: an answer cut
		// or stalled part-way is a broken or slow server.
		err = &PartialError{Bytes: cc.n, Err: err}
	}
	return f, err
}

// countingConn counts the bytes read from a connection. With
// closeAfterHello, the first write (the ClientHello) is followed by a
// close_notify alert.
//
// A server reads records in order: it reads the alert only once it has
// sent its whole answer to the hello, and then closes at once, where it
// would otherwise wait a round trip for the client's next flight (or its
// close). The answer is the same; a server that serves one connection at
// a time is free a round trip sooner for the next one.
type countingConn struct {
	net.Conn
	n               int
	closeAfterHello bool
	wrote           bool
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil || !c.closeAfterHello || c.wrote || len(p) < 3 {
		return n, err
	}
	c.wrote = true
	// In its own write (its own segment): the hello's first segment is
	// what it always was. The alert's record version is the hello's.
	c.Conn.Write([]byte{wire.RecordAlert, p[1], p[2], 0, 2, alertLevelWarning, alertCloseNotify})
	return n, nil
}

const (
	alertLevelWarning = 1
	alertCloseNotify  = 0
)

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n += n
	return n, err
}

// PartialError is an answer to a hello that stopped part-way: the server
// closed or reset the connection, or the deadline passed (a drip).
type PartialError struct {
	Bytes int // bytes received
	Err   error
}

func (e *PartialError) Error() string {
	if isTimeout(e.Err) {
		return fmt.Sprintf("the server answered too slowly: only %d bytes before the deadline: %v", e.Bytes, e.Err)
	}
	return fmt.Sprintf("the server cut the connection after sending %d bytes, in the middle of its answer: %v", e.Bytes, e.Err)
}
func (e *PartialError) Unwrap() error { return e.Err }

// explain rewrites errors whose wire text would mislead: a record header
// with a TLS content type but an unknown version is broken TLS, not
// another protocol.
func explain(err error) error {
	var nt *wire.NotTLSError
	if !errors.As(err, &nt) || len(nt.Prefix) < 2 || nt.Prefix[0] < wire.RecordChangeCipherSpec || nt.Prefix[0] > wire.RecordHeartbeat {
		return err
	}
	version := fmt.Sprintf("major version %d", nt.Prefix[1])
	if len(nt.Prefix) >= 3 {
		version = fmt.Sprintf("version 0x%02x%02x", nt.Prefix[1], nt.Prefix[2])
	}
	return fmt.Errorf("the server answered with a TLS %s record of %s, which no SSL/TLS version uses (first bytes %q)",
		recordTypeName(nt.Prefix[0]), version, nt.Prefix)
}

func recordTypeName(t uint8) string {
	switch t {
	case wire.RecordChangeCipherSpec:
		return "change_cipher_spec"
	case wire.RecordAlert:
		return "alert"
	case wire.RecordHandshake:
		return "handshake"
	case wire.RecordApplicationData:
		return "application_data"
	}
	return "heartbeat"
}

// answer classifies the result of one hello: the server chose something
// (ok), refused (alert, or closed the connection), or failed otherwise
// (err != nil: timeout, garbage, dial error).
func (a *audit) answer(f *wire.Flight, err error) (ok bool, refused bool, _ error) {
	if err != nil {
		var de *DialError
		var cut *PartialError
		if isClosed(err) && !isTimeout(err) && !errors.As(err, &de) && !errors.As(err, &cut) {
			a.refused(refusedClosed)
			return false, true, nil
		}
		err = explain(err)
		a.mu.Lock()
		a.failures = append(a.failures, err)
		a.mu.Unlock()
		return false, false, err
	}
	if f.Alert != nil {
		a.refused("alert " + f.Alert.Name())
		return false, true, nil
	}
	if f.ServerHello == nil {
		a.refused("no ServerHello")
		return false, true, nil
	}
	return true, false, nil
}

// refused counts one refusal of kind how.
func (a *audit) refused(how string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.refusals == nil {
		a.refusals = map[string]int{}
	}
	a.refusals[how]++
}

// probeError records a non-fatal problem of one probe.
func (a *audit) probeError(probe string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.probeErrorLocked(probe, err)
}

// probeErrorLocked is probeError with a.mu held.
func (a *audit) probeErrorLocked(probe string, err error) {
	var de *wire.DecodeError
	if errors.As(err, &de) && de.Msg == "key_share" && a.badKeyShare == nil {
		a.badKeyShare = err
	}
	addProbeError(a.o, probe, err)
}

// addProbeError records a non-fatal problem of one probe in o, once.
func addProbeError(o *obs.Observation, probe string, err error) {
	msg := err.Error()
	for _, e := range o.Errors {
		if e.Probe == probe && e.Error == msg {
			return
		}
	}
	o.Errors = append(o.Errors, obs.ProbeError{Probe: probe, Error: msg})
}

// addChain records a served chain if it has not been seen yet.
func (a *audit) addChain(version uint16, keyType string, certs [][]byte, ocsp []byte, scts [][]byte) {
	if len(certs) == 0 {
		return
	}
	h := sha256.New()
	for _, c := range certs {
		h.Write(c)
	}
	key := hex.EncodeToString(h.Sum(nil))
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.chainKeys[key] {
		// Keep a staple or SCTs seen on a later handshake with the same
		// chain, and label the chain with the newest protocol it was
		// served with, whichever handshake came first.
		for i := range a.o.Chains {
			c := &a.o.Chains[i]
			if chainKey(c) == key {
				if newer := (obs.Chain{Protocol: registry.Version(version).String()}); chainRank(newer) < chainRank(*c) {
					c.Protocol = newer.Protocol
				}
				if c.OCSPStaple == nil && ocsp != nil {
					c.OCSPStaple = ocsp
				}
				if c.SCTs == nil && scts != nil {
					c.SCTs = scts
				}
			}
		}
		return
	}
	a.chainKeys[key] = true
	ch := obs.Chain{Protocol: registry.Version(version).String(), KeyType: keyType, OCSPStaple: ocsp, SCTs: scts}
	for _, der := range certs {
		ch.Certificates = append(ch.Certificates, summarize(a.certs, der))
	}
	if len(ch.Certificates) > 0 {
		// The leaf's own key when it parsed: an Ed25519 certificate is
		// obtained with the ECDHE_ECDSA suites at TLS 1.2 (RFC 8422).
		switch kt := ch.Certificates[0].KeyType; {
		case ch.KeyType == "":
			ch.KeyType = kt
		case kt == "RSA" || kt == "ECDSA" || kt == "DSA" || kt == "Ed25519" || kt == "Ed448":
			ch.KeyType = kt
		}
	}
	a.o.Chains = append(a.o.Chains, ch)
}

func chainKey(c *obs.Chain) string {
	h := sha256.New()
	for _, cert := range c.Certificates {
		h.Write(cert.DER)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// addDH records finite-field DH parameters seen with a suite.
func (a *audit) addDH(version uint16, suite uint16, p, g []byte) {
	if len(p) == 0 {
		return
	}
	key := hex.EncodeToString(p) + "/" + hex.EncodeToString(g)
	seen := registry.Version(version).String() + " " + registry.SuiteName(suite)
	a.mu.Lock()
	defer a.mu.Unlock()
	if i, ok := a.dhKeys[key]; ok {
		d := &a.o.DH[i]
		for _, s := range d.SeenWith {
			if s == seen {
				return
			}
		}
		d.SeenWith = append(d.SeenWith, seen)
		return
	}
	pi := new(big.Int).SetBytes(p)
	d := obs.DHParams{Bits: pi.BitLen(), Prime: hex.EncodeToString(p), Generator: hex.EncodeToString(g), SeenWith: []string{seen}}
	if name, src, ok := registry.KnownPrime(pi); ok {
		d.Known, d.Source = name, src
	}
	a.dhKeys[key] = len(a.o.DH)
	a.o.DH = append(a.o.DH, d)
}

// notedHandshake is one full handshake noteHandshake saw.
type notedHandshake struct {
	version uint16
	suite   uint16
	hs      *obs.Handshake
	key     string // the record as JSON, the last tie-break
}

// noteHandshake records the ServerHello details of a full handshake; the
// observation keeps one of the best protocol's (bestHandshake).
func (a *audit) noteHandshake(version uint16, sh *wire.ServerHello, group string, ee *wire.EncryptedExtensions) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.handshakes) > 0 && a.handshakes[0].version > version {
		return
	}
	hs := &obs.Handshake{Protocol: registry.Version(version).String(), Suite: registry.SuiteName(sh.CipherSuite), Group: group, ALPN: sh.ALPN}
	for _, e := range sh.Extensions {
		hs.Extensions = append(hs.Extensions, wire.ExtensionName(e.Type))
	}
	if ee != nil {
		for _, e := range ee.Extensions {
			hs.Extensions = append(hs.Extensions, wire.ExtensionName(e.Type))
		}
		if ee.ALPN != "" {
			hs.ALPN = ee.ALPN
		}
	}
	if version <= registry.VersionTLS12 {
		sr, ems, tk := sh.SecureRenegotiation, sh.ExtendedMasterSecret, sh.SessionTicket
		comp := sh.Compression
		hs.SecureRenegotiation, hs.ExtendedMasterSecret, hs.SessionTicket, hs.Compression = &sr, &ems, &tk, &comp
	}
	if len(a.handshakes) > 0 && a.handshakes[0].version < version {
		a.handshakes = a.handshakes[:0]
	}
	key, _ := json.Marshal(hs)
	a.handshakes = append(a.handshakes, notedHandshake{version: version, suite: sh.CipherSuite, hs: hs, key: string(key)})
}

// bestHandshake is the handshake the observation keeps: of the best
// protocol's full handshakes, the one with the suite ranked first in that
// protocol's list, then the least as JSON. Concurrent sequences complete
// their handshakes in any order; the choice depends on the set alone, so
// the same server gives the same record.
func (a *audit) bestHandshake() *obs.Handshake {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.bestHandshakeLocked()
}

func (a *audit) bestHandshakeLocked() *obs.Handshake {
	if len(a.handshakes) == 0 {
		return nil
	}
	rank := func(h notedHandshake) int {
		if p := a.protocols[h.version]; p != nil {
			if i := slices.IndexFunc(p.Suites, func(s obs.Suite) bool { return s.ID == h.suite }); i >= 0 {
				return i
			}
		}
		return math.MaxInt
	}
	best := slices.MinFunc(a.handshakes, func(x, y notedHandshake) int {
		return cmp.Or(cmp.Compare(rank(x), rank(y)), strings.Compare(x.key, y.key))
	})
	return best.hs
}

// keyTypeOf names the certificate key type a suite's authentication needs.
func keyTypeOf(s registry.Suite) string {
	switch s.Auth {
	case "ECDSA":
		return "ECDSA"
	case "DSS":
		return "DSA"
	case "RSA":
		return "RSA"
	}
	return ""
}

// gate is opened once, with whether the protocol is supported.
type gate struct {
	once      sync.Once
	ch        chan struct{}
	supported bool
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

func (g *gate) open(supported bool) {
	g.once.Do(func() {
		g.supported = supported
		close(g.ch)
	})
}

// wait blocks until the gate opens and reports whether the protocol is supported.
func (g *gate) wait(ctx context.Context) bool {
	select {
	case <-g.ch:
		return g.supported
	case <-ctx.Done():
		return false
	}
}

// allSuitesWith lists the non-anonymous suites of version v with key exchange kx.
func allSuitesWith(v uint16, kx string) []uint16 {
	var out []uint16
	for _, id := range suitesToOffer(v) {
		if s, ok := registry.SuiteByID(id); ok && s.Kx == kx && !s.Anonymous {
			out = append(out, id)
		}
	}
	return out
}
