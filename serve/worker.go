package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

func (s *Server) owner(i int) string { return fmt.Sprintf("%s/%d", s.cfg.Instance, i) }

// worker claims and runs assessments until ctx is done.
func (s *Server) worker(ctx context.Context, i int) {
	owner := s.owner(i)
	for ctx.Err() == nil {
		a, err := s.cfg.Store.Claim(ctx, owner, s.cfg.Lease)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
				s.cfg.Log.Warn("claim failed", "err", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(s.cfg.Poll):
			}
			continue
		}
		s.run(ctx, a, owner)
	}
}

// run assesses one claimed assessment. The lease is renewed while it runs;
// when it is lost the audit is cancelled and nothing more is written.
func (s *Server) run(ctx context.Context, a *store.Assessment, owner string) {
	log := s.cfg.Log.With("id", a.ID, "host", a.Host, "attempt", a.Attempts)
	if a.Attempts > s.cfg.MaxAttempts {
		a.State, a.StatusMessage = store.StateError,
			fmt.Sprintf("Assessment interrupted: the worker running it stopped %d times", a.Attempts-1)
		s.finish(ctx, a, owner, log)
		return
	}
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTicker(s.cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-actx.Done():
				return
			case <-t.C:
				err := s.cfg.Store.Renew(actx, a.ID, owner, s.cfg.Lease)
				if errors.Is(err, store.ErrLost) {
					log.Warn("lease lost; abandoning the assessment")
					cancel()
					return
				}
			}
		}
	}()
	s.assess(actx, a, owner, log)
	if actx.Err() != nil {
		return // shut down or lease lost: another worker takes it over
	}
	s.finish(ctx, a, owner, log)
}

func (s *Server) finish(ctx context.Context, a *store.Assessment, owner string, log interface {
	Warn(string, ...any)
}) {
	if err := s.cfg.Store.Finish(ctx, a, owner); err != nil {
		log.Warn("finish failed", "err", err)
	}
}

// assess resolves the host, refuses disallowed addresses and audits each
// allowed one in turn, storing progress after each.
func (s *Server) assess(ctx context.Context, a *store.Assessment, owner string, log interface {
	Warn(string, ...any)
}) {
	hp, err := ParseHost(a.Host)
	if err != nil {
		a.State, a.StatusMessage = store.StateError, "Invalid host: "+err.Error()
		return
	}
	rctx, rcancel := context.WithTimeout(ctx, 15*time.Second)
	allowed, refused, err := resolveAllowed(rctx, s.cfg.Resolver, s.cfg.Policy, hp)
	rcancel()
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		a.State, a.StatusMessage = store.StateError, "Unable to resolve domain name"
		return
	}
	if len(allowed) == 0 {
		if len(refused) == 0 {
			a.State, a.StatusMessage = store.StateError, "Unable to resolve domain name"
			return
		}
		a.State = store.StateError
		a.StatusMessage = "Target not allowed: " + strings.Join(refused, "; ") + " (allow it with --allow-targets)"
		return
	}
	if len(allowed) > s.cfg.MaxEndpoints {
		allowed = allowed[:s.cfg.MaxEndpoints]
	}
	// A re-run after a crash starts over: the endpoints of the dead run
	// may be half-done.
	a.Endpoints = make([]store.Endpoint, len(allowed))
	for i, ip := range allowed {
		a.Endpoints[i] = store.Endpoint{IP: ip.String(), State: store.EndpointPending}
	}
	if err := s.cfg.Store.Progress(ctx, a.ID, owner, a.Endpoints); err != nil {
		log.Warn("progress failed", "err", err)
		return
	}
	expected := s.expectations(ctx, a.Host)
	for i, ip := range allowed {
		ep := &a.Endpoints[i]
		ep.State, ep.StartedAt = store.EndpointRunning, time.Now().UnixMilli()
		ep.ExpectedMs = expected(ep.IP)
		if err := s.cfg.Store.Progress(ctx, a.ID, owner, a.Endpoints); err != nil {
			log.Warn("progress failed", "err", err)
			return
		}
		ectx, ecancel := context.WithTimeout(ctx, s.cfg.AuditTimeout)
		r := s.auditOne(ectx, Target{Host: hp.Host, IP: ip, Port: hp.Port})
		ecancel()
		if ctx.Err() != nil {
			return
		}
		ep.FinishedAt = time.Now().UnixMilli()
		s.took.add(time.Duration(ep.FinishedAt-ep.StartedAt) * time.Millisecond)
		raw, err := json.Marshal(r)
		if err != nil {
			ep.State, ep.Message = store.EndpointError, "Internal error: "+err.Error()
		} else {
			ep.Report = raw
			switch {
			case r.Status == obs.StatusOK && !a.Options.IgnoreMismatch && failed(r, checks.IDCertHostnameMismatch):
				// SSL Labs stops here unless ignoreMismatch is on: no grade,
				// no details; the Host lists the names the certificate has.
				ep.State, ep.Message = store.EndpointError, MsgMismatch
			case r.Status == obs.StatusOK:
				ep.State, ep.Message = store.EndpointReady, "Ready"
				if r.Grade != nil {
					ep.Grade = string(r.Grade.Letter)
				}
			default:
				ep.State, ep.Message = store.EndpointError, endpointMessage(r)
			}
		}
		if i < len(allowed)-1 {
			if err := s.cfg.Store.Progress(ctx, a.ID, owner, a.Endpoints); err != nil {
				log.Warn("progress failed", "err", err)
				return
			}
		}
	}
	a.State, a.StatusMessage = store.StateError, ""
	for _, ep := range a.Endpoints {
		switch {
		case ep.State == store.EndpointReady:
			a.State = store.StateReady
			a.Grade = worseGrade(a.Grade, ep.Grade)
		case ep.Message == MsgMismatch:
			a.State = store.StateReady // assessed, its result withheld
		}
	}
	if a.State == store.StateError {
		a.StatusMessage = a.Endpoints[0].Message
	}
}

