// Package scan does all network I/O of tlsaudit: targets in, observations
// (package scan/obs) out.
package scan

import (
	"context"
	"net/netip"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Target is one endpoint to audit.
type Target struct {
	Input    string     // as written by the user
	Host     string     // host name or literal address (no brackets)
	Port     int        // TCP port
	IP       netip.Addr // address to dial; zero: resolve Host
	SNI      string     // server_name to send; empty: Host unless Host is an IP literal
	StartTLS string     // "smtp", "imap", ... or empty
}

// Options tune a Scanner.
type Options struct {
	// ConnTimeout bounds each connection (dial + exchange). Default 5s.
	ConnTimeout time.Duration
	// Timeout bounds the whole audit of one target. Default 60s.
	Timeout time.Duration
	// PerHost is the maximum number of concurrent connections to one endpoint. Default 8.
	PerHost int
}

// Scanner audits endpoints. It is safe for concurrent use.
type Scanner struct {
	opts Options
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
	return &Scanner{opts: opts}
}

// Scan audits one target. It never returns nil: failures are recorded in the
// observation's Status and Error.
func (s *Scanner) Scan(ctx context.Context, t Target) *obs.Observation {
	o := &obs.Observation{Schema: obs.SchemaVersion, Started: time.Now().UTC()}
	o.Target = obs.Target{Input: t.Input, Host: t.Host, Port: t.Port, SNI: t.SNI, StartTLS: t.StartTLS}
	o.Status = obs.StatusInternalError
	o.Error = "scan engine not implemented yet"
	return o
}
