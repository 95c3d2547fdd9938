// Package batch audits long lists of targets: it expands each input target
// into its endpoints (one per A/AAAA address, as SSL Labs does), runs the
// audits within a global concurrency limit and an optional rate limit,
// retries transient connection failures with bounded exponential backoff,
// stops taking new work when asked to drain, and hands every endpoint's
// observation to the caller the moment it is done — so memory is bounded by
// the concurrency, not by the length of the list.
//
// It also holds what a sharded, resumable run needs: Shard (a deterministic
// split of a list over many machines) and Done (the targets an earlier JSON
// Lines output already holds).
//
// Record rule: every input target yields at least one record. A target that
// resolves yields exactly one record per address (endpoint); a target that
// cannot be parsed or resolved, or that was cut short, yields exactly one
// record with the matching status (invalid_target, resolve_error).
package batch
