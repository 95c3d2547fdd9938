package scan

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// TestHandshakeRecordDoesNotDependOnCompletionOrder: concurrent sequences
// complete their handshakes in any order; the observation keeps the same
// one whatever the order: the best protocol's, with the suite the
// protocol's list ranks first.
func TestHandshakeRecordDoesNotDependOnCompletionOrder(t *testing.T) {
	type hs struct {
		v     uint16
		suite uint16
		group string
	}
	seen := []hs{
		{registry.VersionTLS12, 0xc02f, "x25519"},
		{registry.VersionTLS13, wire.TLS_CHACHA20_POLY1305_SHA256, "x25519"},
		{registry.VersionTLS13, wire.TLS_AES_256_GCM_SHA384, "secp384r1"},
		{registry.VersionTLS13, wire.TLS_AES_256_GCM_SHA384, "x25519"},
		{registry.VersionTLS13, wire.TLS_AES_128_GCM_SHA256, "x25519"},
	}
	protocols := map[uint16]*obs.Protocol{registry.VersionTLS13: {Supported: true, Suites: []obs.Suite{
		{ID: wire.TLS_AES_256_GCM_SHA384}, {ID: wire.TLS_CHACHA20_POLY1305_SHA256}, {ID: wire.TLS_AES_128_GCM_SHA256}}}}
	// every rotation and its reverse
	for r := range seen {
		for _, reverse := range []bool{false, true} {
			a := &audit{protocols: protocols}
			for i := range seen {
				j := (r + i) % len(seen)
				if reverse {
					j = (r + len(seen) - i) % len(seen)
				}
				h := seen[j]
				a.noteHandshake(h.v, &wire.ServerHello{CipherSuite: h.suite}, h.group, nil)
			}
			got := a.bestHandshake()
			if got == nil {
				t.Fatal("no handshake kept")
			}
			if got.Protocol != "TLSv1.3" || got.Suite != registry.SuiteName(wire.TLS_AES_256_GCM_SHA384) || got.Group != "secp384r1" {
				t.Errorf("rotation %d reverse %v: kept %s %s %s, want TLSv1.3 TLS_AES_256_GCM_SHA384 secp384r1", r, reverse, got.Protocol, got.Suite, got.Group)
			}
		}
	}
}
