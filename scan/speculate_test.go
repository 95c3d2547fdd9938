package scan

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/internal/opensslorder"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// TestOpenSSLOrderTable: the compiled-in OpenSSL order is the installed
// openssl's (regenerate with go generate ./scan/ when it changes).
func TestOpenSSLOrderTable(t *testing.T) {
	suites, version, err := opensslorder.Installed()
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint16
	for _, s := range suites {
		ids = append(ids, s.ID)
	}
	if !slices.Equal(ids, opensslOrder[:]) {
		t.Errorf("opensslOrder differs from the order of the installed %s: run go generate ./scan/", version)
	}
	for _, id := range opensslOrder {
		if _, ok := registry.SuiteByID(id); !ok {
			t.Errorf("OpenSSL suite 0x%04X is not in the registry", id)
		}
	}
}

// orderServer is an in-memory server for repeated selection: it accepts
// accepts, chosen by that order (serverOrder) or the client's, answering
// after delay so that speculative offers overlap. fail, when set, makes the
// answer to an offer an error.
type orderServer struct {
	accepts     []uint16
	serverOrder bool
	delay       time.Duration
	fail        func(offer []uint16) bool
}

// counted returns f's pickFunc and its connection counter.
func (f orderServer) counted() (pickFunc, *atomic.Int64) {
	conns := new(atomic.Int64)
	return func(ctx context.Context, offer []uint16) (uint16, bool, error) {
		conns.Add(1)
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return 0, false, ctx.Err()
		}
		if f.fail != nil && f.fail(offer) {
			return 0, false, errors.New("timeout")
		}
		// a fakePicker of its own: its connection count is not shared
		return (&fakePicker{accepts: f.accepts, serverOrder: f.serverOrder}).pick(ctx, offer)
	}, conns
}

// What nginx with ssl_ciphers ALL:@SECLEVEL=0, server order and an RSA
// certificate accepts (OpenSSL 3.0), in its order.
var (
	nginxAll12 = []uint16{0xC030, 0x009F, 0xCCA8, 0xCCAA, 0xC0A3, 0xC09F, 0xC061, 0xC053, 0x00A7, 0xC02F, 0x009E, 0xC0A2, 0xC09E, 0xC060, 0xC052, 0x00A6, 0xC028, 0x006B, 0xC077, 0x00C4, 0x006D, 0x00C5, 0xC027, 0x0067, 0xC076, 0x00BE, 0x006C, 0x00BF, 0xC014, 0x0039, 0x0088, 0xC019, 0x003A, 0x0089, 0xC013, 0x0033, 0x0045, 0xC018, 0x0034, 0x0046, 0x009D, 0xC0A1, 0xC09D, 0xC051, 0x009C, 0xC0A0, 0xC09C, 0xC050, 0x003D, 0x00C0, 0x003C, 0x00BA, 0x0035, 0x0084, 0x002F, 0x0041}
	nginxAll10 = []uint16{0xC014, 0x0039, 0x0088, 0xC019, 0x003A, 0x0089, 0xC013, 0x0033, 0x0045, 0xC018, 0x0034, 0x0046, 0x0035, 0x0084, 0x002F, 0x0041}
)

// selectBoth runs repeatedSelection sequentially and speculatively against
// f, checks the results are the same and returns the connections each made.
func selectBoth(t *testing.T, v uint16, f orderServer) (seq, spec int, sp *speculator) {
	t.Helper()
	base := suitesToOffer(v)
	seqPick, seqConns := f.counted()
	want := repeatedSelection(context.Background(), base, seqPick, registry.SuiteName)
	specPick, specConns := f.counted()
	sp = newSpeculator(base, specPick, 8)
	got := repeatedSelection(context.Background(), base, sp.Pick, registry.SuiteName)
	sp.Close()
	if !slices.Equal(got.accepted, want.accepted) {
		t.Errorf("speculative selection accepted\n %s\nsequential\n %s", names(got.accepted), names(want.accepted))
	}
	if deref(got.serverOrder) != deref(want.serverOrder) {
		t.Errorf("serverOrder %s, sequential %s", deref(got.serverOrder), deref(want.serverOrder))
	}
	if fmt.Sprint(got.err) != fmt.Sprint(want.err) {
		t.Errorf("error %v, sequential %v", got.err, want.err)
	}
	return int(seqConns.Load()), int(specConns.Load()), sp
}

