package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// IDs of the full-handshake probe checks the grade does not read.
const (
	IDClientRenegotiation = "vuln.client_renegotiation"
	IDNoSessionResumption = "vuln.no_session_resumption"
	IDEarlyData           = "vuln.early_data"
)

// sessionCheck is probeCheck for the results in obs.SessionProbes.
func sessionCheck[R any](name string, get func(*obs.SessionProbes) *R, attempt func(*R) obs.Attempt,
	judge func(o *obs.Observation, r *R) checks.Finding) checks.EvalFunc {
	return func(o *obs.Observation, env checks.Env) []checks.Finding {
		var r *R
		if o.Probes != nil {
			r = get(&o.Probes.SessionProbes)
		}
		if r == nil {
			return checks.One(checks.NotApplicable("the " + name + " probe did not run"))
		}
		// Reuse the attempt handling of probeCheck through an adapter.
		return probeCheck(name, func(*obs.HandshakeProbes) *R { return r }, attempt, judge)(withProbes(o), env)
	}
}

// withProbes returns o with a non-nil Probes, so probeCheck reaches get.
func withProbes(o *obs.Observation) *obs.Observation {
	if o.Probes != nil {
		return o
	}
	c := *o
	c.Probes = &obs.Probes{}
	return &c
}
