package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	_ "github.com/tlsaudit/tlsaudit/checks/all" // registers every check
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/scan/certfetch"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// certConfig is the certificate part of the command line: the trust stores
// chains are validated against and the opt-in fetches done after the scan.
//
// Stores: "mozilla" (embedded, always), "system" (the system bundle, by
// default when readable; --system-store=false leaves it out) and "custom"
// (--ca-file). Each gets its own trust line. The verdict of cert.untrusted,
// and so the grade's T, counts every store but "system": the system store
// differs from machine to machine, and a grade must not.
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

	stores []checks.TrustStore
	// systemLater: the system store was not asked for explicitly, so one
	// that fails to load is left out without an error, and it is read and
	// checked in the background (trustStores waits for it): about 2.5 ms of
	// every run, overlapped with the scan.
	systemLater bool
}

// enrichTimeout bounds all the opt-in fetches of one target together (each
// fetch is also bounded on its own, see certfetch.Limits).
const enrichTimeout = 30 * time.Second

func certFlags(fs *flag.FlagSet, c *certConfig) {
	fs.StringVar(&c.caFile, "ca-file", "", "")
	fs.BoolVar(&c.system, "system-store", true, "")
	fs.BoolVar(&c.fetchAIA, "fetch-aia", false, "")
	fs.BoolVar(&c.checkRevocation, "check-revocation", false, "")
	fs.StringVar(&c.resolver, "resolver", "", "")
	namedStoreFlags(fs, &c.named)
}

// systemStore reads the system bundle once per process.
var systemStore = sync.OnceValues(certfetch.SystemStore)

// debianBlocklist loads the Debian weak key lists once, when installed.
var debianBlocklist = sync.OnceValues(func() (int, error) {
	return certfetch.LoadDebianBlocklist(certfetch.DebianBlocklistDir)
})

// load reads the trust stores and checks the flags; set holds the flags
// given explicitly.
func (c *certConfig) load(set map[string]bool) error {
	c.stores = []checks.TrustStore{cert.MozillaStore()}
	switch {
	case c.system && set["system-store"]:
		st, err := systemStore()
		if err != nil {
			return fmt.Errorf("--system-store: %v", err)
		}
		c.stores = append(c.stores, st)
	case c.system:
		c.systemLater = true
		go systemStore() //nolint:errcheck // trustStores takes the result
	}
	if c.caFile != "" {
		st, err := certfetch.LoadCAFile(c.caFile)
		if err != nil {
			return fmt.Errorf("--ca-file: %v", err)
		}
		c.stores = append(c.stores, st)
	}
	if err := c.named.load(set); err != nil {
		return err
	}
	if c.resolver != "" {
		ap, err := parseResolver(c.resolver)
		if err != nil {
			return fmt.Errorf("invalid --resolver %q: %v", c.resolver, err)
		}
		c.resolver = ap.String()
	}
	if _, err := debianBlocklist(); err != nil {
		return fmt.Errorf("Debian weak key list: %v", err)
	}
	return nil
}

// trustStores returns the stores load set up, in their order (Mozilla,
// system, custom, the platform stores, the named stores), waiting for the
// system and platform stores when they load in the background.
func (c *certConfig) trustStores() []checks.TrustStore {
	out := c.stores
	if c.systemLater {
		out = slices.Clone(c.stores[:1])
		if st, err := systemStore(); err == nil {
			out = append(out, st)
		}
		out = append(out, c.stores[1:]...)
	}
	if named := c.named.stores(); len(named) > 0 {
		out = append(slices.Clip(out), named...)
	}
	return out
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

// enrich runs the opt-in certificate fetches (AIA, revocation, CAA/TLSA) for
// a scanned observation, before the checks judge it. The anchors of every
// store help find the issuer of a chain's last certificate.
func enrich(ctx context.Context, o *obs.Observation, c certConfig, stores []checks.TrustStore) {
	if !c.fetchAIA && !c.checkRevocation && c.resolver == "" {
		return
	}
	var roots [][]byte
	if c.checkRevocation {
		for _, st := range stores {
			roots = append(roots, st.Roots...)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, enrichTimeout)
	defer cancel()
	certfetch.Enrich(ctx, o, certfetch.Options{
		FetchAIA:        c.fetchAIA,
		CheckRevocation: c.checkRevocation,
		Resolver:        c.resolver,
		Roots:           roots,
	})
}