func TestSpeculativeSelection(t *testing.T) {
	modern := []uint16{0xC030, 0xCCA8, 0xC02F}
	without := func(list []uint16, x uint16) []uint16 {
		return slices.DeleteFunc(slices.Clone(list), func(id uint16) bool { return id == x })
	}
	tests := []struct {
		name string
		v    uint16
		srv  orderServer
		// most wasted connections allowed; -1: some waste expected (the
		// test is about speculative answers that are not needed)
		waste int
	}{
		{"nginx ALL TLS 1.2", registry.VersionTLS12, orderServer{accepts: nginxAll12, serverOrder: true}, 0},
		{"nginx ALL TLS 1.0", registry.VersionTLS10, orderServer{accepts: nginxAll10, serverOrder: true}, 0},
		{"modern client order", registry.VersionTLS12, orderServer{accepts: modern}, 0},
		{"long client order", registry.VersionTLS12, orderServer{accepts: nginxAll12}, 3},
		{"OpenSSL order, reversed", registry.VersionTLS12, orderServer{accepts: reversed(nginxAll12), serverOrder: true}, 3},
		// The server refuses a suite the model assumes (a first AES-CCM 128
		// is plausible after AES-CCM 256), and every offer that lacks it
		// (only speculative ones) fails: those errors are never needed.
		{"unneeded speculative errors", registry.VersionTLS12, orderServer{accepts: without(nginxAll12, 0xC09E), serverOrder: true,
			fail: func(offer []uint16) bool { return !slices.Contains(offer, 0xC09E) }}, -1},
		// An error on an offer the chain needs, answered speculatively,
		// ends the selection as it does sequentially (the speculative offers
		// beyond it are wasted).
		{"needed error", registry.VersionTLS12, orderServer{accepts: nginxAll12, serverOrder: true,
			fail: func(offer []uint16) bool { return !slices.Contains(offer, 0x0067) }}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.srv.delay = 200 * time.Microsecond
			seq, spec, sp := selectBoth(t, tt.v, tt.srv)
			waste := spec - seq
			t.Logf("%d connections sequentially, %d with speculation (%d speculative, %d used)", seq, spec, sp.speculated, sp.used)
			switch {
			case tt.waste >= 0 && waste > tt.waste:
				t.Errorf("%d connections wasted, want at most %d", waste, tt.waste)
			case tt.waste < 0 && sp.speculated == sp.used:
				t.Errorf("no speculative answer went unused: the test does not test it")
			}
			if sp.speculated-sp.used != waste {
				t.Errorf("%d speculative answers unused, but %d connections more than sequentially", sp.speculated-sp.used, waste)
			}
			if tt.name == "nginx ALL TLS 1.2" && sp.used < 40 {
				t.Errorf("only %d of %d answers speculative: the model does not predict nginx", sp.used, seq)
			}
		})
	}
}

// TestSpeculativeSelectionRandomOrder: servers whose order no model
// predicts cost at most a few connections more.
func TestSpeculativeSelectionRandomOrder(t *testing.T) {
	base := suitesToOffer(registry.VersionTLS12)
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 1))
		n := 2 + r.IntN(60)
		accepts := slices.Clone(base)
		r.Shuffle(len(accepts), func(i, j int) { accepts[i], accepts[j] = accepts[j], accepts[i] })
		accepts = accepts[:n]
		if seed%4 == 0 {
			// a random subset in reversed base order
			slices.SortFunc(accepts, func(a, b uint16) int { return slices.Index(base, b) - slices.Index(base, a) })
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			seq, spec, _ := selectBoth(t, registry.VersionTLS12, orderServer{accepts: accepts, serverOrder: seed%2 == 0, delay: 100 * time.Microsecond})
			if waste := spec - seq; waste > 3 {
				t.Errorf("%d connections wasted (%d sequentially)", waste, seq)
			}
		})
	}
}

