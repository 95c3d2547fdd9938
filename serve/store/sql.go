package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite" (pure Go, no cgo)
)

// dialect is what differs between the SQL backends.
type dialect struct {
	name string
	// pk is the type of an auto-increment primary key.
	pk string
	// skipLocked ends the claim's inner SELECT (PostgreSQL: rows another
	// transaction is claiming are skipped, not waited for).
	skipLocked string
	// dollar: placeholders are $1, $2 (PostgreSQL) instead of ?.
	dollar bool
}

var (
	sqliteDialect   = dialect{name: "sqlite", pk: "INTEGER PRIMARY KEY AUTOINCREMENT"}
	postgresDialect = dialect{name: "postgres", pk: "BIGSERIAL PRIMARY KEY", skipLocked: " FOR UPDATE SKIP LOCKED", dollar: true}
)

// migrations are applied in order, each once; an applied migration is never
// edited, a change is a new one.
var migrations = []string{
	// 1: the assessments table, its queue and lookup indexes.
	`CREATE TABLE assessments (
		id %PK%,
		host TEXT NOT NULL,
		client TEXT NOT NULL DEFAULT '',
		state TEXT NOT NULL,
		status_message TEXT NOT NULL DEFAULT '',
		options TEXT NOT NULL DEFAULT '{}',
		created_at BIGINT NOT NULL,
		started_at BIGINT NOT NULL DEFAULT 0,
		finished_at BIGINT NOT NULL DEFAULT 0,
		owner TEXT NOT NULL DEFAULT '',
		lease_until BIGINT NOT NULL DEFAULT 0,
		attempts INTEGER NOT NULL DEFAULT 0,
		grade TEXT NOT NULL DEFAULT '',
		endpoints TEXT NOT NULL DEFAULT '[]'
	);
	CREATE INDEX assessments_host ON assessments (host, id);
	CREATE INDEX assessments_state ON assessments (state, id);
	CREATE INDEX assessments_client ON assessments (client, state);
	CREATE UNIQUE INDEX assessments_one_active ON assessments (host) WHERE state IN ('queued', 'running');`,
	// 2: the hosts added to monitoring on the dashboard (the watch file's
	// hosts live in the file).
	`CREATE TABLE monitored_hosts (
		target TEXT PRIMARY KEY,
		added_at BIGINT NOT NULL
	);`,
}

// SQL is a Store on database/sql, for SQLite and PostgreSQL.
type SQL struct {
	db *sql.DB // writes (and, for PostgreSQL, reads)
	// rdb serves reads: for SQLite a pool of read-only connections, which
	// WAL lets read while the single writer writes; for PostgreSQL db.
	rdb *sql.DB
	d   dialect
	// now is the clock (tests replace it).
	now func() time.Time
}

// Open opens the store named by dsn: "postgres://..." or "postgresql://..."
// for PostgreSQL, anything else is a SQLite file path (created when
// missing). Migrations run before Open returns.
func Open(ctx context.Context, dsn string) (*SQL, error) {
	var s *SQL
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(16)
		s = &SQL{db: db, d: postgresDialect, now: time.Now}
	} else {
		if dsn == "" {
			return nil, errors.New("store: empty database path")
		}
		// One connection: SQLite has one writer at a time, and a single
		// connection turns lock contention into queueing in database/sql
		// instead of SQLITE_BUSY errors. WAL keeps a committed
		// transaction across a crash of the process.
		db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)")
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		s = &SQL{db: db, d: sqliteDialect, now: time.Now}
	}
	s.rdb = s.db
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: %s: %w", s.d.name, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if s.d.name == "sqlite" {
		rdb, err := sql.Open("sqlite", "file:"+dsn+"?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)")
		if err != nil {
			s.db.Close()
			return nil, err
		}
		rdb.SetMaxOpenConns(4)
		s.rdb = rdb
	}
	return s, nil
}

// Dialect names the backend: "sqlite" or "postgres".
func (s *SQL) Dialect() string { return s.d.name }

// Close closes the database.
func (s *SQL) Close() error {
	if s.rdb != s.db {
		s.rdb.Close()
	}
	return s.db.Close()
}

