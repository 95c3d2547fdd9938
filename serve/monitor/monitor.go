// Package monitor re-audits a set of hosts on a schedule and says when one
// gets worse: a grade drop, a policy rule newly broken, or a certificate
// entering the expiry warning window, posted to a webhook as JSON (see
// Event).
//
// Hosts come from a watch file (one target a line, re-read when it
// changes) and from callers (the dashboard's "add"). Each host is audited
// once when it appears, then every Interval, jittered by ±Jitter so that
// hosts added together spread out. The audits themselves go through the
// caller's Audit function (the server's queue, which applies the
// per-endpoint limits).
package monitor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
)

// AuditFunc runs one assessment of target (host or host:port) and returns
// the report of every endpoint. An error means no report was produced.
type AuditFunc func(ctx context.Context, target string) ([]*report.Report, error)

// Config configures a Monitor. Audit is required.
type Config struct {
	Audit AuditFunc
	// WatchFile lists targets, one a line ("#" comments); re-read when its
	// size, time or content changes (checked every WatchPoll).
	WatchFile string
	WatchPoll time.Duration // default 2s
	// Interval between two audits of a host (default 6h), jittered by
	// ±Jitter of itself (default 0.1).
	Interval time.Duration
	Jitter   float64
	// Spread: a new host's first audit starts at a random time within
	// this (default 3s, at most Interval/10).
	Spread time.Duration
	// Concurrency bounds the audits the monitor runs at once (default 2).
	Concurrency int
	// Policy decides what counts as failing; nil means "fail_on: high".
	Policy *policyfile.Policy
	// ExpiryWarn is the warning window before a leaf expires (default 21 days).
	ExpiryWarn time.Duration
	// Notify receives every event (the webhook sender); nil: none sent.
	Notify func(context.Context, Event)
	// OnReport sees every report with its policy violations and the
	// audit's duration (metrics, storage).
	OnReport func(r *report.Report, violations []policyfile.Violation, took time.Duration)
	// Previous returns the reports stored for target before this process
	// started, so the first audit compares against them; nil: none.
	Previous func(ctx context.Context, target string) []*report.Report
	// Saved keeps the hosts added with Add across restarts (the server's
	// store): New monitors the saved ones, Add and Remove write through,
	// and Run re-reads them every SavedPoll (default 30s), so replicas on
	// one database follow each other's dashboards. Nil: added hosts live in
	// memory only.
	Saved     SavedHosts
	SavedPoll time.Duration
	// Logf receives one-line messages (watch file errors, failed audits).
	Logf func(format string, args ...any)
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// SavedHosts is where the hosts added on the dashboard are kept
// (serve/store implements it).
type SavedHosts interface {
	AddMonitored(ctx context.Context, target string) error
	RemoveMonitored(ctx context.Context, target string) error
	Monitored(ctx context.Context) ([]string, error)
}

// Source says where a monitored host came from.
type Source string

const (
	SourceFile      Source = "file"
	SourceDashboard Source = "dashboard"
)

// Host is the monitoring state of one target.
type Host struct {
	Target string `json:"target"`
	Source Source `json:"source"`
	// Reports are the latest report of each endpoint, in address order.
	Reports []*report.Report `json:"-"`
	// Violations are the policy rules the latest reports break, each
	// prefixed with the endpoint when the host has several.
	Violations []policyfile.Violation `json:"violations,omitempty"`
	LastRun    time.Time              `json:"last_run,omitzero"`
	NextRun    time.Time              `json:"next_run,omitzero"`
	Running    bool                   `json:"running"`
	Error      string                 `json:"error,omitempty"`
}

type hostState struct {
	Host
	gen int // a fresh value when (re-)added, so a run of a removed host is ignored
}

// Monitor schedules the audits. Its methods are safe for concurrent use.
type Monitor struct {
	cfg    Config
	policy *policyfile.Policy

	watch *watcher

	mu    sync.Mutex
	hosts map[string]*hostState
	gen   int
	wake  chan struct{}
}

// New checks cfg and returns a monitor; Run starts it.
func New(cfg Config) (*Monitor, error) {
	if cfg.Audit == nil {
		return nil, errors.New("monitor: no audit function")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 6 * time.Hour
	}
	if cfg.Jitter <= 0 || cfg.Jitter > 0.5 {
		cfg.Jitter = 0.1
	}
	if cfg.Spread <= 0 {
		cfg.Spread = 3 * time.Second
	}
	cfg.Spread = min(cfg.Spread, cfg.Interval/10)
	if cfg.WatchPoll <= 0 {
		cfg.WatchPoll = 2 * time.Second
	}
	if cfg.SavedPoll <= 0 {
		cfg.SavedPoll = 30 * time.Second
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 2
	}
	if cfg.ExpiryWarn <= 0 {
		cfg.ExpiryWarn = 21 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	p := cfg.Policy
	if p == nil {
		var err error
		if p, err = policyfile.Load([]byte("fail_on: high\n")); err != nil {
			return nil, err
		}
	}
	m := &Monitor{cfg: cfg, policy: p, hosts: map[string]*hostState{}, wake: make(chan struct{}, 1)}
	if cfg.WatchFile != "" {
		// An unreadable watch file is an error at start; later it only
		// keeps the hosts already loaded.
		m.watch = &watcher{path: cfg.WatchFile}
		targets, _, err := m.watch.changed()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", cfg.WatchFile, err)
		}
		m.apply(targets)
	}
	if cfg.Saved != nil {
		if err := m.syncSaved(); err != nil {
			return nil, fmt.Errorf("monitor: reading the saved hosts: %v", err)
		}
	}
	return m, nil
}

// syncSaved makes the dashboard's hosts those saved: new ones are added,
// those no longer saved (removed by another replica) are dropped, except
// hosts added while the list was read.
func (m *Monitor) syncSaved() error {
	m.mu.Lock()
	gen := m.gen
	m.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	saved, err := m.cfg.Saved.Monitored(ctx)
	cancel()
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, t := range saved {
		if ValidTarget(t) == nil {
			want[t] = true
			m.add(t, SourceDashboard)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for t, h := range m.hosts {
		if h.Source == SourceDashboard && !want[t] && h.gen <= gen {
			delete(m.hosts, t)
		}
	}
	return nil
}

// ValidTarget says whether s can be a monitored target: a host name or
// address with an optional port, no spaces, at most 300 bytes.
func ValidTarget(s string) error {
	switch {
	case s == "":
		return errors.New("empty target")
	case len(s) > 300:
		return errors.New("target longer than 300 bytes")
	case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '/' || r == '?' || r == '#' }):
		return fmt.Errorf("target %q: spaces, control characters, '/', '?' and '#' are not allowed", s)
	}
	return nil
}

// Add monitors target (from the dashboard, saved when Config.Saved is
// set); it is audited soon, and its changes are notified like those of the
// watch file's hosts.
func (m *Monitor) Add(target string) error {
	if err := ValidTarget(target); err != nil {
		return err
	}
	if m.cfg.Saved != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.cfg.Saved.AddMonitored(ctx, target); err != nil {
			return fmt.Errorf("saving %s: %v", target, err)
		}
	}
	m.add(target, SourceDashboard)
	return nil
}