// enumBoth enumerates version v of srv sequentially and with speculation
// and checks the results are the same; it returns the connections each
// made.
func enumBoth(t *testing.T, srv *tlstest.Server, v uint16) (seq, spec int, p *obs.Protocol) {
	t.Helper()
	run := func(depth int) (*obs.Protocol, int) {
		a := &audit{ep: newEndpoint(srv.Addr, srv.Name, 8, 10*time.Second), o: &obs.Observation{}, protocols: map[uint16]*obs.Protocol{},
			chainKeys: map[string]bool{}, dhKeys: map[string]int{}}
		a.ep.specDepth = depth
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		p := a.enumTLS(ctx, v)
		return p, int(a.ep.conns.Load())
	}
	want, seq := run(1)
	got, spec := run(8)
	if !slices.Equal(suiteIDs(*got), suiteIDs(*want)) {
		t.Errorf("%s: speculative enumeration\n %s\nsequential\n %s", registry.Version(v).String(), names(suiteIDs(*got)), names(suiteIDs(*want)))
	}
	for i := range min(len(got.Suites), len(want.Suites)) {
		if g, w := got.Suites[i].KeyExchange, want.Suites[i].KeyExchange; fmt.Sprint(deref2(g)) != fmt.Sprint(deref2(w)) {
			t.Errorf("%s %s: key exchange %+v, sequential %+v", registry.Version(v).String(), got.Suites[i].Name, deref2(g), deref2(w))
		}
	}
	if deref(got.ServerOrder) != deref(want.ServerOrder) || got.Supported != want.Supported || got.Error != want.Error {
		t.Errorf("%s: server order %s, supported %v, error %q; sequential %s, %v, %q", registry.Version(v).String(),
			deref(got.ServerOrder), got.Supported, got.Error, deref(want.ServerOrder), want.Supported, want.Error)
	}
	t.Logf("%s: %d suites, %d connections sequentially, %d with speculation", registry.Version(v).String(), len(got.Suites), seq, spec)
	return seq, spec, got
}

func deref2(k *obs.KeyExchange) obs.KeyExchange {
	if k == nil {
		return obs.KeyExchange{}
	}
	return *k
}

// TestSpeculationExact: against real servers, the speculative enumeration
// finds exactly the suites and order the sequential one finds, at (nearly)
// no extra connections.
func TestSpeculationExact(t *testing.T) {
	legacy := []uint16{registry.VersionTLS10, registry.VersionTLS11, registry.VersionTLS12}
	tests := []struct {
		name     string
		start    func(t *testing.T) *tlstest.Server
		versions []uint16
		waste    int
		order    bool // server order expected
	}{
		{"nginx ALL:@SECLEVEL=0 server order", func(t *testing.T) *tlstest.Server {
			return tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1 TLSv1.1 TLSv1.2", Ciphers: "ALL", SecLevel0: true,
				PreferServerCiphers: true, DHParamBits: 1024})
		}, legacy, 0, true},
		{"openssl s_server custom order", func(t *testing.T) *tlstest.Server {
			return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.2", ServerPref: true,
				Ciphers: "CAMELLIA256-SHA:ECDHE-RSA-AES128-SHA:AES256-GCM-SHA384:DHE-RSA-AES256-SHA256:ECDHE-RSA-CHACHA20-POLY1305:AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256"})
		}, []uint16{registry.VersionTLS12}, 2, true},
		{"nginx ALL client order", func(t *testing.T) *tlstest.Server {
			return tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1.2", Ciphers: "ALL", SecLevel0: true, DHParamBits: 1024})
		}, []uint16{registry.VersionTLS12}, 3, false},
		{"Go (crypto/tls) server", func(t *testing.T) *tlstest.Server { return tlstest.LegacyGoServerT(t) }, legacy, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.start(t)
			for _, v := range tt.versions {
				seq, spec, p := enumBoth(t, srv, v)
				if !p.Supported || p.ServerOrder == nil || *p.ServerOrder != tt.order {
					t.Errorf("%s: supported %v, server order %s, want %v", registry.Version(v).String(), p.Supported, deref(p.ServerOrder), tt.order)
				}
				if spec > seq+tt.waste {
					t.Errorf("%s: %d connections with speculation, %d sequentially: want at most %d more", registry.Version(v).String(), spec, seq, tt.waste)
				}
			}
		})
	}
}

