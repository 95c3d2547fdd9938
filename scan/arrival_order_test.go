package scan

import (
	"bytes"
	"encoding/json"
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

// TestCollectedChainsAndDHDoNotDependOnArrivalOrder: chains and DH
// parameters seen by concurrent sequences end in the same observation
// whatever order they arrived in; a chain is labelled with the newest
// protocol that served it.
func TestCollectedChainsAndDHDoNotDependOnArrivalOrder(t *testing.T) {
	type seen struct {
		chain   bool
		v       uint16
		keyType string
		der     string
		suite   uint16
		p       string
	}
	events := []seen{
		{chain: true, v: registry.VersionTLS12, keyType: "RSA", der: "rsa leaf"},
		{chain: true, v: registry.VersionTLS13, keyType: "RSA", der: "rsa leaf"},
		{chain: true, v: registry.VersionTLS10, keyType: "ECDSA", der: "ecdsa leaf"},
		{chain: true, v: registry.VersionTLS12, keyType: "ECDSA", der: "ecdsa leaf"},
		{v: registry.VersionTLS12, suite: 0x009e, p: "ffff"},
		{v: registry.VersionTLS10, suite: 0x0033, p: "ffff"},
		{v: registry.VersionTLS12, suite: 0x0033, p: "ff"},
	}
	var want []byte
	for r := range events {
		a := &audit{o: &obs.Observation{}, chainKeys: map[string]bool{}, dhKeys: map[string]int{}}
		for i := range events {
			e := events[(r+i)%len(events)]
			if e.chain {
				a.addChain(e.v, e.keyType, [][]byte{[]byte(e.der)}, nil, nil)
			} else {
				a.addDH(e.v, e.suite, []byte(e.p), []byte{2})
			}
		}
		sortCollected(a.o)
		if got := a.o.Chains[0].Protocol; got != "TLSv1.3" {
			t.Errorf("rotation %d: the RSA chain served at TLS 1.2 and 1.3 is labelled %s, want TLSv1.3 (first)", r, got)
		}
		got, err := json.Marshal(struct {
			C []obs.Chain
			D []obs.DHParams
		}{a.o.Chains, a.o.DH})
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = got
		} else if !bytes.Equal(got, want) {
			t.Errorf("rotation %d: %s\nwant %s", r, got, want)
		}
	}
}
