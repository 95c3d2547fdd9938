package serve

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/tlsaudit/tlsaudit/serve/store"
)

// The entry points of the web pages and of monitoring (packages serve/web
// and serve/monitor, wired by the serve command).

// StartForRequest is the analyze call of a web page: the running
// assessment of host, or the newest finished one (fresh: only one finished
// within the per-target cool-off), or a new one under the limits of the
// request's client. The error is one line for a person. As on SSL Labs'
// pages, the request's ignoreMismatch=on query parameter lets a new
// assessment proceed past a certificate name mismatch (without it the
// endpoint's result is withheld: MsgMismatch).
func (s *Server) StartForRequest(ctx context.Context, r *http.Request, host string, fresh bool) (*store.Assessment, error) {
	hp, err := ParseHost(host)
	if err != nil {
		return nil, err
	}
	ignore := r.URL.Query().Get("ignoreMismatch") == "on"
	a, _, aerr := s.lookupOrStart(ctx, clientOf(r), analyzeParams{hp: hp, startNew: fresh, ignoreMismatch: ignore})
	if aerr != nil {
		return nil, errors.New(aerr.Message)
	}
	return a, nil
}

// MonitorClient is the client name of the monitor's assessments.
const MonitorClient = "monitor"

// EnqueueMonitored queues an assessment of host for the monitor (or returns
// the one queued or running). The per-client limits do not apply: the
// monitor is the operator's own schedule; the target policy and the
// per-endpoint limits of the workers do. Its assessments proceed despite a
// certificate name mismatch (ignoreMismatch): the monitor follows grades,
// and a mismatch is graded M.
func (s *Server) EnqueueMonitored(ctx context.Context, host string) (*store.Assessment, error) {
	hp, err := ParseHost(host)
	if err != nil {
		return nil, err
	}
	a, _, err := s.cfg.Store.Enqueue(ctx, hp.Key(), MonitorClient, store.Options{IgnoreMismatch: true}, time.Now())
	return a, err
}
