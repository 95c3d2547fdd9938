package scan

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// Tests of the partial-handshake probes: each against the scripted
// vulnerable server (the vulnerable behaviour must be observed) and against
// real patched servers (it must not be).

// probeAudit returns an audit of srv whose discovery results are protos
// (version → accepted suites), as if discovery had run, so one probe can be
// run alone.
func probeAudit(srv *tlstest.Server, protos map[uint16][]uint16) *audit {
	o := &obs.Observation{Schema: obs.SchemaVersion}
	a := &audit{ep: newEndpoint(srv.Addr, srv.Name, 8, 5*time.Second), o: o, protocols: map[uint16]*obs.Protocol{}}
	for v, suites := range protos {
		p := &obs.Protocol{Name: registry.Version(v).String(), Version: v, Supported: true}
		for _, id := range suites {
			p.Suites = append(p.Suites, obs.Suite{ID: id, Name: registry.SuiteName(id)})
		}
		a.protocols[v] = p
	}
	return a
}

// runProbe runs the named probe on a and returns the handshake results.
func runProbe(t *testing.T, a *audit, name string) *obs.HandshakeProbes {
	t.Helper()
	return &execProbe(t, a, name, 30*time.Second).HandshakeProbes
}

// execProbe runs the named probe on a within timeout and returns what it
// recorded; a probe error fails the test.
func execProbe(t *testing.T, a *audit, name string, timeout time.Duration) *obs.Probes {
	t.Helper()
	p, ok := probes[name]
	if !ok {
		t.Fatalf("probe %q is not registered", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	p.run(ctx, a.probeEnv())(a.o)
	if len(a.o.Errors) > 0 {
		t.Errorf("probe errors: %+v", a.o.Errors)
	}
	if a.o.Probes == nil {
		t.Fatalf("probe %s recorded nothing", name)
	}
	return a.o.Probes
}

func wantStatus(t *testing.T, what string, at obs.Attempt, want string) {
	t.Helper()
	if at.Status != want {
		t.Fatalf("%s: status %q (%s), want %q", what, at.Status, at.Reason, want)
	}
}

// Suites used with the scripted servers.
var (
	tls12Suites = []uint16{0xc02f, 0xc013, 0x002f, 0x0035}
	ecdheGCM    = []uint16{0xc02f}
)

func tls12Fake(mod func(c *tlstest.FakeConfig)) tlstest.FakeConfig {
	c := tlstest.FakeConfig{
		Versions: []uint16{registry.VersionTLS10, registry.VersionTLS11, registry.VersionTLS12},
		Suites: map[uint16][]uint16{
			registry.VersionTLS10: {0xc013, 0x002f},
			registry.VersionTLS11: {0xc013, 0x002f},
			registry.VersionTLS12: tls12Suites,
		},
	}
	if mod != nil {
		mod(&c)
	}
	return c
}

// The real servers' discovery results as the probes need them.
var (
	opensslProtos = map[uint16][]uint16{registry.VersionTLS12: {0xc02f, 0xc030, 0xc013}, registry.VersionTLS13: {0x1301, 0x1302}}
	goProtos      = map[uint16][]uint16{registry.VersionTLS12: {0xc02f, 0xc030}, registry.VersionTLS13: {0x1301, 0x1302}}
	legacyProtos  = map[uint16][]uint16{registry.VersionTLS12: {0xc013, 0x002f}, registry.VersionTLS11: {0xc013, 0x002f}, registry.VersionTLS10: {0xc013, 0x002f}}
)

// patchedServers are real TLS 1.2+1.3 servers (their discovery results are
// goProtos): openssl s_server, the modern Go server and, with nginx, nginx.
func patchedServers(nginx bool) map[string]func(t *testing.T) *tlstest.Server {
	m := map[string]func(t *testing.T) *tlstest.Server{
		"openssl": startOpenSSL,
		"go":      func(t *testing.T) *tlstest.Server { return tlstest.ModernGoServerT(t) },
	}
	if nginx {
		m["nginx"] = func(t *testing.T) *tlstest.Server {
			return tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1.2 TLSv1.3"})
		}
	}
	return m
}

func startOpenSSL(t *testing.T) *tlstest.Server {
	return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{Ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA"})
}

func TestProbeHeartbleedVulnerable(t *testing.T) {
	srv := tlstest.NewVulnServerT(t, tlstest.VulnConfig{Fake: tls12Fake(nil), Heartbleed: true})
	r := runProbe(t, probeAudit(srv, map[uint16][]uint16{registry.VersionTLS12: tls12Suites}), "heartbleed").Heartbleed
	wantStatus(t, "heartbleed", r.Attempt, obs.AttemptCompleted)
	if !r.Extension || !r.Sent || !r.Replied || r.ReplyLength != heartbleedClaim || r.ReplyBytes < 3+heartbleedClaim {
		t.Fatalf("vulnerable server: %+v", r)
	}
	if !strings.HasPrefix(r.Evidence, hex.EncodeToString(tlstest.VulnMemory[:32])) || len(r.Evidence) != 2*maxEvidence {
		t.Errorf("evidence %q does not hold the leaked memory", r.Evidence)
	}
}

func TestProbeHeartbleedPatched(t *testing.T) {
	t.Run("gnutls heartbeat", func(t *testing.T) {
		// GnuTLS speaks heartbeat and discards the over-long request.
		srv := tlstest.StartGnuTLST(t, tlstest.GnuTLSOptions{ExtraArgs: []string{"--heartbeat"}})
		r := runProbe(t, probeAudit(srv, map[uint16][]uint16{registry.VersionTLS12: {0xc02f, 0xc030}}), "heartbleed").Heartbleed
		wantStatus(t, "heartbleed", r.Attempt, obs.AttemptCompleted)
		if !r.Extension || !r.Sent || r.Replied {
			t.Errorf("gnutls: %+v", r)
		}
	})
	t.Run("openssl", func(t *testing.T) {
		r := runProbe(t, probeAudit(startOpenSSL(t), opensslProtos), "heartbleed").Heartbleed
		wantStatus(t, "heartbleed", r.Attempt, obs.AttemptCompleted)
		if r.Extension || r.Replied {
			t.Errorf("openssl 3 has no heartbeat: %+v", r)
		}
	})
	t.Run("scripted without the flaw", func(t *testing.T) {
		srv := tlstest.NewVulnServerT(t, tlstest.VulnConfig{Fake: tls12Fake(nil), CCSInjection: true})
		r := runProbe(t, probeAudit(srv, map[uint16][]uint16{registry.VersionTLS12: tls12Suites}), "heartbleed").Heartbleed
		wantStatus(t, "heartbleed", r.Attempt, obs.AttemptCompleted)
		if r.Extension || r.Replied {
			t.Errorf("%+v", r)
		}
	})
	t.Run("tls13 only", func(t *testing.T) {
		r := runProbe(t, probeAudit(startOpenSSL(t), map[uint16][]uint16{registry.VersionTLS13: {0x1301}}), "heartbleed").Heartbleed
		wantStatus(t, "heartbleed", r.Attempt, obs.AttemptNotApplicable)
	})
}

func TestProbeCCSInjection(t *testing.T) {
	cases := []struct {
		name   string
		start  func(t *testing.T) *tlstest.Server
		protos map[uint16][]uint16
		answer string
	}{
		{"vulnerable", func(t *testing.T) *tlstest.Server {
			return tlstest.NewVulnServerT(t, tlstest.VulnConfig{Fake: tls12Fake(nil), CCSInjection: true})
		}, map[uint16][]uint16{registry.VersionTLS12: ecdheGCM}, "alert:bad_record_mac"},
		{"scripted patched", func(t *testing.T) *tlstest.Server {
			return tlstest.NewVulnServerT(t, tlstest.VulnConfig{Fake: tls12Fake(nil), Heartbleed: true})
		}, map[uint16][]uint16{registry.VersionTLS12: ecdheGCM}, "alert:unexpected_message"},
		{"openssl", startOpenSSL, opensslProtos, "alert:unexpected_message"},
		{"nginx", func(t *testing.T) *tlstest.Server { return tlstest.StartNginxT(t, tlstest.NginxOptions{}) }, opensslProtos, "alert:unexpected_message"},
		{"go", func(t *testing.T) *tlstest.Server { return tlstest.ModernGoServerT(t) }, goProtos, "alert:unexpected_message"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runProbe(t, probeAudit(c.start(t), c.protos), "ccs_injection").CCSInjection
			wantStatus(t, "ccs_injection", r.Attempt, obs.AttemptCompleted)
			if r.Answer != c.answer {
				t.Errorf("answer %q, want %q (%+v)", r.Answer, c.answer, r)
			}
		})
	}
}

func TestProbeFallbackSCSV(t *testing.T) {
	t.Run("ignored", func(t *testing.T) {
		srv := newFakeT(t, tls12Fake(nil))
		r := runProbe(t, probeAudit(srv, legacyProtos), "fallback_scsv").FallbackSCSV
		wantStatus(t, "fallback", r.Attempt, obs.AttemptCompleted)
		if r.Answer != "server_hello:TLSv1.1" || r.Offered != "TLSv1.1" || r.Highest != "TLSv1.2" {
			t.Errorf("%+v", r)
		}
	})
	for name, start := range map[string]func(t *testing.T) *tlstest.Server{
		"scripted": func(t *testing.T) *tlstest.Server {
			return newFakeT(t, tls12Fake(func(c *tlstest.FakeConfig) { c.FallbackSCSV = true }))
		},
		"openssl": startOpenSSL,
		"go":      func(t *testing.T) *tlstest.Server { return tlstest.ModernGoServerT(t) },
	} {
		t.Run(name, func(t *testing.T) {
			protos := opensslProtos
			if name == "scripted" {
				protos = legacyProtos
			}
			r := runProbe(t, probeAudit(start(t), protos), "fallback_scsv").FallbackSCSV
			wantStatus(t, "fallback", r.Attempt, obs.AttemptCompleted)
			if r.Answer != "alert:inappropriate_fallback" {
				t.Errorf("%+v", r)
			}
		})
	}
	t.Run("one version", func(t *testing.T) {
		srv := newFakeT(t, tls12Fake(nil))
		r := runProbe(t, probeAudit(srv, map[uint16][]uint16{registry.VersionTLS12: tls12Suites}), "fallback_scsv").FallbackSCSV
		wantStatus(t, "fallback", r.Attempt, obs.AttemptNotApplicable)
	})
}

func TestProbeDowngradeSentinel(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		// A TLS 1.3 server without the sentinel answers a TLS 1.2 hello exactly
		// as this TLS 1.2 script does.
		srv := newFakeT(t, tls12Fake(nil))
		protos := map[uint16][]uint16{registry.VersionTLS12: tls12Suites, registry.VersionTLS13: {0x1301}}
		r := runProbe(t, probeAudit(srv, protos), "downgrade_sentinel").DowngradeSentinel
		wantStatus(t, "sentinel", r.Attempt, obs.AttemptCompleted)
		if r.Sentinel != "" || r.Negotiated != "TLSv1.2" || len(r.RandomTail) != 16 {
			t.Errorf("%+v", r)
		}
	})
	for name, start := range patchedServers(true) {
		t.Run(name, func(t *testing.T) {
			r := runProbe(t, probeAudit(start(t), goProtos), "downgrade_sentinel").DowngradeSentinel
			wantStatus(t, "sentinel", r.Attempt, obs.AttemptCompleted)
			if r.Sentinel != "tls12" || r.RandomTail != hex.EncodeToString([]byte("DOWNGRD\x01")) {
				t.Errorf("%+v", r)
			}
		})
	}
}

