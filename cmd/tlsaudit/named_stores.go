package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
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

	// stores are the named stores, then the platform stores when they were
	// asked for explicitly or a gate names stores (read now, so that a
	// missing one is an error before any scan).
	stores []truststore.Store
	// platformLater: the engine reads the platform stores in the
	// background and leaves them out when they cannot be read.
	platformLater bool
}

func namedStoreFlags(fs *flag.FlagSet, n *namedStores) {
	fs.Func("trust-store", "", func(s string) error { n.specs = append(n.specs, s); return nil })
	fs.Func("trust-store-dir", "", func(s string) error { n.dirs = append(n.dirs, s); return nil })
	fs.BoolVar(&n.platform, "platform-stores", true, "")
	fs.Func("require-store", "", func(s string) error { n.require = append(n.require, s); return nil })
}

// load reads the named stores; set holds the flags given explicitly.
func (n *namedStores) load(set map[string]bool) error {
	seen := map[string]string{}
	add := func(st truststore.Store, from string) error {
		if prev, dup := seen[st.Name]; dup {
			return fmt.Errorf("%s: store %q is already given by %s", from, st.Name, prev)
		}
		seen[st.Name] = from
		n.stores = append(n.stores, st)
		return nil
	}
	for _, spec := range n.specs {
		name, file, ok := strings.Cut(spec, "=")
		if !ok || name == "" || file == "" {
			return fmt.Errorf("invalid --trust-store %q (want NAME=FILE, e.g. apple=apple-roots.pem)", spec)
		}
		st, err := truststore.LoadNamed(name, file)
		if err != nil {
			return fmt.Errorf("--trust-store %s: %v", name, err)
		}
		if err := add(st, "--trust-store "+spec); err != nil {
			return err
		}
	}
	for _, dir := range n.dirs {
		sts, err := truststore.LoadDir(dir)
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
		sts, err := truststore.Platform(truststore.PlatformDir)
		if err != nil {
			return fmt.Errorf("--platform-stores: %v", err)
		}
		if len(sts) == 0 && set["platform-stores"] {
			return fmt.Errorf("--platform-stores: no platform bundle in %s (Debian's testssl.sh package installs Apple.pem, Microsoft.pem and Java.pem there)", truststore.PlatformDir)
		}
		for _, st := range sts {
			if _, named := seen[st.Name]; !named { // a named store replaces the platform one
				n.stores = append(n.stores, st)
			}
		}
	case n.platform:
		n.platformLater = true
	}
	return nil
}

// checkRequired fails when --require-store or the policy's require_stores
// names a store that is not configured: the gate could never pass. It is
// called after load, with the platform stores read when any is required.
func (c *certConfig) checkRequired(p *policyfile.Policy) error {
	req := slices.Clone(c.named.require)
	if p != nil {
		req = append(req, p.RequireStores...)
	}
	if len(req) == 0 {
		return nil
	}
	have := []string{truststore.MozillaName}
	if c.system {
		have = append(have, truststore.SystemName)
	}
	for _, st := range c.stores[1:] {
		if st.Name != truststore.SystemName {
			have = append(have, st.Name)
		}
	}
	if c.named.platformLater { // only the policy file requires stores: read them now
		if sts, err := truststore.Platform(truststore.PlatformDir); err == nil {
			for _, st := range sts {
				have = append(have, st.Name)
			}
		}
	}
	for i, name := range req {
		from := "--require-store"
		if i >= len(c.named.require) {
			from = "policy require_stores"
		}
		if slices.Contains(have, name) {
			continue
		}
		hint := ""
		if truststore.IsPlatformStore(name) {
			hint = fmt.Sprintf("; the platform bundles come from Debian's testssl.sh package (%s), or give --trust-store %s=FILE", truststore.PlatformDir, name)
		}
		return fmt.Errorf("%s %s: no such trust store (configured: %s)%s", from, name, strings.Join(have, ", "), hint)
	}
	return nil
}
