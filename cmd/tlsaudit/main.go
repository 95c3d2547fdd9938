// Command tlsaudit audits the TLS configuration of servers: protocols, cipher
// suites, groups, certificates and known weaknesses, with a grade and CI gates.
// Run "tlsaudit --help" for usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/tlsaudit/tlsaudit"
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/report/termsafe"
	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/batch"
	"github.com/tlsaudit/tlsaudit/scan/clientsim"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Exit codes (see usage).
const (
	exitOK     = 0
	exitPolicy = 1
	exitUsage  = 2
	exitScan   = 3
	// exitWrite: the report could not be written (stdout closed, disk
	// full, --html file not writable): the output is incomplete.
	exitWrite = 4
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

// scanner audits one target.
type scanner interface {
	Scan(ctx context.Context, t scan.Target) *obs.Observation
}

// deps are what the command takes from its surroundings: main runs with
// defaultDeps, tests with fakes of their own.
type deps struct {
	// newScanner returns the scanner of an engine.
	newScanner func(e *tlsaudit.Engine) scanner
	// evalChecks runs the checks on an observation.
	evalChecks func(o *obs.Observation, env checks.Env) []checks.Finding
	// computeGrade rates an observation from its findings.
	computeGrade func(o *obs.Observation, findings []checks.Finding) *grade.Grade
	// isTerminal reports whether stdout is a terminal (colour, progress).
	isTerminal func(w io.Writer) bool
	// progressTerminal reports whether stderr gets a progress bar.
	progressTerminal func(stderr io.Writer) bool
	// resolver resolves target names into endpoints; nil uses the
	// system's resolver.
	resolver *net.Resolver
}

// defaultDeps are the real engine, checks, grading and terminal.
func defaultDeps() deps {
	return deps{
		newScanner: func(e *tlsaudit.Engine) scanner { return e.Scanner() },
		evalChecks: all.Registry().Run,
		computeGrade: func(o *obs.Observation, findings []checks.Finding) *grade.Grade {
			return grade.Compute(o, findings, grade.Options{})
		},
		isTerminal:       isTerminal,
		progressTerminal: progressTerminal,
	}
}

// terminalWidth is the width the text report fits: that of stdout's
// terminal, else $COLUMNS, else 80.
var terminalWidth = func(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func main() {
	tuneGC()
	stopProfiles := startProfiles()
	ctx, stop := interruptContext(os.Stderr)
	code := runContext(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	stopProfiles()
	os.Exit(code)
}

// tuneGC sets the collector's goal to five times the live heap (GOGC=400)
// unless the environment sets GOGC: an audit's live heap is small and a
// batch's is bounded by its concurrency, so the larger goal keeps memory
// well within the batch's budget while collecting less often. Unless
// GOMEMLIMIT is set, a soft limit of 512 MiB bounds a very wide batch,
// whose live heap grows with its concurrency: near the limit the collector
// works harder instead.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
		if os.Getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(512 << 20)
		}
	}
}

// run is the whole command, testable in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdin, stdout, stderr)
}

func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return defaultDeps().run(ctx, args, stdin, stdout, stderr)
}

// run is the whole command with dependencies d.
func (d deps) run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if c, ok := subcommands[args[0]]; ok {
			return c.run(d, ctx, args[1:], stdout, stderr)
		}
	}
	cfg, code, ok := parseFlags(d, "tlsaudit", args, stdout, stderr, true)
	if !ok {
		return code
	}
	if len(cfg.positional) == 0 && cfg.targetsFile == "" {
		return usageError(stderr, "no targets given", "run 'tlsaudit --help' for usage, or 'tlsaudit demo' for an offline example")
	}
	src, err := newInputSource(cfg.positional, cfg.targetsFile, stdin, cfg.prepare)
	if err != nil {
		return usageError(stderr, err.Error(), "")
	}
	defer src.Close()
	total, known := countTargets(cfg.positional, cfg.targetsFile)
	if !known {
		total = 0
	}
	return auditSource(ctx, cfg, src, total, nil, stdout, stderr)
}