// q rewrites ? placeholders for the dialect.
func (s *SQL) q(query string) string {
	if !s.d.dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *SQL) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.d.name == "postgres" {
		// Replicas starting together: one migrates, the others wait here.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7418230911)`); err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return err
	}
	if have > len(migrations) {
		return fmt.Errorf("store: the database is at schema version %d, newer than this program's %d", have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		ddl := strings.ReplaceAll(migrations[v-1], "%PK%", s.d.pk)
		for _, stmt := range strings.Split(ddl, ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("store: migration %d: %w", v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), v, s.now().UnixMilli()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// SchemaVersion returns the newest applied migration.
func (s *SQL) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

const cols = `id, host, client, state, status_message, options, created_at, started_at, finished_at, owner, lease_until, attempts, grade, endpoints`

type scanner interface{ Scan(dest ...any) error }

func scanAssessment(r scanner) (*Assessment, error) {
	var (
		a                                     Assessment
		state, opts, eps                      string
		created, started, finished, leaseTill int64
	)
	if err := r.Scan(&a.ID, &a.Host, &a.Client, &state, &a.StatusMessage, &opts, &created, &started, &finished, &a.Owner, &leaseTill, &a.Attempts, &a.Grade, &eps); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	a.State = State(state)
	a.CreatedAt = fromMS(created)
	a.StartedAt = fromMS(started)
	a.FinishedAt = fromMS(finished)
	a.LeaseUntil = fromMS(leaseTill)
	if err := json.Unmarshal([]byte(opts), &a.Options); err != nil {
		return nil, fmt.Errorf("store: assessment %d options: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(eps), &a.Endpoints); err != nil {
		return nil, fmt.Errorf("store: assessment %d endpoints: %w", a.ID, err)
	}
	return &a, nil
}

func fromMS(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

func toMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func (s *SQL) one(ctx context.Context, query string, args ...any) (*Assessment, error) {
	return scanAssessment(s.db.QueryRowContext(ctx, s.q(query), args...))
}

// read is one for reads (the read pool).
func (s *SQL) read(ctx context.Context, query string, args ...any) (*Assessment, error) {
	return scanAssessment(s.rdb.QueryRowContext(ctx, s.q(query), args...))
}

func (s *SQL) many(ctx context.Context, query string, args ...any) ([]*Assessment, error) {
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Assessment
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// isUnique reports a unique-constraint violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// Enqueue implements Store.
func (s *SQL) Enqueue(ctx context.Context, host, client string, opts Options, since time.Time) (*Assessment, bool, error) {
	o, err := json.Marshal(opts)
	if err != nil {
		return nil, false, err
	}
	for range 3 {
		a, err := s.one(ctx, `INSERT INTO assessments (host, client, state, options, created_at)
			SELECT ?, ?, 'queued', ?, ? WHERE NOT EXISTS
			(SELECT 1 FROM assessments WHERE host = ? AND state IN ('ready', 'error') AND created_at >= ?) RETURNING `+cols,
			host, client, string(o), s.now().UnixMilli(), host, toMS(since))
		if err == nil {
			return a, true, nil
		}
		if errors.Is(err, ErrNotFound) {
			// Finished meanwhile, by a concurrent request.
			a, err = s.Latest(ctx, host, since)
			return a, false, err
		}
		if !isUnique(err) {
			return nil, false, err
		}
		// Another request created it first: share it (unless it finished
		// in between, then try again).
		a, err = s.Active(ctx, host)
		if err == nil {
			return a, false, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, false, err
		}
	}
	return nil, false, errors.New("store: enqueue raced with finishing assessments three times")
}

// Active implements Store.
func (s *SQL) Active(ctx context.Context, host string) (*Assessment, error) {
	return s.read(ctx, `SELECT `+cols+` FROM assessments WHERE host = ? AND state IN ('queued', 'running') ORDER BY id DESC LIMIT 1`, host)
}

// Latest implements Store.
func (s *SQL) Latest(ctx context.Context, host string, since time.Time) (*Assessment, error) {
	return s.read(ctx, `SELECT `+cols+` FROM assessments WHERE host = ? AND state IN ('ready', 'error') AND created_at >= ? ORDER BY id DESC LIMIT 1`, host, toMS(since))
}

// Head implements Store.
func (s *SQL) Head(ctx context.Context, host string) (int64, State, time.Time, error) {
	var (
		id, created int64
		state       string
	)
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT id, state, created_at FROM assessments WHERE host = ? ORDER BY id DESC LIMIT 1`), host).Scan(&id, &state, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", time.Time{}, ErrNotFound
	}
	return id, State(state), fromMS(created), err
}

// Get implements Store.
func (s *SQL) Get(ctx context.Context, id int64) (*Assessment, error) {
	return s.read(ctx, `SELECT `+cols+` FROM assessments WHERE id = ?`, id)
}

// CountActive implements Store.
func (s *SQL) CountActive(ctx context.Context, client string) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM assessments WHERE client = ? AND state IN ('queued', 'running')`), client).Scan(&n)
	return n, err
}

// Hosts implements Store.
func (s *SQL) Hosts(ctx context.Context, limit, offset int) ([]HostSummary, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT host, COUNT(*), MAX(id),
		MAX(CASE WHEN state IN ('ready', 'error') THEN id ELSE 0 END),
		SUM(CASE WHEN state IN ('queued', 'running') THEN 1 ELSE 0 END)
		FROM assessments GROUP BY host ORDER BY MAX(id) DESC LIMIT ? OFFSET ?`), limit, offset)
	if err != nil {
		return nil, err
	}
	type row struct {
		h                      HostSummary
		latest, newest, active int64
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.h.Host, &r.h.Assessment, &r.newest, &r.latest, &r.active); err != nil {
			rows.Close()
			return nil, err
		}
		r.h.Active = r.active > 0
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]HostSummary, 0, len(rs))
	for _, r := range rs {
		if r.latest > 0 {
			a, err := s.Get(ctx, r.latest)
			if err != nil {
				return nil, err
			}
			r.h.Latest = a
		}
		out = append(out, r.h)
	}
	return out, nil
}

// History implements Store.
func (s *SQL) History(ctx context.Context, host string, limit int) ([]*Assessment, error) {
	if limit <= 0 {
		limit = 100
	}
	return s.many(ctx, `SELECT `+cols+` FROM assessments WHERE host = ? ORDER BY id DESC LIMIT ?`, host, limit)
}

// Claim implements Store.
func (s *SQL) Claim(ctx context.Context, owner string, lease time.Duration) (*Assessment, error) {
	now := s.now().UnixMilli()
	return s.one(ctx, `UPDATE assessments SET state = 'running', owner = ?, lease_until = ?, attempts = attempts + 1,
		started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END
		WHERE id = (SELECT id FROM assessments WHERE state = 'queued' OR (state = 'running' AND lease_until < ?) ORDER BY id LIMIT 1`+s.d.skipLocked+`)
		RETURNING `+cols, owner, now+lease.Milliseconds(), now, now)
}

func (s *SQL) fenced(ctx context.Context, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLost
	}
	return nil
}

// Renew implements Store.
func (s *SQL) Renew(ctx context.Context, id int64, owner string, lease time.Duration) error {
	return s.fenced(ctx, `UPDATE assessments SET lease_until = ? WHERE id = ? AND owner = ? AND state = 'running'`,
		s.now().Add(lease).UnixMilli(), id, owner)
}

// Progress implements Store.
func (s *SQL) Progress(ctx context.Context, id int64, owner string, eps []Endpoint) error {
	b, err := json.Marshal(eps)
	if err != nil {
		return err
	}
	return s.fenced(ctx, `UPDATE assessments SET endpoints = ? WHERE id = ? AND owner = ? AND state = 'running'`, string(b), id, owner)
}

// Finish implements Store.
func (s *SQL) Finish(ctx context.Context, a *Assessment, owner string) error {
	if !a.State.Finished() {
		return fmt.Errorf("store: finish with state %q", a.State)
	}
	b, err := json.Marshal(a.Endpoints)
	if err != nil {
		return err
	}
	if a.FinishedAt.IsZero() {
		a.FinishedAt = s.now()
	}
	return s.fenced(ctx, `UPDATE assessments SET state = ?, status_message = ?, grade = ?, endpoints = ?, finished_at = ?, lease_until = 0
		WHERE id = ? AND owner = ? AND state = 'running'`,
		string(a.State), a.StatusMessage, a.Grade, string(b), a.FinishedAt.UnixMilli(), a.ID, owner)
}

// ExpireLeases implements Store.
func (s *SQL) ExpireLeases(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `UPDATE assessments SET lease_until = 0 WHERE state = 'running'`)
	return err
}

var _ Store = (*SQL)(nil)