// TestSpeculationUnpredictableServer: a scripted server whose order is
// random (or OpenSSL's reversed) costs at most a few connections more,
// counted by the server.
func TestSpeculationUnpredictableServer(t *testing.T) {
	var known []uint16 // suites the scripted server can do with an RSA certificate
	for _, id := range opensslOrder {
		if s, _ := registry.SuiteByID(id); (s.Kx == "ECDHE" || s.Kx == "DHE" || s.Kx == "RSA") && s.Auth == "RSA" && s.MinVersion <= registry.VersionTLS12 {
			known = append(known, id)
		}
	}
	r := rand.New(rand.NewPCG(7, 7))
	shuffled := slices.Clone(known)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, tc := range []struct {
		name  string
		order []uint16
	}{{"random", shuffled}, {"reversed", reversed(known)}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tlstest.FakeConfig{Versions: []uint16{registry.VersionTLS12}, Suites: map[uint16][]uint16{registry.VersionTLS12: tc.order}, ServerOrder: true}
			count := func() (int, int, *obs.Protocol) {
				srv, err := tlstest.NewFakeServer(cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer srv.Close()
				a := &audit{ep: newEndpoint(srv.Addr, srv.Name, 8, 10*time.Second), o: &obs.Observation{}, chainKeys: map[string]bool{}, dhKeys: map[string]int{}}
				a.ep.specDepth = 1
				p := a.enumTLS(context.Background(), registry.VersionTLS12)
				seq := srv.ConnCount()
				srv2, err := tlstest.NewFakeServer(cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer srv2.Close()
				a = &audit{ep: newEndpoint(srv2.Addr, srv2.Name, 8, 10*time.Second), o: &obs.Observation{}, chainKeys: map[string]bool{}, dhKeys: map[string]int{}}
				p2 := a.enumTLS(context.Background(), registry.VersionTLS12)
				if !slices.Equal(suiteIDs(*p2), suiteIDs(*p)) || !slices.Equal(suiteIDs(*p), tc.order) {
					t.Errorf("speculative %s\nsequential %s\nwant %s", names(suiteIDs(*p2)), names(suiteIDs(*p)), names(tc.order))
				}
				return seq, srv2.ConnCount(), p2
			}
			seq, spec, _ := count()
			t.Logf("%d connections sequentially, %d with speculation", seq, spec)
			if spec > seq+3 {
				t.Errorf("%d connections with speculation, %d sequentially: want at most 3 more", spec, seq)
			}
		})
	}
}

func reversed(list []uint16) []uint16 {
	out := slices.Clone(list)
	slices.Reverse(out)
	return out
}

// BenchmarkSpeculativeSelection measures the speculator's own cost: the
// bench nginx's TLS 1.2 chain against an in-memory server that answers at
// once.
func BenchmarkSpeculativeSelection(b *testing.B) {
	f := orderServer{accepts: nginxAll12, serverOrder: true}
	base := suitesToOffer(registry.VersionTLS12)
	for b.Loop() {
		pick, _ := f.counted()
		sp := newSpeculator(base, pick, 8)
		repeatedSelection(context.Background(), base, sp.Pick, registry.SuiteName)
		sp.Close()
	}
}