// config holds the parsed command line.
type config struct {
	format   string
	sni      string
	startTLS string
	quick    bool
	probes   []string // --probes: nil runs every probe
	http     scan.HTTPOptions
	// clientProfiles are loaded from --clients DIR.
	clientProfiles []clientsim.Profile
	targetsFile    string
	timeout        time.Duration
	connTimeout    time.Duration
	concurrency    int
	perHost        int
	clients        string // --clients DIR: extra captured ClientHellos to simulate
	liveSims       bool   // --live-client-simulations: replay every simulated client
	failUnder      string
	failOn         checks.Severity
	expiryWarn     time.Duration
	expiryGate     bool // --expiry-warn given explicitly
	style          report.Style
	htmlFile       string             // --html FILE: also write the HTML report there
	trim           report.TrimOptions // --findings, --compact
	certs          certConfig         // trust stores and opt-in certificate fetches (stores.go)
	gates          gateConfig         // --mozilla-profile, --remediation, --require-mozilla, --policy (policy.go)
	batch          batchConfig        // --ip, --rate, --retries, --resume, --shard (batch.go)
	positional     []string
	deps           deps
}

// parseFlags parses the flags of the main command (targets allowed) or of
// demo (no positional arguments). On false, code is the exit status.
func parseFlags(dp deps, name string, args []string, stdout, stderr io.Writer, targets bool) (cfg config, code int, ok bool) {
	cfg.deps = dp
	var v mainVars
	fs := mainFlagSet(name, &cfg, &v)
	positional, beforeDash, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return cfg, exitOK, false
		}
		return cfg, usageError(stderr, err.Error(), "run 'tlsaudit --help' for usage"), false
	}
	cfg.positional = positional
	jsonFlag, quiet, showVersion := v.jsonFlag, v.quiet, v.showVersion
	format, failOn, color, expiry, probesFlag := v.format, v.failOn, v.color, v.expiry, &v.probes
	if showVersion {
		writeVersion(stdout)
		return cfg, exitOK, false
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fail := func(msg string) (config, int, bool) {
		return cfg, usageError(stderr, msg, "run 'tlsaudit --help' for usage"), false
	}

	if !targets && len(cfg.positional) > 0 {
		return fail(fmt.Sprintf("%s takes no targets (got %q)", name, cfg.positional[0]))
	}
	for _, a := range cfg.positional[:beforeDash] {
		if bareWord(a) {
			return cfg, usageError(stderr, fmt.Sprintf("%q is neither a command nor a target", a),
				fmt.Sprintf("commands: %s; a host name without a dot goes after --, e.g. 'tlsaudit -- %s'", strings.Join(commandNames(), ", "), a)), false
		}
	}
	if !targets && cfg.targetsFile != "" {
		return fail(name + " takes no --targets")
	}
	cfg.format = format
	if jsonFlag {
		if set["format"] && format != "json" {
			return fail("--json conflicts with --format " + format)
		}
		cfg.format = "json"
	}
	// The formats are the report package's; "quiet" is chosen by --quiet.
	formats := slices.DeleteFunc(report.Formats(), func(f string) bool { return f == "quiet" })
	if !slices.Contains(formats, cfg.format) {
		return fail(fmt.Sprintf("unknown --format %q (want %s or %s)", cfg.format,
			strings.Join(formats[:len(formats)-1], ", "), formats[len(formats)-1]))
	}
	if quiet {
		if cfg.format != "text" {
			return fail("--quiet cannot be combined with --format " + cfg.format)
		}
		cfg.format = "quiet"
	}
	// Batch records carry the failures, dashboards what needs attention,
	// the other formats the whole report.
	switch cfg.format {
	case "jsonl":
		cfg.trim.Findings = report.FindingsFail
	case "sarif":
		cfg.trim.Findings = report.FindingsNonPass
	default:
		cfg.trim.Findings = report.FindingsAll
	}
	if set["findings"] {
		fset, err := report.ParseFindingSet(v.findings)
		if err != nil {
			return fail(err.Error())
		}
		cfg.trim.Findings = fset
	}
	cfg.trim.Compact = cfg.format == "jsonl"
	if set["compact"] {
		cfg.trim.Compact = v.compact
	}
	cfg.style.Width, cfg.style.Verbose = terminalWidth(stdout), v.verbose
	cfg.style.OpenSSLNames = v.opensslNames
	switch color {
	case "auto":
		cfg.style.Color = dp.isTerminal(stdout) && os.Getenv("NO_COLOR") == ""
	case "always":
		cfg.style.Color = true
	case "never":
	default:
		return fail(fmt.Sprintf("unknown --color %q (want auto, always or never)", color))
	}
	if cfg.startTLS != "" && !validStartTLS(cfg.startTLS) {
		return fail(fmt.Sprintf("unknown --starttls %q (want one of %s)", cfg.startTLS, strings.Join(scan.StartTLSProtocols(), ", ")))
	}
	if cfg.timeout <= 0 || cfg.connTimeout <= 0 {
		return fail("--timeout and --conn-timeout must be positive")
	}
	if cfg.concurrency < 1 || cfg.perHost < 1 {
		return fail("--concurrency and --per-host must be at least 1")
	}
	if err := checkLimits(&cfg); err != nil {
		return fail(err.Error())
	}
	switch *probesFlag {
	case "all":
	case "none":
		cfg.probes = []string{}
	default:
		known := scan.ProbeNames()
		cfg.probes = []string{}
		for _, p := range strings.Split(*probesFlag, ",") {
			p = strings.TrimSpace(p)
			if !slices.Contains(known, p) {
				return fail(fmt.Sprintf("unknown probe %q in --probes (known: all, none, %s)", p, strings.Join(known, ", ")))
			}
			cfg.probes = append(cfg.probes, p)
		}
	}
	if cfg.clients != "" {
		profiles, err := clientsim.LoadDir(cfg.clients)
		if err != nil {
			return fail("--clients: " + err.Error())
		}
		cfg.clientProfiles = profiles
	}
	if cfg.failUnder != "" {
		if _, ok := gradeRank(cfg.failUnder); !ok || strings.ContainsAny(cfg.failUnder, "TM") {
			return fail(fmt.Sprintf("invalid --fail-under %q (want A+, A, A-, B, C, D, E or F)", cfg.failUnder))
		}
	}
	if failOn != "" {
		sev, err := checks.ParseSeverity(failOn)
		if err != nil {
			return fail("invalid --fail-on: " + err.Error())
		}
		cfg.failOn = sev
	}
	d, err := parseDays(expiry)
	if err != nil {
		return fail(fmt.Sprintf("invalid --expiry-warn %q: %v", expiry, err))
	}
	cfg.expiryWarn, cfg.expiryGate = d, set["expiry-warn"]
	if err := cfg.certs.load(set); err != nil {
		return fail(err.Error())
	}
	if err := cfg.gates.load(); err != nil { // one line, no hint: names the policy file and line
		return cfg, usageError(stderr, err.Error(), ""), false
	}
	if err := cfg.certs.checkRequired(cfg.gates.policy); err != nil {
		return fail(err.Error())
	}
	if err := cfg.batch.load(stderr); err != nil {
		return fail(err.Error())
	}
	return cfg, exitOK, true
}

