package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tlsaudit/tlsaudit/checks"
	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/scan/certfetch"
)

// namedStores is the part of the command line that adds informational
// trust stores: --trust-store NAME=FILE, --trust-store-dir DIR, the
// platform bundles found on the machine (--platform-stores) and the stores
// a CI gate requires (--require-store NAME). Each gets its own trust line
// and cert.store_trust finding; none decides cert.untrusted or the grade.
type namedStores struct {
	specs    []string // NAME=FILE, as given
	dirs     []string
	platform bool
	require  []string

	named []checks.TrustStore // from specs and dirs, in that order
	// platformLater: the platform bundles were not asked for explicitly or
	// required, so they are read in the background (trustStores waits).
	platformLater bool
	platformNow   []checks.TrustStore
}

func namedStoreFlags(fs *flag.FlagSet, n *namedStores) {
	fs.Func("trust-store", "", func(s string) error { n.specs = append(n.specs, s); return nil })
	fs.Func("trust-store-dir", "", func(s string) error { n.dirs = append(n.dirs, s); return nil })
	fs.BoolVar(&n.platform, "platform-stores", true, "")
	fs.Func("require-store", "", func(s string) error { n.require = append(n.require, s); return nil })
}

// platformStores reads the platform bundles once per process.
var platformStores = sync.OnceValues(func() ([]checks.TrustStore, error) {
	return certfetch.PlatformStores(certfetch.PlatformDir)
})

// load reads the named stores; set holds the flags given explicitly.
func (n *namedStores) load(set map[string]bool) error {
	seen := map[string]string{}
	add := func(st checks.TrustStore, from string) error {
		if prev, dup := seen[st.Name]; dup {
			return fmt.Errorf("%s: store %q is already given by %s", from, st.Name, prev)
		}
		seen[st.Name] = from
		n.named = append(n.named, st)
		return nil
	}
	for _, spec := range n.specs {
		name, file, ok := strings.Cut(spec, "=")
		if !ok || name == "" || file == "" {
			return fmt.Errorf("invalid --trust-store %q (want NAME=FILE, e.g. apple=apple-roots.pem)", spec)
		}
		st, err := certfetch.LoadNamedStore(name, file)
		if err != nil {
			return fmt.Errorf("--trust-store %s: %v", name, err)
		}
		if err := add(st, "--trust-store "+spec); err != nil {
			return err
		}
	}
	for _, dir := range n.dirs {
		sts, err := certfetch.LoadStoreDir(dir)
		if err != nil {
			return fmt.Errorf("--trust-store-dir: %v", err)
		}
		for _, st := range sts {
			if err := add(st, "--trust-store-dir "+dir); err != nil {
				return err
			}
		}
	}
	switch {
	case n.platform && (set["platform-stores"] || len(n.require) > 0):
		sts, err := platformStores()
		if err != nil {
			return fmt.Errorf("--platform-stores: %v", err)
		}
		if len(sts) == 0 && set["platform-stores"] {
			return fmt.Errorf("--platform-stores: no platform bundle in %s (Debian's testssl.sh package installs Apple.pem, Microsoft.pem and Java.pem there)", certfetch.PlatformDir)
		}
		n.platformNow = sts
	case n.platform:
		n.platformLater = true
		go platformStores() //nolint:errcheck // stores takes the result
	}
	return nil
}

// stores returns the platform stores and then the named ones; a named store
// replaces the platform store of the same name.
func (n *namedStores) stores() []checks.TrustStore {
	plat := n.platformNow
	if n.platformLater {
		plat, _ = platformStores() // a broken bundle is left out when not asked for
	}
	var out []checks.TrustStore
	for _, p := range plat {
		if !slices.ContainsFunc(n.named, func(s checks.TrustStore) bool { return s.Name == p.Name }) {
			out = append(out, p)
		}
	}
	return append(out, n.named...)
}

// checkRequired fails when --require-store or the policy's require_stores
// names a store that is not configured: the gate could never pass.
func (c *certConfig) checkRequired(p *policyfile.Policy) error {
	if len(c.named.require) == 0 && (p == nil || len(p.RequireStores) == 0) {
		return nil // stores() would wait for the platform stores
	}
	have := []string{"mozilla"}
	if c.system {
		have = append(have, "system")
	}
	if c.caFile != "" {
		have = append(have, "custom")
	}
	for _, st := range c.named.stores() {
		have = append(have, st.Name)
	}
	req := slices.Clone(c.named.require)
	from := "--require-store"
	if p != nil {
		req = append(req, p.RequireStores...)
	}
	for i, name := range req {
		if i >= len(c.named.require) {
			from = "policy require_stores"
		}
		if !slices.Contains(have, name) {
			hint := ""
			if slices.ContainsFunc(certfetch.PlatformBundles, func(b struct{ File, Store, Platform string }) bool { return b.Store == name }) {
				hint = fmt.Sprintf("; the platform bundles come from Debian's testssl.sh package (%s), or give --trust-store %s=FILE", certfetch.PlatformDir, name)
			}
			return fmt.Errorf("%s %s: no such trust store (configured: %s)%s", from, name, strings.Join(have, ", "), hint)
		}
	}
	return nil
}
