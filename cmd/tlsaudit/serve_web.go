package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/report/termsafe"
	"github.com/tlsaudit/tlsaudit/scan/certfetch"
	labs "github.com/tlsaudit/tlsaudit/serve"
	"github.com/tlsaudit/tlsaudit/serve/metrics"
	"github.com/tlsaudit/tlsaudit/serve/monitor"
	"github.com/tlsaudit/tlsaudit/serve/store"
	"github.com/tlsaudit/tlsaudit/serve/web"
)

const serveWebUsage = `
Web pages, monitoring and metrics:
  /                      a form to test a server, and recent assessments
  /ssltest/analyze.html?d=HOST   the assessment page (SSL Labs' URL), live progress
  /history?d=HOST        grade and days to expiry over time, diff of two reports
  /decoder               paste certificates, a CSR or a key (PEM); nothing is stored
  /dashboard             monitored hosts, by days to expiry or grade
  /metrics               Prometheus metrics (docs/monitoring.md)

  --watch FILE           monitor the targets in FILE (one a line, # comments),
                         re-read when it changes; enables the dashboard
  --monitor              enable the dashboard without a watch file
  --interval DURATION    re-audit monitored hosts this often, jittered by ±10%
                         (default 6h)
  --policy FILE          what counts as failing for monitored hosts and metrics
                         (the CLI's policy format; default: fail_on: high)
  --expiry-warn DAYS     warning window before a leaf expires (default 21d)
  --webhook URL          POST a JSON event on a grade drop, a newly broken policy
                         rule or a leaf entering the warning window
  --webhook-secret S     sign webhook bodies (X-Tlsaudit-Signature: sha256=HMAC);
                         also read from TLSAUDIT_WEBHOOK_SECRET
`

// webConfig holds the flags of the pages, monitoring and metrics.
type webConfig struct {
	watch, policyFile, webhook, secret, expiry string
	interval                                   time.Duration
	monitor                                    bool
}

func webFlags(fs *flag.FlagSet, w *webConfig) {
	fs.StringVar(&w.watch, "watch", "", "")
	fs.BoolVar(&w.monitor, "monitor", false, "")
	fs.DurationVar(&w.interval, "interval", 6*time.Hour, "")
	fs.StringVar(&w.policyFile, "policy", "", "")
	fs.StringVar(&w.expiry, "expiry-warn", "21d", "")
	fs.StringVar(&w.webhook, "webhook", "", "")
	fs.StringVar(&w.secret, "webhook-secret", os.Getenv("TLSAUDIT_WEBHOOK_SECRET"), "")
}

// webSetup is the pages, monitor and metrics of one serve process.
type webSetup struct {
	cfg     webConfig
	policy  *policyfile.Policy
	warn    time.Duration
	metrics *metrics.Metrics
	log     *lockedWriter

	pagesMu sync.RWMutex
	pages   http.Handler
	mon     *monitor.Monitor
}

// lockedWriter serialises the lines of several goroutines; every line is
// sanitised, since monitor and webhook errors may quote what a server sent.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, termsafe.String("tlsaudit serve: "+fmt.Sprintf(format, args...)))
}

// load checks the flags; its error is one line.
func (w webConfig) load(stderr io.Writer) (*webSetup, error) {
	warn, err := parseDays(w.expiry)
	if err != nil {
		return nil, fmt.Errorf("invalid --expiry-warn %q: %v", w.expiry, err)
	}
	if w.interval < time.Second {
		return nil, fmt.Errorf("--interval %v is shorter than a second", w.interval)
	}
	if w.webhook != "" {
		u, err := url.Parse(w.webhook)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--webhook %q: want an http:// or https:// URL", w.webhook)
		}
	}
	policySrc, name := []byte("fail_on: high\n"), "default policy"
	if w.policyFile != "" {
		if policySrc, err = certfetch.ReadFileCapped(w.policyFile, policyfile.MaxSize); err != nil {
			return nil, fmt.Errorf("--policy: %v", err)
		}
		name = w.policyFile
	}
	p, err := policyfile.Load(policySrc)
	if err == nil {
		err = p.Validate(all.Registry())
	}
	if pe, ok := err.(*policyfile.Error); ok && pe.Line > 0 {
		return nil, fmt.Errorf("%s:%d: %s", name, pe.Line, pe.Msg)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return &webSetup{cfg: w, policy: p, warn: warn, log: &lockedWriter{w: stderr}}, nil
}

