package scan

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/clientsim"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// simulations audits srv with the client simulation probe only, live or
// deriving what discovery determines.
func simulations(t *testing.T, srv *tlstest.Server, live bool) *obs.Observation {
	t.Helper()
	s := New(Options{ConnTimeout: 5 * time.Second, Timeout: 60 * time.Second, Probes: []string{"client_simulation", "intolerance"}, LiveClientSimulations: live})
	o := s.Scan(context.Background(), Target{Input: srv.Addr, Host: srv.Host, Port: srv.Port, SNI: srv.Name})
	if o.Status != obs.StatusOK {
		t.Fatalf("status %s: %s", o.Status, o.Error)
	}
	return o
}

// Every client simulation derived from discovery is identical to the
// replay of the same client but for the derived flag, on real servers of
// several kinds; the number derived is fixed per server, so that a
// derivation falling back to a replay shows.
func TestDerivedClientSimulationsEqualLiveOnes(t *testing.T) {
	rsaLeaf, ecLeaf := rsaAndECLeaves(t)
	for _, tc := range []struct {
		name    string
		start   func(t *testing.T) *tlstest.Server
		derived int
	}{
		{"go defaults", func(t *testing.T) *tlstest.Server { return tlstest.NewGoServerT(t, nil) }, 20},
		{"go modern, ECDSA and RSA chains", func(t *testing.T) *tlstest.Server { return tlstest.ModernGoServerT(t) }, 12},
		{"go legacy TLS 1.0-1.2", func(t *testing.T) *tlstest.Server { return tlstest.LegacyGoServerT(t) }, 21},
		{"go TLS 1.2 only", func(t *testing.T) *tlstest.Server {
			return tlstest.NewGoServerT(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12})
		}, 20},
		{"go TLS 1.3 only, P-256 first", func(t *testing.T) *tlstest.Server {
			return tlstest.NewGoServerT(t, &tls.Config{MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.CurveP256, tls.X25519}})
		}, 11},
		{"openssl server order", func(t *testing.T) *tlstest.Server {
			return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1", MaxProtocol: "TLSv1.3",
				Ciphers:      "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:DHE-RSA-AES256-SHA",
				Ciphersuites: "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
				Groups:       "P-384:X25519", ServerPref: true, DHGroup: "modp1024"})
		}, 19},
		{"openssl client order", func(t *testing.T) *tlstest.Server {
			return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.3",
				Ciphers: "AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305"})
		}, 18},
		{"openssl defaults", func(t *testing.T) *tlstest.Server {
			return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.3"})
		}, 18},
		{"openssl TLS 1.3 FFDHE only", func(t *testing.T) *tlstest.Server {
			return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.3", MaxProtocol: "TLSv1.3", Groups: "ffdhe2048"})
		}, 9},
		{"openssl DHE TLS 1.2", func(t *testing.T) *tlstest.Server {
			return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.2",
				Ciphers: "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA", ServerPref: true, DHParamBits: 2048})
		}, 14},
		{"nginx TLS 1.0-1.3 server order", func(t *testing.T) *tlstest.Server {
			return tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3",
				Ciphers:             "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0",
				PreferServerCiphers: true})
		}, 21},
		{"nginx ECDSA and RSA chains", func(t *testing.T) *tlstest.Server {
			return tlstest.StartNginxT(t, tlstest.NginxOptions{Leaves: []*tlstest.Leaf{rsaLeaf, ecLeaf}, Protocols: "TLSv1.2 TLSv1.3",
				Ciphers:             "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
				PreferServerCiphers: true, ECDHCurve: "X25519:secp384r1", TLS13Ciphersuites: "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"})
		}, 16},
		{"scripted server order", func(t *testing.T) *tlstest.Server { return fakeServer(t, tlstest.ServerOrderServer()) }, 0},
		{"scripted server closing on hellos over 511 bytes", func(t *testing.T) *tlstest.Server {
			cfg := tlstest.ServerOrderServer()
			cfg.MaxHelloLen = 511
			return fakeServer(t, cfg)
		}, 0},
		{"openssl server order preferring ChaCha20 for clients that do", func(t *testing.T) *tlstest.Server {
			return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.3", ServerPref: true,
				Ciphers:   "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256",
				ExtraArgs: []string{"-prioritize_chacha"}})
		}, 4},
		{"openssl ECDSA and RSA chains, TLS 1.2 only", func(t *testing.T) *tlstest.Server {
			return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{Leaf: rsaLeaf, ExtraLeaf: ecLeaf, MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.2", ServerPref: true,
				Ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA:AES128-SHA"})
		}, 18},
		{"gnutls NORMAL server order", func(t *testing.T) *tlstest.Server {
			return tlstest.StartGnuTLST(t, tlstest.GnuTLSOptions{Priority: "NORMAL:%SERVER_PRECEDENCE"})
		}, 16},
		{"gnutls NORMAL", func(t *testing.T) *tlstest.Server {
			return tlstest.StartGnuTLST(t, tlstest.GnuTLSOptions{Priority: "NORMAL"})
		}, 21},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.start(t)
			live := simulations(t, srv, true)
			derived := simulations(t, srv, false)
			if len(live.ClientSimulations) == 0 || len(live.ClientSimulations) != len(derived.ClientSimulations) {
				t.Fatalf("%d live simulations, %d with derivation", len(live.ClientSimulations), len(derived.ClientSimulations))
			}
			n := 0
			for i, d := range derived.ClientSimulations {
				l := live.ClientSimulations[i]
				if l.Derived {
					t.Errorf("%s: derived although live simulations were asked for", l.ID)
				}
				if d.Derived {
					n++
				}
				d.Derived = false
				if dj, lj := mustJSON(t, d), mustJSON(t, l); dj != lj {
					t.Errorf("%s:\n derived %s\n live    %s", l.ID, dj, lj)
				}
			}
			checks := 0 // the order checks a ChaCha20 preference may need, and the ALPN check
			legacy := false
			for _, p := range derived.Protocols {
				if chachaCheckPair(p) != nil {
					checks++
				}
				legacy = legacy || p.Supported && p.Version >= 0x0301 && p.Version <= 0x0303
			}
			if profiles, _ := simulatedClients(nil); exoticALPN(profiles) != nil && legacy {
				checks++
			}
			if legacy && (derived.Handshake == nil || derived.Handshake.Protocol != "TLSv1.3") {
				checks++ // the ALPN protocol selected from h2, http/1.1
			}
			if proto(derived, "TLSv1.3").Supported { // the TLS 1.3 group checks
				profiles, _ := simulatedClients(nil)
				sigs := map[string]int{}
				for _, p := range profiles {
					if sigs[groupSignature(p.Hello.Raw)]++; sigs[groupSignature(p.Hello.Raw)] == 2 {
						checks++
					}
				}
			}
			if want := live.ConnectionsByPhase["client_simulation"] - n + checks; derived.ConnectionsByPhase["client_simulation"] > want {
				t.Errorf("%d client simulation connections with %d derived and %d order checks, want at most %d", derived.ConnectionsByPhase["client_simulation"], n, checks, want)
			}
			if tc.derived >= 0 && n != tc.derived {
				t.Errorf("%d of %d simulations derived, want %d", n, len(derived.ClientSimulations), tc.derived)
			}
			t.Logf("%d of %d derived", n, len(derived.ClientSimulations))
			profiles, _ := simulatedClients(nil)
			f := factsOf(derived)
			for i, d := range derived.ClientSimulations {
				if !d.Derived {
					_, why := deriveSimulation(profiles[i], f)
					if why == "" && !tolerant(derived.Probes.Intolerance) {
						why = "intolerance seen"
					}
					t.Logf("live: %s (%s): %s %s %s alpn=%q err=%q", d.ID, why, d.Protocol, d.Suite, d.Group, d.ALPN, d.Error)
				}
			}
		})
	}
}