func TestProbeServerHelloExtensions(t *testing.T) {
	t.Run("insecure renegotiation", func(t *testing.T) {
		srv := newFakeT(t, tls12Fake(func(c *tlstest.FakeConfig) { c.NoRenegotiationInfo = true }))
		r := runProbe(t, probeAudit(srv, map[uint16][]uint16{registry.VersionTLS12: tls12Suites}), "server_hello_extensions").ServerHelloExtensions
		wantStatus(t, "extensions", r.Attempt, obs.AttemptCompleted)
		if r.SecureRenegotiation || r.ExtendedMasterSecret || r.EncryptThenMAC == nil || *r.EncryptThenMAC {
			t.Errorf("%+v", r)
		}
	})
	t.Run("openssl", func(t *testing.T) {
		r := runProbe(t, probeAudit(startOpenSSL(t), opensslProtos), "server_hello_extensions").ServerHelloExtensions
		wantStatus(t, "extensions", r.Attempt, obs.AttemptCompleted)
		if !r.SecureRenegotiation || r.RenegotiationInfoLength != 0 || !r.ExtendedMasterSecret || r.EncryptThenMAC == nil || !*r.EncryptThenMAC {
			t.Errorf("%+v (etm %v)", r, r.EncryptThenMAC)
		}
	})
	t.Run("go", func(t *testing.T) {
		srv := tlstest.LegacyGoServerT(t)
		r := runProbe(t, probeAudit(srv, legacyProtos), "server_hello_extensions").ServerHelloExtensions
		wantStatus(t, "extensions", r.Attempt, obs.AttemptCompleted)
		// crypto/tls does RFC 5746 and 7627 but not encrypt-then-MAC.
		if !r.SecureRenegotiation || !r.ExtendedMasterSecret || r.EncryptThenMAC == nil || *r.EncryptThenMAC {
			t.Errorf("%+v", r)
		}
	})
}