// mainVars are the main command's flags that config does not hold as they
// are.
type mainVars struct {
	jsonFlag, quiet, showVersion          bool
	format, failOn, color, expiry, probes string
	findings                              string
	compact, verbose, opensslNames        bool
}

// mainFlagSet declares the flags of the audit command (and demo) on cfg and v.
func mainFlagSet(name string, cfg *config, v *mainVars) *flag.FlagSet {
	fs := newFlagSet(name)
	fs.StringVar(&v.format, "format", "text", "")
	fs.StringVar(&cfg.htmlFile, "html", "", "")
	fs.BoolVar(&v.jsonFlag, "json", false, "")
	fs.BoolVar(&v.quiet, "quiet", false, "")
	fs.StringVar(&v.color, "color", "auto", "")
	fs.StringVar(&cfg.sni, "sni", "", "")
	fs.StringVar(&cfg.startTLS, "starttls", "", "")
	fs.BoolVar(&cfg.quick, "quick", false, "")
	fs.StringVar(&v.probes, "probes", "all", "")
	fs.StringVar(&cfg.http.Path, "http-path", "", "")
	fs.BoolVar(&cfg.http.PlainRedirectCheck, "check-http-redirect", false, "")
	fs.StringVar(&cfg.targetsFile, "targets", "", "")
	fs.DurationVar(&cfg.timeout, "timeout", 60*time.Second, "")
	fs.DurationVar(&cfg.connTimeout, "conn-timeout", 5*time.Second, "")
	fs.IntVar(&cfg.concurrency, "concurrency", 4, "")
	fs.IntVar(&cfg.perHost, "per-host", 8, "")
	fs.StringVar(&cfg.clients, "clients", "", "")
	fs.BoolVar(&cfg.liveSims, "live-client-simulations", false, "")
	fs.StringVar(&cfg.failUnder, "fail-under", "", "")
	fs.StringVar(&v.failOn, "fail-on", "", "")
	fs.StringVar(&v.expiry, "expiry-warn", "30d", "")
	fs.BoolVar(&v.showVersion, "version", false, "")
	fs.StringVar(&v.findings, "findings", "", "")
	fs.BoolVar(&v.compact, "compact", false, "")
	fs.BoolVar(&v.verbose, "verbose", false, "")
	fs.BoolVar(&v.opensslNames, "openssl-names", false, "")
	certFlags(fs, &cfg.certs)
	gateFlags(fs, &cfg.gates)
	batchFlags(fs, &cfg.batch)
	return fs
}

