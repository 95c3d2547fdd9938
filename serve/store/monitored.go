package store

import (
	"context"
	"errors"
)

// CountQueued counts the queued and running assessments of every client:
// the depth of the queue (the metrics' tlsaudit_queue_depth).
func (s *SQL) CountQueued(ctx context.Context) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM assessments WHERE state IN ('queued', 'running')`).Scan(&n)
	return n, err
}

// maxMonitoredTarget caps a stored monitored target (the monitor accepts
// at most 300 bytes).
const maxMonitoredTarget = 1024

// AddMonitored records target as monitored; adding it again is no change.
func (s *SQL) AddMonitored(ctx context.Context, target string) error {
	if target == "" || len(target) > maxMonitoredTarget {
		return errors.New("store: monitored target empty or too long")
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO monitored_hosts (target, added_at) VALUES (?, ?) ON CONFLICT (target) DO NOTHING`),
		target, s.now().UnixMilli())
	return err
}

// RemoveMonitored forgets target; removing an unknown target is no change.
func (s *SQL) RemoveMonitored(ctx context.Context, target string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM monitored_hosts WHERE target = ?`), target)
	return err
}

// Monitored lists the monitored targets in the order they were added.
func (s *SQL) Monitored(ctx context.Context) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT target FROM monitored_hosts ORDER BY added_at, target`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