// audit wraps the server's auditor: every endpoint report goes to the
// metrics with its policy violations and duration.
func (ws *webSetup) audit(inner labs.Auditor) labs.Auditor {
	return func(ctx context.Context, t labs.Target) *report.Report {
		start := time.Now()
		r := inner(ctx, t)
		if r != nil && ctx.Err() == nil && ws.metrics != nil {
			v := ws.policy.Evaluate(policyfile.Input{Obs: r.Observation, Findings: r.Findings, Grade: r.Grade, Now: time.Now()})
			ws.metrics.Record(r, len(v), time.Since(start))
		}
		return r
	}
}

// handler is the server's Config.Pages: /metrics and the web pages, bound
// once attach has run.
func (ws *webSetup) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.pagesMu.RLock()
		h := ws.pages
		ws.pagesMu.RUnlock()
		if h == nil {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// newMetrics makes the metrics; the queue depth is read from st.
func (ws *webSetup) newMetrics(st store.Store) {
	ws.metrics = metrics.New(func() int {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n, _ := st.CountQueued(ctx)
		return n
	})
}

// attach builds the pages and the monitor on the running server.
func (ws *webSetup) attach(srv *labs.Server, st store.Store, stores func() []checks.TrustStore, tool report.Tool) error {
	if ws.cfg.watch != "" || ws.cfg.monitor {
		mc := monitor.Config{
			Audit:      ws.monitorAudit(srv, st),
			WatchFile:  ws.cfg.watch,
			Interval:   ws.cfg.interval,
			Policy:     ws.policy,
			ExpiryWarn: ws.warn,
			Logf:       ws.log.logf,
			Saved:      st,
			Previous: func(ctx context.Context, target string) []*report.Report {
				hp, err := labs.ParseHost(target)
				if err != nil {
					return nil
				}
				a, err := st.Latest(ctx, hp.Key(), time.Time{})
				if err != nil {
					return nil
				}
				return web.Reports(a)
			},
		}
		if ws.cfg.webhook != "" {
			wh := &monitor.Webhook{URL: ws.cfg.webhook, Secret: ws.cfg.secret, Logf: ws.log.logf}
			mc.Notify = wh.Notify
		}
		m, err := monitor.New(mc)
		if err != nil {
			return err
		}
		ws.mon = m
	}
	pc := web.Config{Backend: web.StoreBackend{Store: st, Starter: srv}, Stores: stores, ExpiryWarn: ws.warn, Tool: tool}
	if ws.mon != nil {
		pc.Monitor = ws.mon
	}
	pages, err := web.New(pc)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", ws.metrics.Handler())
	mux.Handle("/", pages)
	ws.pagesMu.Lock()
	ws.pages = mux
	ws.pagesMu.Unlock()
	return nil
}

// monitorAudit runs a monitored host's audit through the server's queue
// (so the workers' per-endpoint limits apply) and waits for it.
func (ws *webSetup) monitorAudit(srv *labs.Server, st store.Store) monitor.AuditFunc {
	return func(ctx context.Context, target string) ([]*report.Report, error) {
		a, err := srv.EnqueueMonitored(ctx, target)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for !a.State.Finished() {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-t.C:
			}
			if a, err = st.Get(ctx, a.ID); err != nil {
				return nil, err
			}
		}
		reps := web.Reports(a)
		if len(reps) == 0 {
			msg := a.StatusMessage
			if msg == "" {
				msg = "no endpoint assessed"
			}
			return nil, errors.New(msg)
		}
		return reps, nil
	}
}

// run runs the monitor until ctx ends (nothing when monitoring is off).
func (ws *webSetup) run(ctx context.Context) {
	if ws.mon != nil {
		ws.mon.Run(ctx)
	}
}