func TestProbeCompression(t *testing.T) {
	srv := newFakeT(t, tls12Fake(func(c *tlstest.FakeConfig) { c.Compression = true }))
	r := runProbe(t, probeAudit(srv, map[uint16][]uint16{registry.VersionTLS12: tls12Suites}), "compression").Compression
	wantStatus(t, "compression", r.Attempt, obs.AttemptCompleted)
	if r.Method != 1 {
		t.Errorf("deflate server: %+v", r)
	}
	for name, start := range patchedServers(true) {
		t.Run(name, func(t *testing.T) {
			r := runProbe(t, probeAudit(start(t), goProtos), "compression").Compression
			wantStatus(t, "compression", r.Attempt, obs.AttemptCompleted)
			if r.Method != 0 {
				t.Errorf("%+v", r)
			}
		})
	}
}

func TestProbeTicketbleed(t *testing.T) {
	t.Run("vulnerable", func(t *testing.T) {
		srv := tlstest.NewVulnServerT(t, tlstest.VulnConfig{Fake: tls12Fake(nil), Ticketbleed: true})
		r := runProbe(t, probeAudit(srv, map[uint16][]uint16{registry.VersionTLS12: {0xc02f, 0xc030}}), "ticketbleed").Ticketbleed
		wantStatus(t, "ticketbleed", r.Attempt, obs.AttemptCompleted)
		if !r.TicketObtained || len(r.Attempts) != 2 {
			t.Fatalf("%+v", r)
		}
		for _, at := range r.Attempts {
			if at.EchoedIDLength != 32 || !at.PrefixMatches || !at.Resumed || len(at.Extra) != 32 {
				t.Errorf("attempt %+v", at)
			}
		}
		if r.Attempts[0].Extra == r.Attempts[1].Extra {
			t.Errorf("the leaked bytes did not change: %+v", r.Attempts)
		}
	})
	for name, start := range patchedServers(true) {
		t.Run(name, func(t *testing.T) {
			r := runProbe(t, probeAudit(start(t), goProtos), "ticketbleed").Ticketbleed
			wantStatus(t, "ticketbleed", r.Attempt, obs.AttemptCompleted)
			for _, at := range r.Attempts {
				if at.EchoedIDLength != ticketbleedIDLen || !at.PrefixMatches || !at.Resumed {
					t.Errorf("attempt %+v", at)
				}
			}
		})
	}
}

