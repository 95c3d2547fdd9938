package scan

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// TestScheduledProbesMatchSequential: the probes of a full audit, started
// while discovery runs, sharing the CBC record probes' baselines and
// sending their records right after the client's Finished, record what
// each probe records when run alone, one after another, on what discovery
// found, with every record sent after the server's Finished (connection
// counts, elapsed times and derived-from markers aside), against real
// servers; the shared baselines are marked as derived and save their
// connections.
func TestScheduledProbesMatchSequential(t *testing.T) {
	var names []string
	for _, n := range ProbeNames() {
		if n != "client_simulation" { // its own equality tests cover it
			names = append(names, n)
		}
	}
	for _, tc := range realServers {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.start(t)
			ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
			defer cancel()
			o := &obs.Observation{Target: obs.Target{SNI: srv.Name}}
			a := &audit{ep: newEndpoint(srv.Addr, srv.Name, 8, 10*time.Second), o: o, probes: names}
			a.run(ctx)
			if o.Status != obs.StatusOK || o.Probes == nil {
				t.Fatalf("audit: status %s (%s), probes %v", o.Status, o.Error, o.Probes)
			}
			for _, e := range o.Errors {
				t.Errorf("probe error: %s: %s", e.Probe, e.Error)
			}
			e := a.probeEnv()
			e.unpipelined = true
			seq := &obs.Observation{}
			for _, n := range names {
				probes[n].run(ctx, e)(seq)
			}
			if got, want := normalizedProbes(t, o.Probes), normalizedProbes(t, seq.Probes); got != want {
				t.Errorf("scheduled probes:\n%s\nsequential:\n%s", got, want)
			}
			// The baselines Lucky Minus 20 shares with POODLE.
			lucky, seqLucky := o.Probes.SessionProbes.LuckyMinus20, seq.Probes.SessionProbes.LuckyMinus20
			shared := 0
			for _, test := range lucky.Tests {
				if test.DerivedFrom != "" {
					if test.DerivedFrom != poodleName || !slices.ContainsFunc(o.Probes.SessionProbes.PoodleTLS.Tests, func(p obs.CBCRecordTest) bool {
						return p.Protocol == test.Protocol && p.Suite == test.Suite
					}) {
						t.Errorf("Lucky Minus 20 baseline %s %s derived from %q, which made no such baseline", test.Protocol, test.Suite, test.DerivedFrom)
					}
					shared++
				}
			}
			if lucky.Connections != seqLucky.Connections-shared {
				t.Errorf("Lucky Minus 20: %d connections with %d baselines shared, %d alone", lucky.Connections, shared, seqLucky.Connections)
			}
			if len(lucky.Tests) > 0 && shared == 0 {
				t.Errorf("Lucky Minus 20 shared no baseline with POODLE: %+v / %+v", lucky.Tests, o.Probes.SessionProbes.PoodleTLS.Tests)
			}
		})
	}
}

// normalizedProbes is p as JSON without what differs between two runs of
// the same probes on the same server: connection counts, derived-from
// markers, elapsed times, and the random bytes of a ServerHello without a
// downgrade sentinel.
func normalizedProbes(t *testing.T, p *obs.Probes) string {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var strip func(v any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"connections", "derived_from", "elapsed_ms"} {
				delete(x, k)
			}
			if _, sentinel := x["sentinel"]; !sentinel {
				delete(x, "random_tail")
			}
			for _, c := range x {
				strip(c)
			}
		case []any:
			for _, c := range x {
				strip(c)
			}
		}
	}
	strip(v)
	out, _ := json.MarshalIndent(v, "", " ")
	return string(out)
}
