// Package tlsaudit audits the TLS configuration of servers: protocols,
// cipher suites, groups, certificates and known weaknesses, with a grade,
// the Mozilla Server Side TLS verdict and pass/fail gates.
//
// It is the one entry point of the audit pipeline:
//
//	target → scan (handshakes, probes, opt-in certificate fetches)
//	       → observation → checks → findings, grade, Mozilla verdict, gates
//	       → report.Report (render it with the report package)
//
// For one target, call Audit. For many, build an Engine once with New and
// call its Audit (or drive its Scanner and call Judge) for each target: the
// engine owns the trust stores, the Debian weak key list and the caches
// every audit reuses, and is safe for concurrent use. AuditObservation judges a recorded
// observation without touching the network.
package tlsaudit

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	zx509 "github.com/zmap/zcrypto/x509"

	"github.com/tlsaudit/tlsaudit/checks"
	_ "github.com/tlsaudit/tlsaudit/checks/all" // registers every check in checks.Default
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	httpcheck "github.com/tlsaudit/tlsaudit/checks/http"
	"github.com/tlsaudit/tlsaudit/checks/mozilla"
	"github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/checks/weakkey"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/certcache"
	"github.com/tlsaudit/tlsaudit/scan/certfetch"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// Options configure an Engine. The zero value audits with the scanner's
// defaults, the embedded Mozilla roots and no gates.
type Options struct {
	// Scan configures the scanner: timeouts, per-host connection limit,
	// quick mode, probes, HTTP probes, extra client profiles, resolver.
	Scan scan.Options
	// Fetch chooses the opt-in certificate fetches done inside each scan
	// (AIA issuers, OCSP/CRL revocation, CAA/TLSA over Fetch.Resolver);
	// the zero value fetches nothing. Fetch.Roots is filled from the
	// trust stores.
	Fetch certfetch.Options

	// Stores are the trust stores chains are validated against, in report
	// order; nil means the embedded Mozilla roots alone.
	Stores []truststore.Store
	// SystemStore adds the machine's trust store (truststore.System),
	// read in the background while the first scan runs and placed after
	// the first of Stores; it is left out when it cannot be read.
	SystemStore bool
	// PlatformStores adds the platform stores found under
	// truststore.PlatformDir (apple, windows and java, from Debian's
	// testssl.sh package: a dated snapshot), read in the background like
	// the system store and placed after Stores; a store of Stores with the
	// same name replaces one. They are informational (they do not decide
	// the grade). Bundles that cannot be read are left out.
	PlatformStores bool
	// WeakKeys is the Debian weak key list; nil loads the lists installed
	// under weakkey.DebianDir, if any.
	WeakKeys *weakkey.List

	// ExpiryWarn is the certificate expiry warning window (0: 30 days).
	ExpiryWarn time.Duration
	// Grade configures the grading (rule set, suite semantics).
	Grade grade.Options
	// MozillaProfile limits the Mozilla verdict to one profile ("": all).
	MozillaProfile string
	// Remediation asks for the configuration snippet of one server
	// ("nginx", "apache", "haproxy") reaching MozillaProfile, else
	// Gates.RequireMozilla, else the next profile stricter than the one
	// met (intermediate when none is met: see mozilla.Summary.Remediate).
	Remediation string
	// Gates are the pass/fail rules; the report's Policy field holds
	// their verdict.
	Gates policy.Gates

	// Tool names the program in reports; zero: "tlsaudit" and the module
	// version.
	Tool report.Tool

	// Checks, when set, replaces the registered checks (checks.Run).
	Checks func(*obs.Observation, checks.Env) []checks.Finding
	// Grader, when set, replaces grade.Compute with Grade.
	Grader func(*obs.Observation, []checks.Finding) *grade.Grade
}

// Engine audits targets with one set of options. It is safe for
// concurrent use; build one per run and reuse it for every target.
type Engine struct {
	opts    Options
	scanner *scan.Scanner
	stores  func() []truststore.Store
	weak    *weakkey.List
	// certs keeps the parses of served certificates, shared by the scanner
	// and the checks; analyzer the trust store indexes, signature checks
	// and lints the certificate analyses reuse. Both are built by New and
	// never replaced; they are safe for concurrent use.
	certs    *certcache.Cache
	analyzer *certanalysis.Analyzer
	close    func() // set by New, never changed
}

