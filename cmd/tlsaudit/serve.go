package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan"
	labs "github.com/tlsaudit/tlsaudit/serve"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

const serveUsage = `Usage: tlsaudit serve [flags]

A self-hosted SSL Labs: the SSL Labs API v3 and v4 (/api/v3/, /api/v4/) and a
native API (/api/tlsaudit/v1/), answered from assessments queued in a database
and run by this process's workers.

Flags:
  --listen ADDR          listen address (default 127.0.0.1:8080); a non-loopback
                         address requires an API key
  --db PATH|URL          SQLite file (default tlsaudit-serve.db) or
                         postgres://user@host/db (several replicas share its queue)
  --ca-file FILE         also validate chains against the roots in FILE (PEM)
  --trust-store NAME=FILE, --trust-store-dir DIR, --platform-stores
                         more named trust stores, each with its own trust line
                         (SSL Labs trustPaths, getRootCertsRaw?trustStore=N); as
                         for audits
  --allow-targets LIST   CIDR prefixes, addresses and host names that may be
                         assessed although private, loopback, link-local, ...
                         (by default only public addresses are)
  --workers N            assessments run at once by this process (default 2;
                         0: API only, another replica runs them)
  --api-key KEY,...      require one of these keys (X-API-Key header, or the URL
                         prefix /k/KEY/ for clients that only take a URL); also
                         read from TLSAUDIT_API_KEY
  --emails LIST          v4: accept only these email headers (default: any
                         syntactically valid address)
  --max-assessments N    concurrent assessments per client (default 10)
  --cool-off DURATION    least time between two new assessments of one client (default 1s; 0: none)
  --target-cool-off DURATION
                         a host assessed less than this ago is not assessed again
                         on startNew, the finished result is returned (default 1m)
  --timeout DURATION     bound of one endpoint's audit (default 5m)
  --lease DURATION       how long a worker's claim on an assessment lasts without
                         renewal (default 30s); the assessment of a replica that
                         died is taken over by another once its lease lapses
  --instance NAME        this replica's name in the queue (default: random)
  --quick                one handshake per endpoint instead of a full audit

Point Qualys' ssllabs-scan at it with: ssllabs-scan -api http://127.0.0.1:8080/api/v3/ HOST
`

// serveConfig is the parsed serve command line.
type serveConfig struct {
	listen, db, allow, keys, emails string
	workers, maxAssessments         int
	coolOff, targetCoolOff, timeout time.Duration
	lease                           time.Duration
	instance                        string
	quick                           bool
	certs                           certConfig
}

