package scan

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// The bench's nginx-legacy order (an admin's ssl_ciphers, server order):
// TLS 1.2 accepts all eight, TLS 1.0 and 1.1 the three CBC-SHA1 ones.
var legacyOrder12 = []uint16{0xC030, 0xC02F, 0xCCA8, 0xC028, 0xC027, 0xC014, 0xC013, 0x002F}

// chainsWithBoard runs the suite chains of TLS 1.0-1.2 side by side against
// in-memory servers answering after delay, speculating with board (nil:
// none), and returns their selections, connections and wall time.
func chainsWithBoard(t *testing.T, board *orderBoard, accepts map[uint16][]uint16, delay time.Duration) (map[uint16]selection, int, time.Duration) {
	t.Helper()
	var mu sync.Mutex
	out := map[uint16]selection{}
	conns := 0
	var wg sync.WaitGroup
	start := time.Now()
	for v, acc := range accepts {
		wg.Go(func() {
			pick, n := orderServer{accepts: acc, serverOrder: true, delay: delay}.counted()
			base := suitesToOffer(v)
			sp := newSpeculator(base, pick, 8)
			sp.board, sp.version = board, v
			sel := repeatedSelection(context.Background(), base, sp.Pick, registry.SuiteName)
			sp.Close()
			mu.Lock()
			out[v] = sel
			conns += int(n.Load())
			mu.Unlock()
		})
	}
	wg.Wait()
	return out, conns, time.Since(start)
}

func TestCrossProtocolPredictionInMemory(t *testing.T) {
	var legacy10 []uint16
	for _, id := range legacyOrder12 {
		if slices.Contains(suitesToOffer(registry.VersionTLS10), id) {
			legacy10 = append(legacy10, id)
		}
	}
	accepts := map[uint16][]uint16{registry.VersionTLS10: legacy10, registry.VersionTLS11: legacy10, registry.VersionTLS12: legacyOrder12}
	d := 20 * time.Millisecond
	want, seqConns, seqTime := chainsWithBoard(t, nil, accepts, d)
	got, conns, wall := chainsWithBoard(t, newOrderBoard(), accepts, d)
	for v := range accepts {
		if !slices.Equal(got[v].accepted, want[v].accepted) || deref(got[v].serverOrder) != deref(want[v].serverOrder) {
			t.Errorf("%x: %x, without board %x", v, got[v].accepted, want[v].accepted)
		}
	}
	t.Logf("without board %d conns %v (%.1f rounds), with %d conns %v (%.1f rounds)", seqConns, seqTime, float64(seqTime)/float64(d), conns, wall, float64(wall)/float64(d))
}

// TestCrossProtocolPrediction: against servers with an administrator's
// own order at TLS 1.0-1.2 (neither OpenSSL's nor the client's, so neither
// order model predicts it), discovery with the chains predicting each
// other's picks finds exactly what sequential discovery finds, and the
// TLS 1.2 chain is shorter: fewer of its connections are waited for from
// the start, at no more connections in all than without the board.
func TestCrossProtocolPrediction(t *testing.T) {
	for _, tt := range []struct {
		name  string
		start func(t *testing.T) *tlstest.Server
	}{
		{"nginx TLS 1.0-1.3 custom order", func(t *testing.T) *tlstest.Server {
			return tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", SecLevel0: true, PreferServerCiphers: true,
				Ciphers: "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA"})
		}},
		{"openssl s_server TLS 1.0-1.2 custom order", func(t *testing.T) *tlstest.Server {
			return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1", MaxProtocol: "TLSv1.2", ServerPref: true,
				Ciphers: "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA:AES256-SHA:CAMELLIA128-SHA"})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.start(t)
			want, seqConns, _ := discoverSteps(srv, func(a *audit) { a.ep.specDepth = 1 })
			without, noBoardConns, noBoardSteps := discoverSteps(srv, func(a *audit) { a.noBoard = true })
			got, conns, steps := discoverSteps(srv, func(a *audit) {})
			if g, w := discoveryFacts(got), discoveryFacts(want); g != w {
				t.Errorf("with cross-protocol prediction:\n%s\nsequential:\n%s", g, w)
			}
			if g, w := discoveryFacts(without), discoveryFacts(want); g != w {
				t.Errorf("without cross-protocol prediction:\n%s\nsequential:\n%s", g, w)
			}
			t.Logf("connections: %d sequential, %d speculating without the board, %d with; TLS 1.2 chain steps %d without the board, %d with",
				seqConns, noBoardConns, conns, noBoardSteps, steps)
			if steps >= noBoardSteps {
				t.Errorf("the TLS 1.2 chain waited for %d answers with the board, %d without: want fewer", steps, noBoardSteps)
			}
			if conns > noBoardConns {
				t.Errorf("%d connections with the board, %d without: want no more", conns, noBoardConns)
			}
		})
	}
}

// discoverSteps is discover, with the audit set by set, also returning
// the steps of the TLS 1.2 suite chain (audit.chainSteps).
func discoverSteps(srv *tlstest.Server, set func(a *audit)) (*obs.Observation, int, int) {
	o := &obs.Observation{}
	a := &audit{ep: newEndpoint(srv.Addr, srv.Name, 8, 10*time.Second), o: o, probes: []string{}}
	set(a)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	a.run(ctx)
	return o, int(a.ep.conns.Load()), a.chainSteps[registry.VersionTLS12]
}