// New builds an engine. It loads the Debian weak key list (unless
// opts.WeakKeys is set), validates the Mozilla options and starts
// indexing the trust stores in the background.
func New(opts Options) (*Engine, error) {
	for _, f := range []struct{ name, value string }{{"Mozilla profile", opts.MozillaProfile}, {"required Mozilla profile", opts.Gates.RequireMozilla}} {
		if _, ok := mozilla.Lookup(f.value); f.value != "" && !ok {
			return nil, fmt.Errorf("unknown %s %q (want one of %v)", f.name, f.value, mozilla.Profiles())
		}
	}
	if opts.Remediation != "" && !slices.Contains(mozilla.Servers(), opts.Remediation) {
		return nil, fmt.Errorf("unknown remediation server %q (want one of %v)", opts.Remediation, mozilla.Servers())
	}
	weak := opts.WeakKeys
	if weak == nil {
		var err error
		if weak, err = weakkey.Load(weakkey.DebianDir); err != nil {
			return nil, fmt.Errorf("Debian weak key list: %v", err)
		}
	}
	if opts.Tool.Name == "" {
		opts.Tool = report.Tool{Name: "tlsaudit", Version: ModuleVersion()}
	}
	e := &Engine{opts: opts, weak: weak}
	base := opts.Stores
	if base == nil {
		base = []truststore.Store{truststore.Mozilla()}
	}
	e.stores = func() []truststore.Store { return base }
	if opts.SystemStore || opts.PlatformStores {
		e.stores = sync.OnceValue(func() []truststore.Store {
			out := base
			if opts.SystemStore && len(base) > 0 {
				if sys, err := truststore.System(); err == nil {
					out = slices.Concat(base[:1], []truststore.Store{sys}, base[1:])
				}
			}
			if !opts.PlatformStores {
				return out
			}
			plat, _ := truststore.Platform(truststore.PlatformDir)
			for _, p := range plat {
				if !slices.ContainsFunc(out, func(s truststore.Store) bool { return s.Name == p.Name }) {
					out = append(slices.Clip(out), p)
				}
			}
			return out
		})
	}
	if opts.Fetch.CheckRevocation {
		// Revocation needs the issuer of a chain's last certificate:
		// the anchors of every store are candidates.
		for _, st := range e.stores() {
			opts.Fetch.Roots = append(opts.Fetch.Roots, st.Roots...)
		}
	}
	e.analyzer = certanalysis.NewAnalyzer()
	var onParse func(*zx509.Certificate)
	if !opts.Scan.Quick {
		// A full audit lints every served certificate: start as soon as
		// the scan has parsed one, while it goes on with its other
		// connections. At most prelintSlots at once: a chain of hundreds
		// of certificates must not start hundreds of lint runs (the
		// analysis lints what was skipped, within its own bounds).
		slots := make(chan struct{}, prelintSlots)
		onParse = func(c *zx509.Certificate) {
			select {
			case slots <- struct{}{}:
				go func() { e.analyzer.Prelint(c); <-slots }()
			default:
			}
		}
	}
	// The scan and the checks share the parses of served certificates.
	e.certs = certcache.New(certcache.Cap, onParse)
	so := opts.Scan
	so.Fetch = opts.Fetch
	so.Certs = e.certs
	e.scanner = scan.New(so)
	// The first scan waits on the network: meanwhile, read the trust
	// stores and index them into the engine's analyzer.
	prepared := make(chan struct{})
	go func() {
		defer close(prepared)
		e.analyzer.IndexStores(e.stores())
	}()
	e.close = func() { <-prepared }
	return e, nil
}

// prelintSlots bounds the background lint runs of an engine.
const prelintSlots = 4

// Close releases what the engine set up (and waits for its background
// preparation). The engine must not be used after.
func (e *Engine) Close() { e.close() }

// Scanner is the engine's scanner (for callers that drive the scans
// themselves, e.g. scan/batch, and judge with Judge).
func (e *Engine) Scanner() *scan.Scanner { return e.scanner }

// Stores returns the trust stores the engine validates chains against,
// waiting for the system store when it loads in the background.
func (e *Engine) Stores() []truststore.Store { return e.stores() }

// Audit scans one endpoint and judges it. The report is never nil; a
// target that could not be scanned has Status != obs.StatusOK, its Error
// and no findings.
func (e *Engine) Audit(ctx context.Context, t scan.Target) *report.Report {
	return e.Judge(e.scanner.Scan(ctx, t))
}

