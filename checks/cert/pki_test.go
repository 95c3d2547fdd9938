package cert

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/certtest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// The test PKI (package certtest) under this package's short names.
type tcert = certtest.Cert

var (
	testNow  = certtest.Now
	getPKI   = certtest.Get
	observe  = certtest.Observe
	issue    = certtest.Issue
	ecKey    = certtest.ECKey
	caTmpl   = certtest.CATemplate
	leafTmpl = certtest.LeafTemplate
)

func envWith(roots ...*tcert) checks.Env {
	st := checks.TrustStore{Name: "custom"}
	for _, r := range roots {
		st.Roots = append(st.Roots, r.DER)
	}
	return checks.Env{Now: testNow, Stores: []checks.TrustStore{st}}
}

// run evaluates one registered check as checks.Run does (applicability
// first).
func run(t *testing.T, id string, o *obs.Observation, env checks.Env) []checks.Finding {
	t.Helper()
	c, ok := lookup(id)
	if !ok {
		t.Fatalf("check %s not registered", id)
	}
	return checks.Evaluate(c, o, env)
}

// status returns the single status of check id, failing if it yields several.
func status(t *testing.T, id string, o *obs.Observation, env checks.Env) checks.Status {
	t.Helper()
	fs := run(t, id, o, env)
	st := checks.StatusPass
	for _, f := range fs {
		if f.Status == checks.StatusFail {
			return checks.StatusFail
		}
		st = f.Status
	}
	return st
}

// lookup finds the check id among this package's checks.
func lookup(id string) (checks.Check, bool) {
	for _, c := range Checks() {
		if c.Meta().ID == id {
			return c, true
		}
	}
	return nil, false
}
