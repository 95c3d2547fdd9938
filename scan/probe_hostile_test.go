package scan

import (
	"context"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// handshakeProbeNames are the probes of this family.
var handshakeProbeNames = []string{"heartbleed", "ccs_injection", "fallback_scsv", "downgrade_sentinel",
	"server_hello_extensions", "compression", "ticketbleed", "intolerance"}

// Every partial-handshake probe against every hostile or awkward server, as
// if discovery had found TLS 1.0-1.3: each ends within its deadlines, never
// panics, records a result, and no critical vulnerability is reported.
func TestProbeHostileServers(t *testing.T) {
	for _, kind := range tlstest.HostileKinds() {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			srv, err := tlstest.NewHostileServer(kind)
			if err != nil {
				t.Fatalf("NewHostileServer(%s): %v", kind, err)
			}
			defer srv.Close()
			a := probeAudit(srv, map[uint16][]uint16{
				registry.VersionTLS10: {0xc013, 0x002f}, registry.VersionTLS11: {0xc013, 0x002f},
				registry.VersionTLS12: {0xc02f, 0xc013, 0x002f}, registry.VersionTLS13: {0x1301},
			})
			a.ep = newEndpoint(srv.Addr, srv.Name, 8, 2*time.Second)
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			start := time.Now()
			a.runProbes(ctx, func(name string) bool {
				for _, n := range handshakeProbeNames {
					if n == name {
						return true
					}
				}
				return false
			})
			if el := time.Since(start); el > 30*time.Second {
				t.Errorf("probes took %s", el)
			}
			for _, e := range a.o.Errors {
				t.Errorf("probe error (panic?): %s: %s", e.Probe, e.Error)
			}
			if a.o.Probes == nil {
				t.Fatal("no probe results")
			}
			hp := a.o.Probes.HandshakeProbes
			for name, at := range map[string]*obs.Attempt{
				"heartbleed": &hp.Heartbleed.Attempt, "ccs_injection": &hp.CCSInjection.Attempt,
				"fallback_scsv": &hp.FallbackSCSV.Attempt, "downgrade_sentinel": &hp.DowngradeSentinel.Attempt,
				"server_hello_extensions": &hp.ServerHelloExtensions.Attempt, "compression": &hp.Compression.Attempt,
				"ticketbleed": &hp.Ticketbleed.Attempt, "intolerance": &hp.Intolerance.Attempt,
			} {
				if at.Status == "" || at.Status != obs.AttemptCompleted && at.Reason == "" {
					t.Errorf("%s: status %q without a reason", name, at.Status)
				}
				t.Logf("%s: %s %s", name, at.Status, at.Reason)
			}
			a.o.Status = obs.StatusOK
			for _, id := range []string{checks.IDVulnHeartbleed, checks.IDVulnCCSInjection, checks.IDVulnTicketbleed, checks.IDVulnCRIME} {
				c, _ := checks.Lookup(id)
				for _, f := range checks.Evaluate(c, a.o, checktest.Env()) {
					if f.Status == checks.StatusFail {
						t.Errorf("%s: false positive: %s", id, f.Detail)
					}
				}
			}
		})
	}
}
