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
// One connection per client, all through a.ep.dial (so within the
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

func init() { registerProbe("client_simulation", probeClientSimulation) }

func probeClientSimulation(ctx context.Context, a *audit) {
	profiles, err := simulatedClients(a.clients)
	if err != nil {
		a.probeError("client_simulation", err)
	}
	if len(profiles) == 0 {
		return
	}
	ctx = withPhase(ctx, "client_simulation")
	results := make([]obs.ClientSimulation, len(profiles))
	var wg sync.WaitGroup
	for i, p := range profiles {
		wg.Go(func() {
			c, err := a.ep.dial(ctx)
			if err != nil {
				results[i] = obs.ClientSimulation{Client: p.Meta.Label, ID: p.ID, Source: p.Source,
					Reference: p.Meta.Reference, Origin: p.Meta.Origin, Error: "error: " + err.Error()}
				return
			}
			defer c.Close()
			results[i] = clientsim.Simulate(c, p, a.ep.sni)
		})
	}
	wg.Wait()
	a.mu.Lock()
	a.o.ClientSimulations = results
	a.mu.Unlock()
}