func (m *Monitor) add(target string, src Source) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if h, ok := m.hosts[target]; ok {
		if src == SourceDashboard {
			h.Source = src // kept when the watch file drops it
		}
		return
	}
	m.gen++
	// The first audit is spread over a few seconds so a long watch file
	// does not arrive at the queue at once.
	first := m.cfg.Now().Add(time.Duration(rand.Int64N(int64(m.cfg.Spread) + 1)))
	m.hosts[target] = &hostState{Host: Host{Target: target, Source: src, NextRun: first}, gen: m.gen}
	m.kick()
}

// Remove stops monitoring target (and forgets it in Config.Saved). A
// target of the watch file comes back when the file changes.
func (m *Monitor) Remove(target string) error {
	if m.cfg.Saved != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.cfg.Saved.RemoveMonitored(ctx, target); err != nil {
			return fmt.Errorf("forgetting %s: %v", target, err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.hosts, target)
	return nil
}

// Trigger audits target now (it must be monitored).
func (m *Monitor) Trigger(target string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, ok := m.hosts[target]
	if ok && !h.Running {
		h.NextRun = m.cfg.Now()
		m.kick()
	}
	return ok
}

func (m *Monitor) kick() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Hosts returns a copy of every host's state, sorted by target.
func (m *Monitor) Hosts() []Host {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Host, 0, len(m.hosts))
	for _, h := range m.hosts {
		c := h.Host
		c.Reports = slices.Clone(h.Reports)
		c.Violations = slices.Clone(h.Violations)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out
}

// every calls f every period in a goroutine of wg until ctx ends.
func every(ctx context.Context, wg *sync.WaitGroup, period time.Duration, f func()) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				f()
			}
		}
	}()
}