func validStartTLS(p string) bool {
	for _, s := range scan.StartTLSProtocols() {
		if s == p {
			return true
		}
	}
	return false
}

// parseDays parses a Go duration or a whole number of days ("30d").
func parseDays(s string) (time.Duration, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, errors.New("want a number of days (30d) or a duration (720h)")
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, errors.New("want a number of days (30d) or a duration (720h)")
		}
	}
	if d < 0 {
		return 0, errors.New("must not be negative")
	}
	return d, nil
}

// job is one input target.
type job struct {
	input  string
	target scan.Target
	err    error // ParseTarget error: the target is not scanned
}

// audit scans the jobs, writes one report per endpoint and returns the exit
// code. stores are extra trust stores (the demo's test root).
func audit(ctx context.Context, cfg config, jobs []job, stores []checks.TrustStore, stdout, stderr io.Writer) int {
	return auditSource(ctx, cfg, &jobSource{jobs: jobs}, int64(len(jobs)), stores, stdout, stderr)
}

// auditSource audits the targets of src as a batch (see batch.go): total is
// their number for the progress display (0: unknown).
func auditSource(ctx context.Context, cfg config, src batch.Source, total int64, stores []checks.TrustStore, stdout, stderr io.Writer) int {
	cfg.batch.repairTornEnd(stdout, stderr)
	prog := newProgress(stderr, total, cfg.deps.progressTerminal)
	if _, bar := prog.(*barProgress); bar && cfg.deps.isTerminal(stdout) {
		ab := &aboveBar{p: prog, direct: stdout}
		defer ab.detach()
		stdout = ab
		closeProg := prog
		prog = &detachingProgress{closeProg, ab}
	}
	w, err := report.NewWriter(cfg.format, stdout, cfg.style)
	if err != nil {
		return usageError(stderr, err.Error(), "")
	}
	if cfg.htmlFile != "" { // written atomically when the run ends
		hw, err := report.NewFileWriter("html", cfg.htmlFile, report.Style{})
		if err != nil {
			return usageError(stderr, err.Error(), "")
		}
		w = report.Multi(w, hw)
	}
	eng, err := tlsaudit.New(cfg.engineOptions(stores))
	if err != nil {
		return usageError(stderr, err.Error(), "")
	}
	defer eng.Close()
	sc := cfg.deps.newScanner(eng)
	// The first scan waits on the network: meanwhile, build the JSON
	// encoders every report will need.
	prepared := make(chan struct{})
	go func() {
		defer close(prepared)
		report.Prepare(cfg.format)
	}()
	defer func() { <-prepared }()
	b := &batchRun{eng: eng, trim: cfg.trim, stderr: stderr, out: newSeqEmitter(w, cfg.format != "jsonl"),
		progress: prog}
	st, werr := batch.Run(ctx, sc, src, batch.Options{
		Concurrency: cfg.concurrency, Retries: cfg.batch.retries, Limiter: batch.NewLimiter(cfg.batch.perSec, 1),
		Resolver: cfg.deps.resolver, Expand: expander(sc, cfg.deps.resolver), Shard: cfg.batch.shardSel, Done: cfg.batch.done,
		Drain: drainOf(ctx), OnSkip: func(batch.Input) { b.progress.target() },
	}, func(res batch.Result) error { return b.handle(res) })
	b.progress.close()
	if st.Inputs == 0 && werr == nil {
		return usageError(stderr, "no targets given", "the target list is empty")
	}
	var we *writeError
	if werr != nil && !errors.As(werr, &we) {
		w.Close() // what was read before the bad input is kept, well-formed
		return usageError(stderr, werr.Error(), "")
	}
	if cerr := w.Close(); werr == nil && cerr != nil {
		werr = &writeError{cerr}
	}
	if werr != nil {
		errorf(stderr, "%v", werr)
		if code := b.code(drained(ctx)); code == exitInterrupted || code == exitUsage {
			return code
		}
		return exitWrite
	}
	return b.code(drained(ctx))
}