// Judge runs the checks, the grade, the Mozilla evaluation and the gates on
// one observation and builds its report. It does no I/O; o must have been
// scanned with the engine's fetch options if its certificate fetches are to
// be judged.
func (e *Engine) Judge(o *obs.Observation) *report.Report {
	if o.Status != obs.StatusOK {
		return report.New(e.opts.Tool, o, nil, nil)
	}
	env := checks.Env{Now: time.Now(), ExpiryWarn: e.opts.ExpiryWarn, Hostname: o.Target.SNI, Stores: e.stores(), WeakKeys: e.weak, Certs: e.certs, Analyzer: e.analyzer, Shared: new(checks.Shared)}
	if env.Hostname == "" {
		env.Hostname = o.Target.Host
	}
	run := e.opts.Checks
	if run == nil {
		run = checks.Run
	}
	findings := run(o, env)
	var g *grade.Grade
	if e.opts.Grader != nil {
		g = e.opts.Grader(o, findings)
	} else {
		g = grade.Compute(o, findings, e.opts.Grade)
	}
	r := report.New(e.opts.Tool, o, findings, g)
	if len(o.Chains) > 0 {
		// The analysis the cert.* checks judged comes back with their
		// findings; it is computed here only when other checks ran.
		if r.Certificates = cert.AnalysisOf(env.Shared, o); r.Certificates == nil {
			r.Certificates = cert.Analyze(o, env)
		}
	}
	r.Mozilla = e.mozilla(o)
	r.HTTPHeaders = httpcheck.FactsOf(o)
	r.SuiteStrengths = report.SuiteRatings(o)
	r.Policy = e.opts.Gates.Evaluate(policy.Input{Obs: o, Findings: findings, Grade: g, Now: env.Now})
	return r
}

// mozilla is the Mozilla verdict of o (every profile, or the one
// MozillaProfile names) with the Remediation snippet; nil when the
// profiles cannot judge o (a quick scan).
func (e *Engine) mozilla(o *obs.Observation) *mozilla.Summary {
	var names []string
	if e.opts.MozillaProfile != "" {
		names = []string{e.opts.MozillaProfile}
	}
	s, err := mozilla.Summarize(o, names...)
	if err != nil {
		return nil
	}
	if e.opts.Remediation != "" {
		target := e.opts.MozillaProfile
		if _, ok := s.Result(e.opts.Gates.RequireMozilla); target == "" && ok {
			target = e.opts.Gates.RequireMozilla
		}
		if err := s.Remediate(e.opts.Remediation, target); err != nil {
			return s // cannot happen: options validated by New, profile evaluated
		}
	}
	return s
}

// ErrNotScanned is wrapped by the error of Audit when the target could not
// be scanned (refused, timed out, not resolvable...).
var ErrNotScanned = errors.New("target not scanned")

// Audit audits one target ("host", "host:port", "smtp://host", see
// scan.ParseTarget) with a new engine. The error is non-nil when the target
// cannot be parsed or the engine cannot be built (no report), or when the
// target could not be scanned (the report says why; the error wraps
// ErrNotScanned).
func Audit(ctx context.Context, target string, opts Options) (*report.Report, error) {
	t, err := scan.ParseTarget(target)
	if err != nil {
		return nil, err
	}
	e, err := New(opts)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	r := e.Audit(ctx, t)
	if r.Status != obs.StatusOK {
		return r, fmt.Errorf("%s: %w: %s: %s", target, ErrNotScanned, r.Status, r.Error)
	}
	return r, nil
}

// AuditObservation judges a recorded observation (e.g. the "observation"
// of a JSON report) with a new engine, without network access.
func AuditObservation(o *obs.Observation, opts Options) (*report.Report, error) {
	if o == nil {
		return nil, errors.New("no observation")
	}
	e, err := New(opts)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return e.Judge(o), nil
}

// ModuleVersion is the module version from the build information
// ("(devel)" for a build from a source tree).
func ModuleVersion() string { return moduleVersion() }

// moduleVersion reads the build information once: every record of a batch
// names the version. A release installed with go install carries its
// module version (v1.2.3); a build from a checkout has "(devel)", followed
// by its VCS revision when the build recorded one ("(devel) 0123456789ab",
// "+modified" for an uncommitted tree), so that reports from different
// builds can be told apart.
var moduleVersion = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	v, modified := "(devel)", ""
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 12:
			v += " " + s.Value[:12]
		case s.Key == "vcs.modified" && s.Value == "true":
			modified = "+modified"
		}
	}
	if v == "(devel)" {
		return v
	}
	return v + modified
})