func TestProbeIntolerance(t *testing.T) {
	t.Run("intolerant", func(t *testing.T) {
		srv := newFakeT(t, tls12Fake(func(c *tlstest.FakeConfig) {
			c.IntolerantAbove = registry.VersionTLS12
			c.MaxHelloLen = 1000
		}))
		r := runProbe(t, probeAudit(srv, map[uint16][]uint16{registry.VersionTLS12: tls12Suites}), "intolerance").Intolerance
		wantStatus(t, "intolerance", r.Attempt, obs.AttemptCompleted)
		want := map[string]bool{obs.VariantBaseline: true, obs.VariantLong300: true, obs.VariantLong1800: false,
			obs.VariantUnknownExt: true, obs.VariantGREASE: true, obs.VariantTLS13NoSV: false, obs.VariantTLS14: false}
		checkVariants(t, r, want)
	})
	for name, start := range patchedServers(true) {
		t.Run(name, func(t *testing.T) {
			r := runProbe(t, probeAudit(start(t), goProtos), "intolerance").Intolerance
			wantStatus(t, "intolerance", r.Attempt, obs.AttemptCompleted)
			checkVariants(t, r, map[string]bool{obs.VariantBaseline: true, obs.VariantLong300: true, obs.VariantLong1800: true,
				obs.VariantUnknownExt: true, obs.VariantGREASE: true, obs.VariantTLS13NoSV: true, obs.VariantTLS14: true})
		})
	}
}

