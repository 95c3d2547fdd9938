package batch

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan"
)

// Shard selects one part of a target list: the targets whose key hashes to
// Index modulo Count. Index is 0-based (0 ≤ Index < Count), the convention
// of a Kubernetes Indexed Job's JOB_COMPLETION_INDEX. The zero Shard (Count
// 0) selects every target.
type Shard struct {
	Index, Count int
}

// ParseShard parses "K/N" with 0 ≤ K < N (0-based).
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, kerr := strconv.Atoi(ks)
	n, nerr := strconv.Atoi(ns)
	switch {
	case !ok || kerr != nil || nerr != nil:
		return Shard{}, fmt.Errorf("invalid shard %q: want K/N, e.g. 0/4", s)
	case n < 1:
		return Shard{}, fmt.Errorf("invalid shard %q: N must be at least 1", s)
	case k == n:
		return Shard{}, fmt.Errorf("invalid shard %q: K is 0-based, from 0 to %d (the last shard is %d/%d)", s, n-1, n-1, n)
	case k < 0 || k > n:
		return Shard{}, fmt.Errorf("invalid shard %q: K must be from 0 to %d", s, n-1)
	}
	return Shard{Index: k, Count: n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Owns reports whether the input target belongs to this shard.
func (s Shard) Owns(input string) bool {
	return s.Count <= 1 || ShardOf(input, s.Count) == s.Index
}

// ShardOf returns the shard (0 to n-1) of an input target: FNV-1a 64 of
// ShardKey(input), modulo n.
func ShardOf(input string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(ShardKey(input)))
	return int(h.Sum64() % uint64(n))
}

// ShardKey normalises an input target so that spellings of the same
// endpoint land in the same shard: "Example.COM", "example.com:443" and
// "https://example.com/" all give "example.com:443". STARTTLS targets keep
// their protocol ("smtp+mail.example.com:25"). A target that does not parse
// is keyed by its trimmed text.
func ShardKey(input string) string {
	t, err := scan.ParseTarget(input)
	if err != nil {
		return strings.TrimSpace(input)
	}
	k := t.Host
	if t.IP.IsValid() {
		k = t.IP.String()
		if t.IP.Is6() {
			k = "[" + k + "]"
		}
	}
	k += ":" + strconv.Itoa(t.Port)
	if t.StartTLS != "" {
		k = t.StartTLS + "+" + k
	}
	return k
}