// TestDiscoverySpeculationExact: against real servers, the whole discovery
// (suites, groups, signature algorithms, chains, DH parameters) with the
// speculative suite chains, next to the other sequences and with their
// connection priorities, finds exactly what it finds with none.
func TestDiscoverySpeculationExact(t *testing.T) {
	for _, tt := range realServers {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.start(t)
			want, seq := discover(srv, func(ep *endpoint) { ep.specDepth = 1 })
			got, spec := discover(srv, func(ep *endpoint) { ep.specDepth = 8 })
			if g, w := discoveryFacts(got), discoveryFacts(want); g != w {
				t.Errorf("with speculation:\n%s\nwithout:\n%s", g, w)
			}
			t.Logf("%d connections without speculation, %d with", seq, spec)
		})
	}
}

// discover runs discovery alone against srv, with the endpoint set by
// set, and returns the observation and the connections made.
func discover(srv *tlstest.Server, set func(ep *endpoint)) (*obs.Observation, int) {
	o, conns, _ := discoverSteps(srv, func(a *audit) { set(a.ep) })
	return o, conns
}

// discoveryFacts prints what discovery found, leaving out what depends on
// which connection came first (the first handshake, a chain's protocol,
// the order DH parameters were seen in).
func discoveryFacts(o *obs.Observation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "status %s %s\n", o.Status, o.Error)
	for _, p := range o.Protocols {
		fmt.Fprintf(&b, "%s %v order %s %x %q\n", p.Name, p.Supported, deref(p.ServerOrder), suiteIDs(p), p.Error)
	}
	if g := o.Groups; g != nil {
		fmt.Fprintf(&b, "groups12 %v order %s; groups13 %v order %s\n", g.TLS12, deref(g.TLS12ServerOrder), g.TLS13, deref(g.TLS13ServerOrder))
	}
	if s := o.SignatureAlgorithms; s != nil {
		fmt.Fprintf(&b, "sigalgs12 %v; sigalgs13 %v; %q\n", s.TLS12, s.TLS13, s.Error)
	}
	var chains, dh []string
	for _, c := range o.Chains {
		chains = append(chains, c.KeyType+" "+chainKey(&c))
	}
	for _, d := range o.DH {
		seen := slices.Clone(d.SeenWith)
		slices.Sort(seen)
		dh = append(dh, fmt.Sprintf("%d %s %v", d.Bits, d.Known, seen))
	}
	slices.Sort(chains)
	slices.Sort(dh)
	fmt.Fprintf(&b, "chains %v\ndh %v\n", chains, dh)
	return b.String()
}

// realServers are the real servers the whole-audit comparisons run
// against: nginx with TLS 1.0-1.3 and its own order, openssl s_server and
// gnutls-serv (which handle one connection at a time) with their defaults.
var realServers = []struct {
	name  string
	start func(t *testing.T) *tlstest.Server
}{
	{"nginx TLS 1.0-1.3 server order", func(t *testing.T) *tlstest.Server {
		return tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", SecLevel0: true, PreferServerCiphers: true,
			Ciphers: "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA:AES128-SHA"})
	}},
	{"openssl s_server defaults", func(t *testing.T) *tlstest.Server { return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{}) }},
	{"gnutls-serv NORMAL", func(t *testing.T) *tlstest.Server { return tlstest.StartGnuTLST(t, tlstest.GnuTLSOptions{}) }},
}

