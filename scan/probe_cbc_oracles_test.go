package scan

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

var cbcOracleChecks = []string{checks.IDVulnZombiePoodle, checks.IDVulnGoldenDoodle, checks.IDVulnSleepingPoodle, checks.IDVulnZeroLengthPaddingOracle}

// cbcOracleFindings runs the cbc_oracles probe once on a and judges every
// CBC oracle check.
func cbcOracleFindings(t *testing.T, a *audit) (map[string]checks.Finding, *obs.CBCOraclesResult) {
	t.Helper()
	out := map[string]checks.Finding{}
	var p *obs.SessionProbes
	for i, id := range cbcOracleChecks {
		if i == 0 {
			out[id], p = sessionFinding(t, a, "cbc_oracles", id)
			continue
		}
		c, _ := checks.Lookup(id)
		out[id] = checks.Evaluate(c, a.o, checks.Env{})[0]
	}
	return out, p.CBCOracles
}

func TestProbeCBCOracleVulnerable(t *testing.T) {
	for mode, id := range map[string]string{
		"zombie": checks.IDVulnZombiePoodle, "goldendoodle": checks.IDVulnGoldenDoodle,
		"sleeping": checks.IDVulnSleepingPoodle, "zero_length": checks.IDVulnZeroLengthPaddingOracle,
	} {
		t.Run(mode, func(t *testing.T) {
			a := discoveredAudit(t, tlstest.StartVuln12T(t, tlstest.Vuln12Options{CBCOracle: mode}))
			fs, r := cbcOracleFindings(t, a)
			for cid, f := range fs {
				want := checks.StatusPass
				if cid == id {
					want = checks.StatusFail
				}
				if f.Status != want {
					t.Errorf("%s: %s %s, want %s", cid, f.Status, f.Detail, want)
				}
			}
			if len(r.Rounds) != cbcOracleRounds || r.Connections != cbcOracleRounds*len(obs.CBCOracleVariants) {
				t.Errorf("rounds %d, connections %d: %+v", len(r.Rounds), r.Connections, r)
			}
			if r.Protocol != "TLSv1.2" {
				t.Errorf("protocol %s", r.Protocol)
			}
		})
	}
}

// TestProbeCBCOracleTLS10 runs the probe where TLS 1.0 (chained IVs) is all
// the server speaks.
func TestProbeCBCOracleTLS10(t *testing.T) {
	srv := tlstest.StartVuln12T(t, tlstest.Vuln12Options{CBCOracle: "goldendoodle", MinVersion: registry.VersionTLS10, MaxVersion: registry.VersionTLS10})
	fs, r := cbcOracleFindings(t, discoveredAudit(t, srv))
	if f := fs[checks.IDVulnGoldenDoodle]; f.Status != checks.StatusFail || r.Protocol != "TLSv1.0" {
		t.Errorf("%s %s (%s)", f.Status, f.Detail, r.Protocol)
	}
}

func TestProbeCBCOraclePatched(t *testing.T) {
	servers := patched12()
	servers["nginx TLSv1.2 CBC"] = func(t *testing.T) *tlstest.Server {
		return tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1.2", Ciphers: "AES128-SHA:ECDHE-RSA-AES128-SHA"})
	}
	for name, start := range servers {
		t.Run(name, func(t *testing.T) {
			fs, r := cbcOracleFindings(t, discoveredAudit(t, start(t)))
			for id, f := range fs {
				if f.Status != checks.StatusPass {
					t.Errorf("%s: %s %s (%+v)", id, f.Status, f.Detail, r)
				}
			}
		})
	}
	t.Run("no CBC", func(t *testing.T) {
		fs, _ := cbcOracleFindings(t, discoveredAudit(t, tlstest.ModernGoServerT(t)))
		if f := fs[checks.IDVulnGoldenDoodle]; f.Status != checks.StatusNotApplicable || f.Detail == "" {
			t.Errorf("%s %s", f.Status, f.Detail)
		}
	})
}

func TestProbeLuckyMinus20Vulnerable(t *testing.T) {
	a := discoveredAudit(t, tlstest.StartVuln12T(t, tlstest.Vuln12Options{LuckyMinus20: true}))
	f, p := sessionFinding(t, a, "lucky_minus20", checks.IDVulnLuckyMinus20)
	wantCheck(t, f, checks.StatusFail, "record_overflow")
	if len(p.LuckyMinus20.Tests) != 3 {
		t.Errorf("tests: %+v", p.LuckyMinus20.Tests)
	}
	// The same server is no CBC padding oracle otherwise.
	fs, _ := cbcOracleFindings(t, a)
	for id, f := range fs {
		if f.Status != checks.StatusPass {
			t.Errorf("%s: %s %s", id, f.Status, f.Detail)
		}
	}
}

// TestProbeCBCOracleFullScan: in a full scan (every probe at once) the
// Sleeping POODLE server is still caught and costs 12 connections.
func TestProbeCBCOracleFullScan(t *testing.T) {
	srv := tlstest.StartVuln12T(t, tlstest.Vuln12Options{CBCOracle: "sleeping"})
	_, o := scanVuln(t, srv)
	c, _ := checks.Lookup(checks.IDVulnSleepingPoodle)
	if f := checks.Evaluate(c, o, checks.Env{})[0]; f.Status != checks.StatusFail {
		t.Errorf("%s %s", f.Status, f.Detail)
	}
	if n := o.ConnectionsByPhase["probe:cbc_oracles"]; n != 12 {
		t.Errorf("cbc_oracles connections: %d", n)
	}
}
