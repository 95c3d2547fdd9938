package scan

import (
	"bytes"
	"slices"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// wantOnlyGroup13 asserts a complete TLS 1.3 audit of a server whose only
// group is group: the suites, that one group, the full chain served and
// the signature algorithms, all exactly, with no error.
func wantOnlyGroup13(t *testing.T, srv *tlstest.Server, o *obs.Observation, group uint16, keyType string, suites, sigalgs []uint16) {
	t.Helper()
	wantSuites(t, o, map[string][]uint16{"TLSv1.3": suites})
	if len(o.Groups.TLS13) != 1 || o.Groups.TLS13[0].ID != group || o.Groups.TLS13[0].Name != registry.GroupName(group) {
		t.Errorf("TLS 1.3 groups %+v, want only %s", o.Groups.TLS13, registry.GroupName(group))
	}
	if len(o.Groups.TLS12) != 0 {
		t.Errorf("TLS 1.2 groups %+v from a TLS 1.3-only server", o.Groups.TLS12)
	}
	if len(o.Chains) != 1 {
		t.Fatalf("%d chains, want the one served over %s", len(o.Chains), registry.GroupName(group))
	}
	c := o.Chains[0]
	if c.Protocol != "TLSv1.3" || c.KeyType != keyType || len(c.Certificates) != len(srv.Chain) {
		t.Fatalf("chain %s/%s of %d certificates, want TLSv1.3/%s of %d", c.Protocol, c.KeyType, len(c.Certificates), keyType, len(srv.Chain))
	}
	for i, der := range srv.Chain {
		if !bytes.Equal(c.Certificates[i].DER, der) {
			t.Errorf("certificate %d of the chain is not the one served", i)
		}
	}
	var got []uint16
	if o.SignatureAlgorithms != nil {
		for _, s := range o.SignatureAlgorithms.TLS13 {
			got = append(got, s.ID)
		}
	}
	if !slices.Equal(got, sigalgs) {
		t.Errorf("TLS 1.3 signature algorithms %04x, want %04x", got, sigalgs)
	}
	if o.Handshake == nil || o.Handshake.Protocol != "TLSv1.3" || o.Handshake.Group != registry.GroupName(group) {
		t.Errorf("handshake %+v, want TLSv1.3 over %s", o.Handshake, registry.GroupName(group))
	}
}

// A TLS 1.3 server whose only group is x448: tlsaudit makes a real x448
// key share (circl) and decrypts the server's flight for the chain and the
// signature algorithms.
func TestScanTLS13X448Only(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.3", MaxProtocol: "TLSv1.3", Groups: "X448"})
	o := scanServer(t, srv)
	// OpenSSL 3.0's default TLS 1.3 suites; an RSA-2048 leaf signs with
	// RSA-PSS (rsae) only in TLS 1.3.
	wantOnlyGroup13(t, srv, o, wire.GroupX448, "RSA",
		[]uint16{wire.TLS_AES_128_GCM_SHA256, wire.TLS_AES_256_GCM_SHA384, wire.TLS_CHACHA20_POLY1305_SHA256},
		[]uint16{0x0804, 0x0805, 0x0806})
}

// A TLS 1.3 server whose only group is the pure ML-KEM group MLKEM1024
// (zcrypto: no other server here has it): the same complete audit. The
// zcrypto server enforces its suite order (ChaCha20 first).
func TestScanTLS13MLKEM1024Only(t *testing.T) {
	srv := tlstest.NewZCryptoTLS13ServerT(t, wire.GroupMLKEM1024)
	o := scanServer(t, srv)
	suites := []uint16{wire.TLS_CHACHA20_POLY1305_SHA256, wire.TLS_AES_256_GCM_SHA384, wire.TLS_AES_128_GCM_SHA256}
	wantOnlyGroup13(t, srv, o, wire.GroupMLKEM1024, "ECDSA", suites, []uint16{0x0403})
	wantOrder(t, o, "TLSv1.3", true, suites)
	if g := o.Groups.TLS13; len(g) == 1 && !g[0].PostQuantum {
		t.Errorf("MLKEM1024 not marked post-quantum: %+v", g[0])
	}
}

// A TLS 1.2 server whose only curve is x448: the session probes' full
// handshakes (Client12) compute the x448 premaster secret, so resumption
// and renegotiation are tested rather than failing on handshake_failure.
func TestScanTLS12X448Only(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.2", Groups: "X448",
		Ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA"})
	o := scanServer(t, srv)
	wantSuites(t, o, map[string][]uint16{"TLSv1.2": {0xc02f, 0xc013}})
	if got := groupNames(o.Groups.TLS12); !slices.Equal(got, []string{"x448"}) {
		t.Errorf("TLS 1.2 groups %v, want x448", got)
	}
	if len(o.Chains) != 1 || len(o.Chains[0].Certificates) != len(srv.Chain) || !bytes.Equal(o.Chains[0].Certificates[0].DER, srv.CertDER) {
		t.Errorf("chains %+v", o.Chains)
	}
	if o.Probes == nil || o.Probes.SessionProbes.Resumption == nil || o.Probes.SessionProbes.Renegotiation == nil {
		t.Fatalf("no session probes: %+v", o.Probes)
	}
	r := o.Probes.SessionProbes.Resumption
	if r.Status != obs.AttemptCompleted || r.SessionIDResumed == nil || !*r.SessionIDResumed || r.TicketResumed == nil || !*r.TicketResumed {
		t.Errorf("resumption over x448: %+v", r)
	}
	if rn := o.Probes.SessionProbes.Renegotiation; rn.Status != obs.AttemptCompleted || rn.Attempted != 1 {
		t.Errorf("renegotiation over x448: %+v", rn)
	}
}

// Every group wire can complete a key exchange with is one the audit may
// pick for its TLS 1.3 handshakes, and no other: a group wire learns to
// compute must not stay "offer only" in the audit (as x448 and the pure
// ML-KEM groups once did).
func TestRealShareGroupsMatchWire(t *testing.T) {
	for _, g := range registry.Groups() {
		if !g.TLS13 {
			continue
		}
		_, priv, err := wire.GenerateKeyShare(nil, g.ID)
		real := err == nil && priv.HasSecret()
		if real != slices.Contains(realShareGroups, g.ID) {
			t.Errorf("group %s (0x%04x): wire computes a secret: %v, in realShareGroups: %v", g.Name, g.ID, real, !real)
		}
	}
	for _, id := range realShareGroups {
		if g, ok := registry.GroupByID(id); !ok || !g.TLS13 {
			t.Errorf("realShareGroups has 0x%04x, not a TLS 1.3 group of the registry", id)
		}
	}
}