// TestSpeculativeGroupAndSigAlgChains: the group and signature algorithm
// chains, speculated, find exactly what the sequential chains find, for
// servers in OpenSSL's order, in the client's and in others, with at most
// a few connections more; the predictable ones overtake the sequential
// chain (fewer rounds of answers).
func TestSpeculativeGroupAndSigAlgChains(t *testing.T) {
	x25519, p256, p384, p521, x448 := uint16(0x001d), uint16(0x0017), uint16(0x0018), uint16(0x0019), uint16(0x001e)
	ff := []uint16{0x0100, 0x0101, 0x0102, 0x0103, 0x0104}
	tests := []struct {
		name   string
		domain *specDomain
		base   []uint16
		srv    orderServer
		waste  int
	}{
		{"TLS 1.3 groups, OpenSSL 3.0 order", groupDomain(), tls13GroupsToOffer(),
			orderServer{accepts: append([]uint16{x25519, p256, x448, p521, p384}, ff...), serverOrder: true}, 0},
		// Two misses rule out OpenSSL's order.
		{"TLS 1.3 groups, client order", groupDomain(), tls13GroupsToOffer(),
			orderServer{accepts: append([]uint16{x25519, p256, p384, p521, x448}, ff...)}, 2},
		{"TLS 1.2 curves, reversed", groupDomain(), ecGroupsToOffer(),
			orderServer{accepts: []uint16{p521, p384, p256}, serverOrder: true}, 3},
		{"TLS 1.2 signature algorithms, OpenSSL order, RSA key", sigAlgDomain(), sigAlgsToOffer(false),
			orderServer{accepts: []uint16{0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0301, 0x0201}, serverOrder: true}, 1},
		{"TLS 1.2 signature algorithms, client order, RSA key", sigAlgDomain(), sigAlgsToOffer(false),
			orderServer{accepts: []uint16{0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201}}, 3},
		// A P-256 key signs with one TLS 1.3 ECDSA scheme only; the next
		// is assumed.
		{"TLS 1.3 signature algorithms, ECDSA key", sigAlgDomain(), sigAlgsToOffer(true),
			orderServer{accepts: []uint16{0x0403}, serverOrder: true}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.srv.delay = time.Millisecond
			name := func(id uint16) string { return fmt.Sprintf("0x%04x", id) }
			seqPick, seqConns := tt.srv.counted()
			start := time.Now()
			want := repeatedSelection(context.Background(), tt.base, seqPick, name)
			seqTime := time.Since(start)
			specPick, specConns := tt.srv.counted()
			start = time.Now()
			got := selectSpeculating(context.Background(), tt.domain, 8, tt.base, specPick, name, nil)
			specTime := time.Since(start)
			if !slices.Equal(got.accepted, want.accepted) || deref(got.serverOrder) != deref(want.serverOrder) || fmt.Sprint(got.err) != fmt.Sprint(want.err) {
				t.Errorf("speculative %x (order %s, %v), sequential %x (order %s, %v)", got.accepted, deref(got.serverOrder), got.err,
					want.accepted, deref(want.serverOrder), want.err)
			}
			seq, spec := int(seqConns.Load()), int(specConns.Load())
			if spec > seq+tt.waste {
				t.Errorf("%d connections with speculation, %d sequentially: want at most %d more", spec, seq, tt.waste)
			}
			t.Logf("%d connections sequentially (%v), %d speculating (%v)", seq, seqTime.Round(time.Millisecond), spec, specTime.Round(time.Millisecond))
		})
	}
}

// TestHelloOnlySameAnswers: a close_notify after every discovery hello
// (endpoint.helloOnly) changes none of what discovery finds, on real
// servers and on a Go one.
func TestHelloOnlySameAnswers(t *testing.T) {
	servers := append(realServers[:len(realServers):len(realServers)], struct {
		name  string
		start func(t *testing.T) *tlstest.Server
	}{"Go (crypto/tls) TLS 1.0-1.2", func(t *testing.T) *tlstest.Server { return tlstest.LegacyGoServerT(t) }})
	for _, tt := range servers {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.start(t)
			want, _ := discover(srv, func(ep *endpoint) { ep.helloOnly = false })
			got, _ := discover(srv, func(ep *endpoint) { ep.helloOnly = true })
			if g, w := discoveryFacts(got), discoveryFacts(want); g != w {
				t.Errorf("with close_notify:\n%s\nwithout:\n%s", g, w)
			}
			if g, w := fmt.Sprint(got.Errors), fmt.Sprint(want.Errors); g != w {
				t.Errorf("errors with close_notify %s, without %s", g, w)
			}
		})
	}
}