// engineOptions are the library options of the parsed command line; stores
// are extra trust stores (the demo's test root).
func (cfg *config) engineOptions(stores []checks.TrustStore) tlsaudit.Options {
	return tlsaudit.Options{
		Scan: scan.Options{ConnTimeout: cfg.connTimeout, Timeout: cfg.timeout, PerHost: cfg.perHost, Quick: cfg.quick,
			Probes: cfg.probes, HTTP: cfg.http, Clients: cfg.clientProfiles, LiveClientSimulations: cfg.liveSims},
		Fetch:          cfg.certs.fetch(),
		Stores:         append(slices.Clone(cfg.certs.stores), stores...),
		SystemStore:    cfg.certs.systemLater,
		PlatformStores: cfg.certs.named.platformLater,
		WeakKeys:       cfg.certs.weak,
		ExpiryWarn:     cfg.expiryWarn,
		MozillaProfile: cfg.gates.mozillaProfile,
		Remediation:    cfg.gates.remediation,
		Gates: policy.Gates{FailUnder: cfg.failUnder, FailOn: cfg.failOn, Expiry: cfg.expiryGate,
			RequireMozilla: cfg.gates.requireMozilla, RequireStores: cfg.certs.named.require, File: cfg.gates.policy},
		Tool:   report.Tool{Name: "tlsaudit", Version: toolVersion()},
		Checks: cfg.deps.evalChecks,
		Grader: cfg.deps.computeGrade,
	}
}

func toolVersion() string {
	if version != "" {
		return version
	}
	return tlsaudit.ModuleVersion()
}

// errorf writes one "tlsaudit: error: ..." line to stderr.
// The message may quote server or file text: it is sanitised (termsafe).
func errorf(stderr io.Writer, format string, args ...any) {
	fmt.Fprintf(stderr, "tlsaudit: error: %s\n", termsafe.String(fmt.Sprintf(format, args...)))
}

// usageError reports a usage problem (with an optional hint) and returns exitUsage.
func usageError(stderr io.Writer, msg, hint string) int {
	errorf(stderr, "%s", flagMessage(msg))
	if hint != "" {
		fmt.Fprintf(stderr, "tlsaudit: hint: %s\n", hint)
	}
	return exitUsage
}