func serveFlagSet(c *serveConfig, wc *webConfig) *flag.FlagSet {
	fs := newFlagSet("serve")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "")
	fs.StringVar(&c.db, "db", "tlsaudit-serve.db", "")
	fs.StringVar(&c.allow, "allow-targets", "", "")
	fs.StringVar(&c.keys, "api-key", os.Getenv("TLSAUDIT_API_KEY"), "")
	fs.StringVar(&c.emails, "emails", "", "")
	fs.IntVar(&c.workers, "workers", 2, "")
	fs.IntVar(&c.maxAssessments, "max-assessments", 10, "")
	fs.DurationVar(&c.coolOff, "cool-off", time.Second, "")
	fs.DurationVar(&c.targetCoolOff, "target-cool-off", time.Minute, "")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "")
	fs.DurationVar(&c.lease, "lease", 30*time.Second, "")
	fs.StringVar(&c.instance, "instance", "", "")
	fs.BoolVar(&c.quick, "quick", false, "")
	webFlags(fs, wc)
	fs.StringVar(&c.certs.caFile, "ca-file", "", "")
	namedStoreFlags(fs, &c.certs.named)
	return fs
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c serveConfig
	var wc webConfig
	fs := serveFlagSet(&c, &wc)
	rest, _, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, serveUsage+serveWebUsage)
			return exitOK
		}
		return usageError(stderr, err.Error(), "run 'tlsaudit serve --help' for usage")
	}
	fail := func(msg string) int { return usageError(stderr, msg, "run 'tlsaudit serve --help' for usage") }
	if len(rest) > 0 {
		return fail(fmt.Sprintf("serve takes no targets (got %q)", rest[0]))
	}
	policy, err := labs.ParseAllow(c.allow)
	if err != nil {
		return fail(err.Error())
	}
	var keys, emails []string
	for _, k := range strings.Split(c.keys, ",") {
		if k = strings.TrimSpace(k); k != "" {
			if len(k) < 16 || strings.ContainsAny(k, "/?#% ") {
				return fail("--api-key: a key must be at least 16 characters, without / ? # % or spaces")
			}
			keys = append(keys, k)
		}
	}
	for _, e := range strings.Split(c.emails, ",") {
		if e = strings.TrimSpace(e); e != "" {
			emails = append(emails, e)
		}
	}
	if c.workers < 0 || c.maxAssessments < 1 || c.coolOff < 0 || c.timeout <= 0 || c.lease < 300*time.Millisecond {
		return fail("--workers must be at least 0, --max-assessments at least 1, durations positive, --lease at least 300ms")
	}
	if strings.ContainsAny(c.instance, "/ \t\n") || len(c.instance) > 64 {
		return fail("--instance: at most 64 characters, without / or spaces")
	}
	if !loopbackListen(c.listen) && len(keys) == 0 {
		return fail(fmt.Sprintf("--listen %s is not a loopback address: give an API key (--api-key or TLSAUDIT_API_KEY)", c.listen))
	}
	ws, err := wc.load(stderr)
	if err != nil {
		return fail(err.Error())
	}
	c.certs.system = false
	// The platform stores (apple, windows, java when installed: SSL Labs'
	// platform lines) unless --platform-stores=false.
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if err := c.certs.load(set); err != nil {
		return fail(err.Error())
	}

	st, err := store.Open(ctx, c.db)
	if err != nil {
		errorf(stderr, "%v", err)
		return exitScan
	}
	defer st.Close()
	if st.Dialect() == "sqlite" {
		// This process is the database's only user: assessments left
		// running by a previous process that died are taken over now.
		if err := st.ExpireLeases(ctx); err != nil {
			errorf(stderr, "%v", err)
			return exitScan
		}
	}
	ws.newMetrics(st)
	eng, err := tlsaudit.New(tlsaudit.Options{
		Scan:     scan.Options{Timeout: c.timeout, Quick: c.quick},
		Fetch:    c.certs.fetch(),
		Stores:   c.certs.stores,
		WeakKeys: c.certs.weak,
		// The platform stores are read in the background.
		PlatformStores: c.certs.named.platformLater,
		Tool:           report.Tool{Name: "tlsaudit", Version: toolVersion()},
	})
	if err != nil {
		return fail(err.Error())
	}
	defer eng.Close()
	coolOff := c.coolOff
	if coolOff == 0 {
		coolOff = -1 // none (the Config's zero is its default)
	}
	srv, err := labs.New(labs.Config{
		Store: st, Workers: c.workers, NoWorkers: c.workers == 0, Policy: policy,
		APIKeys: keys, Emails: emails, MaxAssessments: c.maxAssessments, CoolOff: coolOff,
		TargetCoolOff: c.targetCoolOff, AuditTimeout: c.timeout + 30*time.Second,
		Lease: c.lease, Instance: c.instance,
		EngineVersion: toolVersion(), Stores: eng.Stores,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Audit: ws.audit(func(ctx context.Context, t labs.Target) *report.Report {
			return eng.Audit(ctx, scan.Target{Input: net.JoinHostPort(t.Host, fmt.Sprint(t.Port)), Host: t.Host, IP: t.IP, Port: t.Port})
		}),
		Pages: ws.handler(),
	})
	if err != nil {
		errorf(stderr, "%v", err)
		return exitScan
	}
	if err := ws.attach(srv, st, eng.Stores, report.Tool{Name: "tlsaudit", Version: toolVersion()}); err != nil {
		return fail(err.Error())
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		errorf(stderr, "%v", err)
		return exitScan
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10}
	fmt.Fprintf(stderr, "tlsaudit serve: listening on http://%s/ (SSL Labs API: http://%s/api/v3/, database: %s)\n", ln.Addr(), ln.Addr(), st.Dialect())
	workersDone := make(chan struct{})
	wctx, stopWorkers := context.WithCancel(context.Background())
	go func() {
		defer close(workersDone)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); ws.run(wctx) }()
		srv.Run(wctx)
		wg.Wait()
	}()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	code := exitOK
	select {
	case <-ctx.Done():
	case err := <-errc:
		errorf(stderr, "%v", err)
		code = exitScan
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	hs.Shutdown(sctx)
	cancel()
	stopWorkers()
	<-workersDone
	return code
}

// loopbackListen reports whether a listen address is on loopback only.
func loopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}
