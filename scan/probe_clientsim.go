package scan

import (
	"context"
	"sync"

	"github.com/tlsaudit/tlsaudit/scan/clientsim"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Client simulation: replay every captured real client's ClientHello (the
// built-in set plus SetExtraClients) and record what each would negotiate.
// One connection per client, all through a.ep.dial (so within the
// per-endpoint limit).

var extraClients struct {
	mu       sync.Mutex
	profiles []clientsim.Profile
	only     bool
}

// SetExtraClients adds profiles (e.g. loaded with clientsim.LoadDir from
// --clients DIR) to the built-in clients simulated in every later scan;
// with only, they replace the built-in set. nil restores the built-in set.
func SetExtraClients(profiles []clientsim.Profile, only bool) {
	extraClients.mu.Lock()
	defer extraClients.mu.Unlock()
	extraClients.profiles, extraClients.only = profiles, only && len(profiles) > 0
}

// simulatedClients returns the profiles to simulate.
func simulatedClients() ([]clientsim.Profile, error) {
	extraClients.mu.Lock()
	extra, only := extraClients.profiles, extraClients.only
	extraClients.mu.Unlock()
	if only {
		return extra, nil
	}
	builtin, err := clientsim.Builtin()
	return append(builtin, extra...), err
}

func init() { registerProbe("client_simulation", probeClientSimulation) }

func probeClientSimulation(ctx context.Context, a *audit) {
	profiles, err := simulatedClients()
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
					Reference: p.Meta.Reference, Error: "error: " + err.Error()}
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