// MsgMismatch is the statusMessage of an endpoint whose certificate does not
// match the host name, assessed without ignoreMismatch (SSL Labs' wording).
const MsgMismatch = "Certificate not valid for domain name"

// stoppedForMismatch reports whether a finished assessment has an endpoint
// withheld for a name mismatch: a new request with ignoreMismatch on is not
// answered by it.
func stoppedForMismatch(a *store.Assessment) bool {
	if a.Options.IgnoreMismatch {
		return false
	}
	for _, ep := range a.Endpoints {
		if ep.State == store.EndpointError && ep.Message == MsgMismatch {
			return true
		}
	}
	return false
}

// auditOne runs the auditor, turning a panic into an internal-error report.
func (s *Server) auditOne(ctx context.Context, t Target) (r *report.Report) {
	defer func() {
		if p := recover(); p != nil {
			o := &obs.Observation{Schema: obs.SchemaVersion, Status: obs.StatusInternalError, Error: fmt.Sprintf("internal error: %v", p),
				Target: obs.Target{Host: t.Host, IP: t.IP.String(), Port: t.Port}}
			r = report.New(report.Tool{Name: "tlsaudit", Version: s.cfg.EngineVersion}, o, nil, nil)
		}
	}()
	r = s.cfg.Audit(ctx, t)
	if r == nil {
		panic("auditor returned no report")
	}
	return r
}

// endpointMessage is the SSL Labs statusMessage of an endpoint that could
// not be assessed.
func endpointMessage(r *report.Report) string {
	switch r.Status {
	case obs.StatusConnectionRefused, obs.StatusConnectionError:
		return "Unable to connect to the server"
	case obs.StatusConnectionTimeout, obs.StatusTimeout:
		return "Connection timed out"
	case obs.StatusNotTLS, obs.StatusNoTLS:
		return "No secure protocols supported"
	case obs.StatusResolveError:
		return "Unable to resolve domain name"
	case obs.StatusCanceled:
		return "Assessment canceled"
	}
	if r.Error != "" {
		return "Assessment failed: " + sanitize(r.Error, 200)
	}
	return "Assessment failed"
}

// worseGrade returns the worse of two letters ("" when both are unknown).
func worseGrade(a, b string) string {
	if rb, ok := grade.Rank(b); ok {
		if ra, _ := grade.Rank(a); rb > ra {
			return b
		}
	}
	return a
}

// sanitize keeps printable characters of a server-influenced string, cut
// to max bytes.
func sanitize(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= max {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
