package main

import (
	"flag"
	"fmt"
	"net/netip"

	"github.com/tlsaudit/tlsaudit/checks/weakkey"
	"github.com/tlsaudit/tlsaudit/scan/certfetch"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// certConfig is the certificate part of the command line: the trust stores
// chains are validated against and the opt-in fetches done in the scan.
//
// Stores: "mozilla" (embedded, always), "system" (the system bundle, by
// default when readable; --system-store=false leaves it out), "custom"
// (--ca-file) and the named and platform stores (named_stores.go). Each gets
// its own trust line. The verdict of cert.untrusted, and so the grade's T,
// counts mozilla and custom only: the system store differs from machine to
// machine, and a grade must not; the others are shown as SSL Labs shows its
// platform stores.
//
// Network: without --fetch-aia, --check-revocation and --resolver nothing is
// fetched and no DNS lookup is made beyond resolving the target itself.
type certConfig struct {
	caFile          string
	system          bool
	fetchAIA        bool
	checkRevocation bool
	resolver        string // "ip:port" once loaded
	named           namedStores

	stores []truststore.Store
	// systemLater: the system store was not asked for explicitly, so the
	// engine reads it in the background and leaves it out when it fails
	// to load.
	systemLater bool
	weak        *weakkey.List // the Debian weak key list, when installed
}

func certFlags(fs *flag.FlagSet, c *certConfig) {
	fs.StringVar(&c.caFile, "ca-file", "", "")
	fs.BoolVar(&c.system, "system-store", true, "")
	fs.BoolVar(&c.fetchAIA, "fetch-aia", false, "")
	fs.BoolVar(&c.checkRevocation, "check-revocation", false, "")
	fs.StringVar(&c.resolver, "resolver", "", "")
	namedStoreFlags(fs, &c.named)
}

// load reads the trust stores and checks the flags; set holds the flags
// given explicitly.
func (c *certConfig) load(set map[string]bool) error {
	c.stores = []truststore.Store{truststore.Mozilla()}
	switch {
	case c.system && set["system-store"]:
		st, err := truststore.System()
		if err != nil {
			return fmt.Errorf("--system-store: %v", err)
		}
		c.stores = append(c.stores, st)
	case c.system:
		c.systemLater = true
	}
	if c.caFile != "" {
		st, err := truststore.Load(truststore.CustomName, c.caFile)
		if err != nil {
			return fmt.Errorf("--ca-file: %v", err)
		}
		c.stores = append(c.stores, st)
	}
	if err := c.named.load(set); err != nil {
		return err
	}
	c.stores = append(c.stores, c.named.stores...)
	if c.resolver != "" {
		ap, err := parseResolver(c.resolver)
		if err != nil {
			return fmt.Errorf("invalid --resolver %q: %v", c.resolver, err)
		}
		c.resolver = ap.String()
	}
	w, err := weakkey.Load(weakkey.DebianDir)
	if err != nil {
		return fmt.Errorf("Debian weak key list: %v", err)
	}
	c.weak = w
	return nil
}

// fetch is the scan's certificate fetch options.
func (c *certConfig) fetch() certfetch.Options {
	return certfetch.Options{FetchAIA: c.fetchAIA, CheckRevocation: c.checkRevocation, Resolver: c.resolver}
}

// parseResolver accepts an IP address with an optional port (53 by
// default). Names are refused: resolving one would be a DNS lookup of its own.
func parseResolver(s string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap, nil
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("want an IP address, optionally with a port (127.0.0.1:53, [::1]:5353)")
	}
	return netip.AddrPortFrom(ip, 53), nil
}
