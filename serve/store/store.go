// Package store keeps the assessments of "tlsaudit serve": the queue of work
// and the finished reports, in one table, in SQLite (the default, a pure-Go
// driver) or PostgreSQL (several replicas sharing one queue).
//
// # Model
//
// An Assessment is one audit of one host (a name or an address, with an
// optional port): it is created queued, claimed by a worker (running), and
// finished ready or error. Its Endpoints are the addresses the host resolved
// to, each with the tlsaudit report (report/schema/v1.json) as raw JSON: the
// stored report is the source of truth, every API object is computed from it.
//
// # Queue
//
// A worker claims the oldest queued assessment, or a running one whose lease
// has expired (its worker died), and must renew the lease while it works.
// Every write of a worker is fenced by its owner name: a worker that lost its
// lease cannot overwrite the result of the worker that took over. At most one
// queued or running assessment exists per host (a unique partial index), so
// concurrent requests for one host share one assessment.
//
// # For readers (the web pages, monitoring)
//
// Hosts lists each host with its newest finished assessment; History lists
// one host's assessments newest first; Get and Latest read one. Readers never
// change anything.
//
// # Monitored hosts
//
// The hosts added to monitoring on the dashboard are kept in their own
// table, so that a restarted server (or another replica) monitors them too.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// State is where an assessment is in its life.
type State string

const (
	StateQueued  State = "queued"
	StateRunning State = "running"
	StateReady   State = "ready" // finished; per-endpoint errors may still be listed
	StateError   State = "error" // finished without any endpoint assessed
)

// Finished reports whether s is a final state.
func (s State) Finished() bool { return s == StateReady || s == StateError }

// Endpoint states.
const (
	EndpointPending = "pending"
	EndpointRunning = "running"
	EndpointReady   = "ready"
	EndpointError   = "error"
)

// Endpoint is one address of an assessed host.
type Endpoint struct {
	IP         string `json:"ip"`
	State      string `json:"state"`
	Message    string `json:"message,omitempty"`
	StartedAt  int64  `json:"started_at,omitempty"`  // Unix milliseconds
	FinishedAt int64  `json:"finished_at,omitempty"` // Unix milliseconds
	Grade      string `json:"grade,omitempty"`
	// ExpectedMs is how long the audit of this endpoint is expected to
	// take, set when it starts (the progress and ETA shown while it runs).
	ExpectedMs int64 `json:"expected_ms,omitempty"`
	// Report is the tlsaudit report of this endpoint (schema v1), raw.
	Report json.RawMessage `json:"report,omitempty"`
}

// Options are the per-assessment request options.
type Options struct {
	IgnoreMismatch bool `json:"ignore_mismatch,omitempty"`
}

// Assessment is one audit of one host.
type Assessment struct {
	ID int64
	// Host is the normalised target: lower-case name or address, with
	// ":port" when the port is not 443.
	Host          string
	Client        string // who asked (API key name, e-mail or address)
	State         State
	StatusMessage string
	Options       Options
	CreatedAt     time.Time
	StartedAt     time.Time // zero until first claimed
	FinishedAt    time.Time // zero until finished
	Owner         string    // the worker holding it (running)
	LeaseUntil    time.Time
	Attempts      int    // times claimed
	Grade         string // summary: the worst endpoint grade, "" when none
	Endpoints     []Endpoint
}

// HostSummary is one host and its newest finished assessment.
type HostSummary struct {
	Host       string
	Latest     *Assessment // newest finished, nil when none yet
	Assessment int         // number of assessments of the host
	Active     bool        // one is queued or running
}

// ErrNotFound: no such assessment.
var ErrNotFound = errors.New("store: not found")

// ErrLost: the worker no longer owns the assessment (its lease expired and
// another worker claimed it, or it was finished).
var ErrLost = errors.New("store: lease lost")

// Store is the persistence of assessments. Implementations are safe for
// concurrent use, by several processes when the backend allows it
// (PostgreSQL).
type Store interface {
	// Enqueue adds a queued assessment of host, or returns (created=false)
	// the queued or running one that already exists, or the newest one that
	// finished and was created at or after since (which a concurrent
	// request may just have run; zero since: any).
	Enqueue(ctx context.Context, host, client string, opts Options, since time.Time) (a *Assessment, created bool, err error)
	// Active returns the queued or running assessment of host; ErrNotFound
	// when there is none.
	Active(ctx context.Context, host string) (*Assessment, error)
	// Latest returns the newest finished assessment of host created at or
	// after since (zero: any); ErrNotFound when there is none.
	Latest(ctx context.Context, host string, since time.Time) (*Assessment, error)
	// Head returns the ID, state and creation time of the newest
	// assessment of host, without its endpoints (a cheap check of whether a
	// cached rendering is still current); ErrNotFound when there is none.
	Head(ctx context.Context, host string) (id int64, state State, created time.Time, err error)
	// Get returns one assessment by ID.
	Get(ctx context.Context, id int64) (*Assessment, error)
	// CountActive counts the queued and running assessments asked by client.
	CountActive(ctx context.Context, client string) (int, error)
	// Hosts lists hosts, most recently assessed first.
	Hosts(ctx context.Context, limit, offset int) ([]HostSummary, error)
	// History lists the assessments of host, newest first.
	History(ctx context.Context, host string, limit int) ([]*Assessment, error)

	// Claim gives owner the oldest queued assessment, or a running one whose
	// lease expired, leased until now+lease; ErrNotFound when none is waiting.
	Claim(ctx context.Context, owner string, lease time.Duration) (*Assessment, error)
	// Renew extends owner's lease; ErrLost when owner lost it.
	Renew(ctx context.Context, id int64, owner string, lease time.Duration) error
	// Progress stores the endpoints so far; ErrLost when owner lost it.
	Progress(ctx context.Context, id int64, owner string, eps []Endpoint) error
	// Finish stores the final state, message, grade and endpoints of a
	// (a.State must be final); ErrLost when owner lost it.
	Finish(ctx context.Context, a *Assessment, owner string) error
	// ExpireLeases ends every lease now, so that running assessments are
	// claimed again at once. Only for a store with a single user process
	// (SQLite after a restart): with several, it would steal live work.
	ExpireLeases(ctx context.Context) error
	// CountQueued counts the queued and running assessments of every
	// client: the depth of the queue.
	CountQueued(ctx context.Context) (int, error)

	// AddMonitored records a target monitored from the dashboard (adding
	// one again is no change), RemoveMonitored forgets one, Monitored lists
	// them in the order they were added: they outlive a restart.
	AddMonitored(ctx context.Context, target string) error
	RemoveMonitored(ctx context.Context, target string) error
	Monitored(ctx context.Context) ([]string, error)

	Close() error
}
