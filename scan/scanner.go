// Package scan does all network I/O of tlsaudit: targets in, observations
// (package scan/obs) out.
//
// A Scan of one target resolves it, then runs the discovery probes
// concurrently within a per-endpoint connection limit: protocol support and
// cipher suites per protocol (offer many suites, remove the chosen one,
// repeat), named groups, signature algorithms, DH parameters and the
// certificate chains. Every connection has a deadline and every read a size
// cap, so a stalling or hostile server ends in an error in the observation,
// never in a hang.
package scan

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/certcache"
	"github.com/tlsaudit/tlsaudit/scan/certfetch"
	"github.com/tlsaudit/tlsaudit/scan/clientsim"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/starttls"
)

// Target is one endpoint to audit.
type Target struct {
	Input    string     // as written by the user
	Host     string     // host name or literal address (no brackets)
	Port     int        // TCP port
	IP       netip.Addr // address to dial; zero: resolve Host
	SNI      string     // server_name to send; empty: Host unless Host is an IP literal
	StartTLS string     // "smtp", "imap", ... or empty
	Path     string     // HTTP path (and query) from a URL target; empty: "/"
}

// Options tune a Scanner.
type Options struct {
	// ConnTimeout bounds each connection (dial + exchange). Default 5s.
	ConnTimeout time.Duration
	// Timeout bounds the whole audit of one target. Default 60s.
	Timeout time.Duration
	// PerHost is the maximum number of concurrent connections to one IP
	// address, shared by the concurrent scans of every target on that
	// address (names on one server, ports of one host). Default 8.
	PerHost int
	// Quick makes one handshake only, at the best protocol: protocol, suite,
	// group and chain (expiry, hostname, trust), no enumeration and no
	// probes; the observation's Mode is obs.ModeQuick.
	Quick bool
	// Resolver resolves host names; nil uses net.DefaultResolver.
	Resolver *net.Resolver
	// HTTP tunes the HTTP probes (a Target's Path overrides HTTP.Path).
	HTTP HTTPOptions
	// Probes names the probes to run after discovery (see ProbeNames); nil
	// runs them all, an empty non-nil slice none (enumeration only).
	Probes []string
	// Clients are captured ClientHellos simulated besides the built-in set
	// (e.g. clientsim.LoadDir of --clients DIR).
	Clients []clientsim.Profile
	// Fetch chooses the opt-in certificate fetches (AIA issuers, OCSP/CRL
	// revocation, CAA/TLSA over a given resolver) done for a target whose
	// handshakes succeeded, after them and within FetchTimeout; the zero
	// value fetches nothing.
	Fetch certfetch.Options
	// Certs, when set, keeps the parses of served certificates for the
	// certificate checks (and calls its hook for each new one).
	Certs *certcache.Cache
	// FetchTimeout bounds all the fetches of one target together (each is
	// also bounded on its own, see certfetch.Limits). Default 30s.
	FetchTimeout time.Duration
	// LiveClientSimulations replays every client simulation on a connection
	// of its own; by default a client whose handshake the enumeration
	// determines exactly is derived from it (obs.ClientSimulation.Derived).
	LiveClientSimulations bool
}

// fetching reports whether o asks for any certificate fetch.
func fetching(o certfetch.Options) bool {
	return o.FetchAIA || o.CheckRevocation || o.Resolver != ""
}

// Scanner audits endpoints. It is safe for concurrent use.
type Scanner struct {
	opts Options

	hostsMu sync.Mutex
	hosts   map[netip.AddrPort]*hostSlot // per-endpoint connection limits of running scans
}

// hostSlot is the connection limit of one endpoint (IP address and port),
// kept while scans of it run. It is per endpoint, not per address, so that a
// stalling service cannot starve the other ports of the same machine.
type hostSlot struct {
	sem   *connLimit
	users int
}

// hostSem returns the connection semaphore of an endpoint, shared by
// concurrent scans of it (e.g. several names on one address); release drops
// it when the last one ends, so the map holds only the endpoints being scanned.
func (s *Scanner) hostSem(ip netip.AddrPort) (sem *connLimit, release func()) {
	s.hostsMu.Lock()
	defer s.hostsMu.Unlock()
	if s.hosts == nil {
		s.hosts = map[netip.AddrPort]*hostSlot{}
	}
	h := s.hosts[ip]
	if h == nil {
		h = &hostSlot{sem: newConnLimit(s.opts.PerHost)}
		s.hosts[ip] = h
	}
	h.users++
	return h.sem, func() {
		s.hostsMu.Lock()
		defer s.hostsMu.Unlock()
		if h.users--; h.users == 0 {
			delete(s.hosts, ip)
		}
	}
}

