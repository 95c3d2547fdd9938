package scan

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// End to end: a full scan (discovery, then every probe) of a server, then
// the vuln.* checks of the partial-handshake probes on the observation.

// handshakeVulnChecks are the checks judged from this file's probes and
// from discovery.
var handshakeVulnChecks = []string{
	checks.IDVulnHeartbleed, checks.IDVulnCCSInjection, checks.IDVulnTicketbleed, checks.IDVulnDROWN,
	checks.IDVulnInsecureRenegotiation, checks.IDVulnCRIME, checks.IDVulnPoodleSSLv3, checks.IDVulnFREAK, checks.IDVulnLogjam,
	checks.IDVulnNoFallbackSCSV, checks.IDVulnNoDowngradeSentinel, checks.IDVulnHeartbeatEnabled, checks.IDVulnNoExtendedMasterSecret,
	checks.IDVulnNoEncryptThenMAC, checks.IDVulnVersionIntolerance, checks.IDVulnExtensionIntolerance,
}

// scanVuln scans srv and returns the status of each handshake vuln check.
func scanVuln(t *testing.T, srv *tlstest.Server) (map[string]checks.Finding, *obs.Observation) {
	t.Helper()
	s := New(Options{ConnTimeout: 5 * time.Second, Timeout: 90 * time.Second})
	o := s.Scan(context.Background(), Target{Input: srv.Addr, Host: srv.Host, Port: srv.Port, SNI: srv.Name})
	if _, err := json.Marshal(o); err != nil {
		t.Fatalf("observation does not marshal: %v", err)
	}
	if o.Status != obs.StatusOK {
		t.Fatalf("status %s: %s", o.Status, o.Error)
	}
	out := map[string]checks.Finding{}
	for _, id := range handshakeVulnChecks {
		c, ok := all.Registry().Lookup(id)
		if !ok {
			t.Fatalf("check %s is not registered", id)
		}
		fs := checks.Evaluate(c, o, checktest.Env())
		if len(fs) != 1 {
			t.Fatalf("%s: %d findings", id, len(fs))
		}
		out[id] = fs[0]
	}
	return out, o
}

// wantFindings asserts the status of the listed checks; every other
// handshake check must not fail (no false positive).
func wantFindings(t *testing.T, got map[string]checks.Finding, want map[string]checks.Status) {
	t.Helper()
	for id, f := range got {
		w, ok := want[id]
		if !ok {
			if f.Status == checks.StatusFail {
				t.Errorf("%s: unexpected fail: %s", id, f.Detail)
			}
			continue
		}
		if f.Status != w {
			t.Errorf("%s: %s (%s), want %s", id, f.Status, f.Detail, w)
		}
	}
}

func TestProbeEndToEndVulnerable(t *testing.T) {
	old := []uint16{0xc013, 0x002f, 0x000a, 0x0003}
	srv := tlstest.NewVulnServerT(t, tlstest.VulnConfig{
		Fake: tlstest.FakeConfig{
			Versions: []uint16{registry.VersionSSL2, registry.VersionSSL3, registry.VersionTLS10, registry.VersionTLS12},
			Suites: map[uint16][]uint16{
				registry.VersionSSL3:  old,
				registry.VersionTLS10: old,
				registry.VersionTLS12: append([]uint16{0xc02f}, old...),
			},
			SSLv2Kinds:          []uint32{0x010080, 0x0700c0},
			Compression:         true,
			NoRenegotiationInfo: true,
			IntolerantAbove:     registry.VersionTLS12,
		},
		Heartbleed:   true,
		CCSInjection: true,
	})
	got, o := scanVuln(t, srv)
	f := checks.StatusFail
	wantFindings(t, got, map[string]checks.Status{
		checks.IDVulnHeartbleed: f, checks.IDVulnCCSInjection: f, checks.IDVulnDROWN: f, checks.IDVulnInsecureRenegotiation: f,
		checks.IDVulnCRIME: f, checks.IDVulnPoodleSSLv3: f, checks.IDVulnFREAK: f, checks.IDVulnNoFallbackSCSV: f, checks.IDVulnHeartbeatEnabled: f,
		checks.IDVulnNoExtendedMasterSecret: f, checks.IDVulnNoEncryptThenMAC: f, checks.IDVulnVersionIntolerance: f,
		checks.IDVulnExtensionIntolerance: checks.StatusPass, checks.IDVulnNoDowngradeSentinel: checks.StatusNotApplicable,
	})
	if t.Failed() {
		b, _ := json.MarshalIndent(o.Probes, "", "  ")
		t.Logf("probes: %s\nerrors: %+v", b, o.Errors)
	}
}

func TestProbeEndToEndTicketbleed(t *testing.T) {
	srv := tlstest.NewVulnServerT(t, tlstest.VulnConfig{Fake: tls12Fake(nil), Ticketbleed: true})
	got, _ := scanVuln(t, srv)
	// crypto/tls, which serves the full handshakes, has CBC suites but no encrypt-then-MAC.
	wantFindings(t, got, map[string]checks.Status{checks.IDVulnTicketbleed: checks.StatusFail, checks.IDVulnNoEncryptThenMAC: checks.StatusFail})
}

func TestProbeEndToEndPatched(t *testing.T) {
	p, n := checks.StatusPass, checks.StatusNotApplicable
	common := map[string]checks.Status{
		checks.IDVulnHeartbleed: p, checks.IDVulnCCSInjection: p, checks.IDVulnTicketbleed: p, checks.IDVulnDROWN: p,
		checks.IDVulnInsecureRenegotiation: p, checks.IDVulnCRIME: p, checks.IDVulnPoodleSSLv3: p, checks.IDVulnFREAK: p,
		checks.IDVulnLogjam: p, checks.IDVulnNoFallbackSCSV: p, checks.IDVulnNoDowngradeSentinel: p, checks.IDVulnHeartbeatEnabled: p,
		checks.IDVulnNoExtendedMasterSecret: p, checks.IDVulnVersionIntolerance: p, checks.IDVulnExtensionIntolerance: p,
	}
	with := func(id string, st checks.Status) map[string]checks.Status {
		m := map[string]checks.Status{id: st}
		for k, v := range common {
			if k != id {
				m[k] = v
			}
		}
		return m
	}
	cases := []struct {
		name  string
		start func(t *testing.T) *tlstest.Server
		want  map[string]checks.Status
	}{
		{"openssl", startOpenSSL, with(checks.IDVulnNoEncryptThenMAC, p)},
		{"nginx", func(t *testing.T) *tlstest.Server {
			return tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1.2 TLSv1.3"})
		}, with(checks.IDVulnNoEncryptThenMAC, p)}, // nginx's default ciphers include CBC suites
		{"go", func(t *testing.T) *tlstest.Server { return tlstest.ModernGoServerT(t) }, with(checks.IDVulnNoEncryptThenMAC, n)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := scanVuln(t, c.start(t))
			wantFindings(t, got, c.want)
		})
	}
}
