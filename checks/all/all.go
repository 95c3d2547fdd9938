// Package all is the catalogue of every check: Checks lists them, Registry
// holds them keyed by ID.
package all

import (
	"slices"
	"sync"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/checks/cipher"
	"github.com/tlsaudit/tlsaudit/checks/http"
	"github.com/tlsaudit/tlsaudit/checks/kx"
	"github.com/tlsaudit/tlsaudit/checks/proto"
	"github.com/tlsaudit/tlsaudit/checks/vuln"
)

// Checks returns every check, by category (one line per category, never
// per check).
func Checks() []checks.Check {
	return slices.Concat(cert.Checks(), cipher.Checks(), http.Checks(), kx.Checks(), proto.Checks(), vuln.Checks())
}

// Registry is the registry of every check, built on first use and never
// changed after (callers must not Register into it).
var Registry = sync.OnceValue(func() *checks.Registry {
	r := checks.NewRegistry()
	for _, c := range Checks() {
		r.Register(c)
	}
	return r
})