func fakeServer(t *testing.T, cfg tlstest.FakeConfig) *tlstest.Server {
	t.Helper()
	srv, err := tlstest.NewFakeServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// factsOf rebuilds from an observation what discovery proved, to tell
// why a simulation was not derived.
func factsOf(o *obs.Observation) *simFacts {
	f := &simFacts{protocols: map[uint16]obs.Protocol{}, chains: o.Chains, dh: o.DH, handshake: o.Handshake}
	for _, e := range o.Errors {
		f.unsure = f.unsure || slices.Contains(discoveryErrors, e.Probe)
	}
	for _, p := range o.Protocols {
		f.protocols[p.Version] = p
	}
	if o.Groups != nil {
		f.groups = *o.Groups
	}
	if o.SignatureAlgorithms != nil {
		f.sigalgs = *o.SignatureAlgorithms
	}
	return f
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A server answering some hello variant (a long hello, a higher version)
// otherwise than the plain hello may answer real clients' hellos otherwise
// than discovery's: every client is then replayed.
func TestClientSimulationsReplayedForIntolerantServer(t *testing.T) {
	srv := tlstest.NewGoServerT(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := discovered(ctx, srv)
	variants := func(long obs.HelloVariant) *obs.IntoleranceResult {
		return &obs.IntoleranceResult{Attempt: obs.Attempt{Status: obs.AttemptCompleted}, Baseline: "TLSv1.2", Tests: []obs.HelloVariant{
			{Name: obs.VariantBaseline, Accepted: true, Negotiated: "TLSv1.2"}, long}}
	}
	for _, tc := range []struct {
		name     string
		r        *obs.IntoleranceResult
		tolerant bool
	}{
		{"tolerant", variants(obs.HelloVariant{Name: obs.VariantLong1800, Accepted: true, Negotiated: "TLSv1.2"}), true},
		{"long hello closed", variants(obs.HelloVariant{Name: obs.VariantLong1800, Answer: "closed"}), false},
		{"higher version answered with an older one", variants(obs.HelloVariant{Name: obs.VariantTLS13NoSV, Accepted: true, Negotiated: "TLSv1.0"}), false},
		{"probe inconclusive", &obs.IntoleranceResult{Attempt: obs.Attempt{Status: obs.AttemptInconclusive}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := a.probeEnv()
			e.ep = newEndpoint(srv.Addr, srv.Name, 8, 10*time.Second)
			e.intolerance = func(context.Context) (*obs.IntoleranceResult, bool) { return tc.r, true }
			r := probeClientSimulation(ctx, e)
			if r.err != nil {
				t.Fatal(r.err)
			}
			derived := 0
			for _, s := range r.sims {
				if s.Derived {
					derived++
				}
			}
			conns := int(e.ep.conns.Load())
			switch {
			case tc.tolerant && (derived == 0 || conns > len(r.sims)-derived+2):
				t.Errorf("%d derived, %d connections for %d clients: want some derived, one connection for each other and two checks at most (ALPN, group)", derived, conns, len(r.sims))
			case !tc.tolerant && (derived != 0 || conns < len(r.sims)):
				t.Errorf("%d derived, %d connections for %d clients: want every client replayed", derived, conns, len(r.sims))
			}
		})
	}
}

// What a hello leaves undetermined is replayed, what it rules out is
// skipped: a TLS 1.2 server-order server with ECDHE-RSA-AES128-GCM then
// AES128-SHA, x25519 and P-256, one RSA leaf.
func TestDeriveSimulationRulesOnHelloDetails(t *testing.T) {
	serverOrder := true
	f := &simFacts{
		protocols: map[uint16]obs.Protocol{registry.VersionTLS12: {Name: "TLSv1.2", Version: registry.VersionTLS12, Supported: true,
			Suites: []obs.Suite{{ID: 0xc02f}, {ID: 0x002f}}, ServerOrder: &serverOrder}},
		groups:    obs.Groups{TLS12: []obs.Group{{ID: wire.GroupX25519}, {ID: wire.GroupSecp256r1}}, TLS12ServerOrder: &serverOrder},
		sigalgs:   obs.SignatureAlgorithms{TLS12: []obs.SigAlg{{ID: 0x0804}, {ID: 0x0401}}},
		chains:    []obs.Chain{{Protocol: "TLSv1.2", KeyType: "RSA", Certificates: []obs.Certificate{{SHA256: "aa", KeyType: "RSA"}}}},
		handshake: &obs.Handshake{Protocol: "TLSv1.2"},
	}
	hello := func(edit func(raw *wire.RawClientHello)) clientsim.Profile {
		raw := &wire.RawClientHello{Version: registry.VersionTLS12, CipherSuites: []uint16{0xc02f, 0x002f},
			SupportedGroups: []uint16{wire.GroupSecp256r1}, SignatureAlgorithms: []uint16{0x0401},
			Extensions: []wire.Extension{{Type: wire.ExtECPointFormats, Data: []byte{1, 0}}}}
		if edit != nil {
			edit(raw)
		}
		return clientsim.Profile{ID: "t", Hello: &clientsim.Hello{Raw: raw}}
	}
	for _, tc := range []struct {
		name  string
		edit  func(raw *wire.RawClientHello)
		suite uint16 // 0: replayed
		group string
	}{
		{"plain", nil, 0xc02f, "secp256r1"},
		{"fallback SCSV", func(raw *wire.RawClientHello) { raw.CipherSuites = append(raw.CipherSuites, wire.SCSVFallback) }, 0, ""},
		{"compressed points only", func(raw *wire.RawClientHello) { raw.Extensions[0].Data = []byte{1, 1} }, 0, ""},
		{"a curve tlsaudit never offered", func(raw *wire.RawClientHello) { raw.SupportedGroups = []uint16{0x7777} }, 0, ""},
		{"no curve in common rules ECDHE out", func(raw *wire.RawClientHello) { raw.SupportedGroups = []uint16{wire.GroupSecp521r1} }, 0x002f, ""},
		{"no RSA signature scheme", func(raw *wire.RawClientHello) { raw.SignatureAlgorithms = []uint16{0x0403} }, 0, ""},
		{"an ALPN list without a TLS 1.3 answer to learn from", func(raw *wire.RawClientHello) {
			raw.ALPN = []string{"http/1.1"}
			raw.Extensions = append(raw.Extensions, wire.Extension{Type: wire.ExtALPN})
		}, 0, ""},
		{"TLS 1.3 only, which the server lacks", func(raw *wire.RawClientHello) { raw.SupportedVersions = []uint16{registry.VersionTLS13} }, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, why := deriveSimulation(hello(tc.edit), f)
			switch {
			case tc.suite == 0 && why == "":
				t.Errorf("derived %+v, want a replay", r)
			case tc.suite != 0 && why != "":
				t.Errorf("not derived (%s), want %04x", why, tc.suite)
			case tc.suite != 0 && (r.SuiteID != tc.suite || r.Group != tc.group || r.LeafSHA256 != "aa" || !r.OK || !r.Derived || r.Protocol != "TLSv1.2"):
				t.Errorf("derived %+v, want suite %04x group %q leaf aa", r, tc.suite, tc.group)
			}
		})
	}
}
