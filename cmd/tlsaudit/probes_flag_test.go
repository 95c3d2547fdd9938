package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// --probes none is enumeration only: no probe runs, no probe connection is made.
func TestProbesNone(t *testing.T) {
	srv := tlstest.ModernGoServerT(t)
	var out, errb bytes.Buffer
	code := run([]string{"--probes", "none", "--json", "--sni", srv.Name, srv.Addr}, strings.NewReader(""), &out, &errb)
	if code != 0 && code != 1 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var reps []struct {
		Observation struct {
			Status             string          `json:"status"`
			Probes             json.RawMessage `json:"probes"`
			ConnectionsByPhase map[string]int  `json:"connections_by_phase"`
		} `json:"observation"`
	}
	if err := json.Unmarshal(out.Bytes(), &reps); err != nil || len(reps) != 1 {
		t.Fatalf("bad JSON (%v): %s", err, out.String())
	}
	o := reps[0].Observation
	if o.Status != "ok" {
		t.Fatalf("status %s", o.Status)
	}
	if len(o.Probes) != 0 {
		t.Errorf("probes ran: %s", o.Probes)
	}
	for phase := range o.ConnectionsByPhase {
		if strings.HasPrefix(phase, "probe:") || phase == "client_simulation" {
			t.Errorf("connections made for %s", phase)
		}
	}
}

func TestProbesUnknown(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"--probes", "heartbleed,nope", "127.0.0.1:1"}, strings.NewReader(""), &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), `unknown probe "nope"`) || !strings.Contains(errb.String(), "heartbleed") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// By default the client simulations the enumeration determines are derived
// ("derived": true); --live-client-simulations replays every one.
func TestLiveClientSimulationsFlag(t *testing.T) {
	srv := tlstest.NewGoServerT(t, nil)
	derived := func(args ...string) (n, total int) {
		t.Helper()
		var out, errb bytes.Buffer
		args = append(args, "--probes", "client_simulation,intolerance", "--json", "--sni", srv.Name, srv.Addr)
		if code := run(args, strings.NewReader(""), &out, &errb); code != 0 && code != 1 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		var reps []struct {
			Observation struct {
				ClientSimulations []struct {
					Derived bool `json:"derived"`
				} `json:"client_simulations"`
			} `json:"observation"`
		}
		if err := json.Unmarshal(out.Bytes(), &reps); err != nil || len(reps) != 1 {
			t.Fatalf("bad JSON (%v): %s", err, out.String())
		}
		for _, s := range reps[0].Observation.ClientSimulations {
			if s.Derived {
				n++
			}
		}
		return n, len(reps[0].Observation.ClientSimulations)
	}
	if n, total := derived(); n == 0 || total == 0 {
		t.Errorf("%d of %d simulations derived by default, want some", n, total)
	}
	if n, total := derived("--live-client-simulations"); n != 0 || total == 0 {
		t.Errorf("%d of %d simulations derived with --live-client-simulations, want none", n, total)
	}
}