func checkVariants(t *testing.T, r *obs.IntoleranceResult, want map[string]bool) {
	t.Helper()
	if len(r.Tests) != len(want) {
		t.Errorf("%d variants, want %d: %+v", len(r.Tests), len(want), r.Tests)
	}
	for _, v := range r.Tests {
		if w, ok := want[v.Name]; !ok || v.Accepted != w {
			t.Errorf("%s: accepted=%v (%s), want %v", v.Name, v.Accepted, v.Answer, w)
		}
		if v.Accepted && v.Negotiated != "TLSv1.2" {
			t.Errorf("%s negotiated %s", v.Name, v.Negotiated)
		}
	}
}

func newFakeT(t *testing.T, cfg tlstest.FakeConfig) *tlstest.Server {
	t.Helper()
	srv, err := tlstest.NewFakeServer(cfg)
	if err != nil {
		t.Fatalf("NewFakeServer: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// TestDerivedPlainHelloMatchesConnection: the probes that take the answer
// to their plain hello from discovery (server_hello_extensions,
// downgrade_sentinel, intolerance's baseline) record what a connection of
// their own records, against real servers.
func TestDerivedPlainHelloMatchesConnection(t *testing.T) {
	for _, tc := range realServers {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.start(t)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			a := discovered(ctx, srv)
			derivedEnv := a.probeEnv()
			if derivedEnv.plainHello(registry.VersionTLS12) == nil {
				t.Fatal("discovery kept no answer to the first TLS 1.2 hello")
			}
			ownEnv := a.probeEnv()
			ownEnv.firstHello = nil
			for _, name := range []string{"server_hello_extensions", "downgrade_sentinel", "intolerance"} {
				run := func(e *probeEnv) *obs.HandshakeProbes {
					o := &obs.Observation{}
					probes[name].run(ctx, e)(o)
					return &o.Probes.HandshakeProbes
				}
				derived, own := run(derivedEnv), run(ownEnv)
				var d, w any
				switch name {
				case "server_hello_extensions":
					if derived.ServerHelloExtensions.DerivedFrom != derivedFromDiscovery {
						t.Errorf("%s: not derived: %+v", name, derived.ServerHelloExtensions.Attempt)
					}
					x, y := *derived.ServerHelloExtensions, *own.ServerHelloExtensions
					x.Attempt, y.Attempt = obs.Attempt{}, obs.Attempt{}
					d, w = x, y
				case "downgrade_sentinel":
					if derived.DowngradeSentinel.DerivedFrom != derivedFromDiscovery {
						t.Errorf("%s: not derived: %+v", name, derived.DowngradeSentinel.Attempt)
					}
					x, y := *derived.DowngradeSentinel, *own.DowngradeSentinel
					x.Attempt, y.Attempt = obs.Attempt{}, obs.Attempt{}
					if x.Sentinel == "" {
						x.RandomTail, y.RandomTail = "", "" // random without the sentinel
					}
					d, w = x, y
				case "intolerance":
					x, y := *derived.Intolerance, *own.Intolerance
					if x.Tests[0].DerivedFrom != derivedFromDiscovery || x.Connections != y.Connections-1 {
						t.Errorf("%s: baseline not derived: %+v, %d connections (own %d)", name, x.Tests[0], x.Connections, y.Connections)
					}
					x.Tests = slices.Clone(x.Tests)
					x.Tests[0].DerivedFrom, x.Connections, y.Connections = "", 0, 0
					d, w = x, y
				}
				dj, _ := json.Marshal(d)
				wj, _ := json.Marshal(w)
				if string(dj) != string(wj) {
					t.Errorf("%s derived from discovery:\n%s\nwith its own connection:\n%s", name, dj, wj)
				}
			}
		})
	}
}

// TestClientSimulationHelloOnlySame: the client simulations record the
// same with a close_notify after each hello as without, on real servers
// and on one that asks most clients for another key share
// (HelloRetryRequest), where the guess that no retry comes is wrong for
// some and the simulation is made again.
func TestClientSimulationHelloOnlySame(t *testing.T) {
	servers := append(realServers[:len(realServers):len(realServers)], struct {
		name  string
		start func(t *testing.T) *tlstest.Server
	}{"openssl s_server, P-384 only", func(t *testing.T) *tlstest.Server {
		return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{Groups: "P-384"})
	}})
	for _, tc := range servers {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.start(t)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			a := discovered(ctx, srv)
			run := func(helloOnly, guessWrong bool) ([]obs.ClientSimulation, int64) {
				e := a.probeEnv()
				e.ep = newEndpoint(srv.Addr, srv.Name, 8, 10*time.Second)
				e.ep.helloOnly = helloOnly
				e.discovered = nil // every client replayed: the replays are compared
				if guessWrong {
					// every key share acceptable: no retry expected
					e.groups13 = nil
					for _, g := range registry.Groups() {
						e.groups13 = append(e.groups13, obs.Group{ID: g.ID})
					}
				}
				r := probeClientSimulation(ctx, e)
				if r.err != nil {
					t.Fatal(r.err)
				}
				return r.sims, e.ep.conns.Load()
			}
			want, wantConns := run(false, false)
			retries := 0
			for _, w := range want {
				if w.HelloRetry {
					retries++
				}
			}
			for _, guessWrong := range []bool{false, true} {
				got, gotConns := run(true, guessWrong)
				for i := range want {
					if fmt.Sprintf("%+v", got[i]) != fmt.Sprintf("%+v", want[i]) {
						t.Errorf("%s with close_notify (wrong guesses %v):\n%+v\nwithout:\n%+v", want[i].ID, guessWrong, got[i], want[i])
					}
				}
				t.Logf("%d simulations, %d with a HelloRetryRequest; %d connections with close_notify (wrong guesses %v), %d without",
					len(want), retries, gotConns, guessWrong, wantConns)
				if gotConns > wantConns+int64(retries) || guessWrong && gotConns != wantConns+int64(retries) {
					t.Errorf("%d connections with close_notify, %d without: want one more per retry at most (exactly when every guess is wrong)", gotConns, wantConns)
				}
			}
		})
	}
}

// discovered returns an audit of srv whose discovery (no probes) is over.
func discovered(ctx context.Context, srv *tlstest.Server) *audit {
	o := &obs.Observation{Target: obs.Target{SNI: srv.Name}}
	a := &audit{ep: newEndpoint(srv.Addr, srv.Name, 8, 10*time.Second), o: o, probes: []string{}}
	a.run(ctx)
	return a
}
