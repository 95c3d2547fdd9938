package store

import "context"

// CountQueued counts the queued and running assessments of every client:
// the depth of the queue (the metrics' tlsaudit_queue_depth).
func (s *SQL) CountQueued(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM assessments WHERE state IN ('queued', 'running')`).Scan(&n)
	return n, err
}