// New returns a Scanner with opts (zero fields take defaults).
func New(opts Options) *Scanner {
	if opts.ConnTimeout <= 0 {
		opts.ConnTimeout = 5 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.PerHost <= 0 {
		opts.PerHost = 8
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = 30 * time.Second
	}
	return &Scanner{opts: opts}
}

// Scan audits one target. It never returns nil: failures are recorded in the
// observation's Status and Error.
func (s *Scanner) Scan(ctx context.Context, t Target) (o *obs.Observation) {
	start := time.Now()
	o = &obs.Observation{Schema: obs.SchemaVersion, Started: start.UTC().Truncate(time.Millisecond)}
	o.Target = obs.Target{Input: t.Input, Host: t.Host, Port: t.Port, SNI: sniFor(t), StartTLS: t.StartTLS}
	defer func() {
		if r := recover(); r != nil {
			o.Status = obs.StatusInternalError
			o.Error = fmt.Sprintf("internal error: %v\n%s", r, debug.Stack())
		}
		o.ElapsedMS = time.Since(start).Milliseconds()
	}()
	if t.Port <= 0 || t.Port > 65535 {
		o.Status, o.Error = obs.StatusInvalidTarget, fmt.Sprintf("invalid port %d", t.Port)
		return o
	}
	if t.StartTLS != "" && starttls.DefaultPort(t.StartTLS) == 0 {
		o.Status, o.Error = obs.StatusInvalidTarget, fmt.Sprintf("unknown STARTTLS protocol %q (want one of %s)", t.StartTLS, strings.Join(starttls.Protocols(), ", "))
		return o
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()

	ip := t.IP
	if !ip.IsValid() {
		if a, err := netip.ParseAddr(t.Host); err == nil {
			ip = a
		} else {
			addrs, err := s.opts.Resolver.LookupNetIP(ctx, "ip", t.Host)
			if err != nil || len(addrs) == 0 {
				o.Status, o.Error = obs.StatusResolveError, fmt.Sprintf("resolve %s: %v", t.Host, err)
				return o
			}
			ip = addrs[0]
		}
	}
	ip = ip.Unmap()
	o.Target.IP = ip.String()
	addr := net.JoinHostPort(ip.String(), strconv.Itoa(t.Port))
	httpOpts := s.opts.HTTP
	if t.Path != "" {
		httpOpts.Path = t.Path
	}
	a := &audit{certs: s.opts.Certs, clients: s.opts.Clients, probes: s.opts.Probes, liveSims: s.opts.LiveClientSimulations, http: httpOpts, ep: newEndpoint(addr, o.Target.SNI, s.opts.PerHost, s.opts.ConnTimeout), o: o}
	sem, release := s.hostSem(netip.AddrPortFrom(ip, uint16(t.Port)))
	defer release()
	a.ep.sem = sem
	if t.StartTLS != "" {
		a.ep.startTLS, a.ep.startHost = t.StartTLS, o.Target.SNI
		if a.ep.startHost == "" {
			a.ep.startHost = t.Host
		}
	}
	if s.opts.Quick {
		a.runQuick(ctx)
	} else {
		o.Mode = obs.ModeFull
		a.run(ctx)
	}
	o.Connections = int(a.ep.conns.Load())
	o.ConnectionsByPhase = a.ep.phases()
	// Once the audit's context ended, connection timeouts are its doing, not
	// the server's.
	switch o.Status {
	case obs.StatusOK, obs.StatusConnectionTimeout, obs.StatusTimeout, obs.StatusCanceled:
		err := ctx.Err()
		if d, ok := ctx.Deadline(); ok && err == nil && !time.Now().Before(d) {
			// A dial timed out by the poller at the audit's deadline can
			// return a moment before the context's own timer fires.
			err = context.DeadlineExceeded
		}
		switch err {
		case context.DeadlineExceeded:
			o.Status = obs.StatusTimeout
			o.Error = fmt.Sprintf("audit did not finish within %s; results are partial", s.opts.Timeout)
		case context.Canceled:
			o.Status = obs.StatusCanceled
			o.Error = "the run was interrupted before the audit finished; results are partial"
		}
	}
	if o.Status == obs.StatusOK && fetching(s.opts.Fetch) {
		fctx, cancel := context.WithTimeout(parent, s.opts.FetchTimeout)
		defer cancel()
		certfetch.Enrich(fctx, o, s.opts.Fetch)
	}
	return o
}

// sniFor returns the server_name to send for t.
func sniFor(t Target) string {
	if t.SNI != "" {
		return t.SNI
	}
	if _, err := netip.ParseAddr(t.Host); err == nil {
		return ""
	}
	return t.Host
}