// Run schedules audits until ctx ends, then waits for the running ones.
func (m *Monitor) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	if w := m.watch; w != nil {
		every(ctx, &wg, m.cfg.WatchPoll, func() { m.syncWatch(w) })
	}
	if m.cfg.Saved != nil {
		every(ctx, &wg, m.cfg.SavedPoll, func() {
			if err := m.syncSaved(); err != nil {
				m.cfg.Logf("monitor: reading the saved hosts: %v", err)
			}
		})
	}
	slots := make(chan struct{}, m.cfg.Concurrency)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		due, wait := m.due()
		for _, h := range due {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				m.unmark(due)
				return nil
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				m.runOne(ctx, h)
			}()
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-m.wake:
		case <-timer.C:
		}
	}
}

type dueHost struct {
	target string
	gen    int
	prev   []*report.Report
	first  bool
}

// due marks the hosts whose time has come as running and returns them,
// with how long to sleep before the next one is due.
func (m *Monitor) due() ([]dueHost, time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Now()
	wait := time.Hour
	var out []dueHost
	for _, h := range m.hosts {
		if h.Running {
			continue
		}
		if d := h.NextRun.Sub(now); d > 0 {
			wait = min(wait, d)
			continue
		}
		h.Running = true
		out = append(out, dueHost{target: h.Target, gen: h.gen, prev: slices.Clone(h.Reports), first: h.LastRun.IsZero()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].target < out[j].target })
	return out, wait
}

func (m *Monitor) unmark(hs []dueHost) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range hs {
		if h, ok := m.hosts[d.target]; ok && h.gen == d.gen {
			h.Running = false
		}
	}
}

// next is the jittered time of the audit after one finished at t.
func (m *Monitor) next(t time.Time) time.Time {
	j := (rand.Float64()*2 - 1) * m.cfg.Jitter
	return t.Add(time.Duration(float64(m.cfg.Interval) * (1 + j)))
}

func (m *Monitor) runOne(ctx context.Context, d dueHost) {
	prev := d.prev
	if d.first && m.cfg.Previous != nil {
		prev = m.cfg.Previous(ctx, d.target)
	}
	start := m.cfg.Now()
	reps, err := m.cfg.Audit(ctx, d.target)
	took := m.cfg.Now().Sub(start)
	if ctx.Err() != nil {
		m.unmark([]dueHost{d})
		return
	}
	now := m.cfg.Now()
	var viols []policyfile.Violation
	var events []Event
	if err == nil {
		sort.SliceStable(reps, func(i, j int) bool { return reps[i].Target.IP < reps[j].Target.IP })
		for _, r := range reps {
			v := m.policy.Evaluate(policyfile.Input{Obs: r.Observation, Findings: r.Findings, Grade: r.Grade, Now: now})
			if m.cfg.OnReport != nil {
				m.cfg.OnReport(r, v, took)
			}
			events = append(events, compare(d.target, prevOf(prev, r), r, v, m.violationsOf(prevOf(prev, r), now), m.cfg.ExpiryWarn, now)...)
			for _, x := range v {
				if len(reps) > 1 {
					x.Rule = endpointName(r) + ": " + x.Rule
				}
				viols = append(viols, x)
			}
		}
	} else {
		m.cfg.Logf("monitor: %s: %v", d.target, err)
	}
	m.mu.Lock()
	h, ok := m.hosts[d.target]
	if !ok || h.gen != d.gen {
		m.mu.Unlock()
		return // removed while running
	}
	h.Running = false
	h.LastRun = now
	h.NextRun = m.next(now)
	m.kick()
	if err != nil {
		h.Error = err.Error()
	} else {
		h.Error = ""
		h.Reports = reps
		h.Violations = viols
	}
	m.mu.Unlock()
	if m.cfg.Notify != nil {
		for _, e := range events {
			m.cfg.Notify(ctx, e)
		}
	}
}

// violationsOf evaluates the policy over an earlier report (nil: none).
func (m *Monitor) violationsOf(r *report.Report, now time.Time) []policyfile.Violation {
	if r == nil {
		return nil
	}
	return m.policy.Evaluate(policyfile.Input{Obs: r.Observation, Findings: r.Findings, Grade: r.Grade, Now: now})
}

// prevOf is the earlier report of r's endpoint: the same address, else the
// only earlier report when the host had one endpoint.
func prevOf(prev []*report.Report, r *report.Report) *report.Report {
	for _, p := range prev {
		if p.Target.IP == r.Target.IP && p.Target.Port == r.Target.Port {
			return p
		}
	}
	if len(prev) == 1 && prev[0].Target.Port == r.Target.Port {
		return prev[0]
	}
	return nil
}

func endpointName(r *report.Report) string {
	if r.Target.IP != "" {
		if strings.Contains(r.Target.IP, ":") {
			return fmt.Sprintf("[%s]:%d", r.Target.IP, r.Target.Port)
		}
		return fmt.Sprintf("%s:%d", r.Target.IP, r.Target.Port)
	}
	return r.TargetName()
}
