package scan

import (
	"context"
	"errors"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/clientsim"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Client simulation: replay every captured real client's ClientHello (the
// built-in set plus Options.Clients) and every synthesised legacy client's
// (clientsim.Legacy), and record what each would negotiate.
// One connection per client, all through e.ep.dial (so within the
// per-endpoint limit).

// simulatedClients returns the built-in profiles plus extra ones; an extra
// profile with the ID of a built-in one replaces it.
func simulatedClients(extra []clientsim.Profile) ([]clientsim.Profile, error) {
	builtin, err := clientsim.Builtin()
	if legacy, lerr := clientsim.Legacy(); lerr != nil {
		err = errors.Join(err, lerr)
	} else {
		builtin = append(builtin, legacy...)
	}
	seen := map[string]bool{}
	for _, p := range extra {
		seen[p.ID] = true
	}
	out := make([]clientsim.Profile, 0, len(builtin)+len(extra))
	for _, p := range builtin {
		if !seen[p.ID] {
			out = append(out, p)
		}
	}
	return append(out, extra...), err
}

func init() {
	registerProbe("client_simulation", probeClientSimulation, func(o *obs.Observation, r clientSimResult) {
		if r.err != nil {
			addProbeError(o, "client_simulation", r.err)
		}
		if r.sims != nil {
			o.ClientSimulations = r.sims
		}
	})
}

// clientSimResult is the simulations, and an error loading the profiles.
type clientSimResult struct {
	sims []obs.ClientSimulation
	err  error
}

func probeClientSimulation(ctx context.Context, e *probeEnv) clientSimResult {
	profiles, err := simulatedClients(e.clients)
	if len(profiles) == 0 {
		return clientSimResult{err: err}
	}
	ctx = withPhase(ctx, "client_simulation")
	results := make([]obs.ClientSimulation, len(profiles))
	var wg sync.WaitGroup
	for i, p := range profiles {
		wg.Go(func() {
			c, err := e.ep.dial(ctx)
			if err != nil {
				results[i] = obs.ClientSimulation{Client: p.Meta.Label, ID: p.ID, Source: p.Source,
					Reference: p.Meta.Reference, Origin: p.Meta.Origin, Error: "error: " + err.Error()}
				return
			}
			defer c.Close()
			results[i] = clientsim.Simulate(c, p, e.ep.sni)
		})
	}
	wg.Wait()
	return clientSimResult{sims: results, err: err}
}
