package cert

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Analyze computes the certificate analysis of o under env: its clock,
// hostname, stores, weak key list and caches (env.Analyzer, env.Certs).
func Analyze(o *obs.Observation, env checks.Env) *certanalysis.Analysis {
	return env.Analyzer.Analyze(o, Input(env))
}

// Input is the part of env a certificate analysis depends on.
func Input(env checks.Env) certanalysis.Input {
	return certanalysis.Input{Now: env.Now, ExpiryWarn: env.ExpiryWarn, Hostname: env.Hostname,
		Stores: env.Stores, WeakKeys: env.WeakKeys, Certs: env.Certs}
}
