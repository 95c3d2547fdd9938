package scan

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	_ "github.com/tlsaudit/tlsaudit/checks/vuln"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// discoveredAudit runs the real protocol discovery (TLS 1.0-1.3) on srv, so
// that one probe can then run alone.
func discoveredAudit(t *testing.T, srv *tlstest.Server) *audit {
	t.Helper()
	o := &obs.Observation{Schema: obs.SchemaVersion, Status: obs.StatusOK}
	a := &audit{ep: newEndpoint(srv.Addr, srv.Name, 8, 5*time.Second), o: o,
		protocols: map[uint16]*obs.Protocol{}, chainKeys: map[string]bool{}, dhKeys: map[string]int{}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, v := range []uint16{registry.VersionTLS10, registry.VersionTLS11, registry.VersionTLS12} {
		a.protocols[v] = a.enumTLS(ctx, v)
	}
	a.protocols[registry.VersionTLS13] = a.enumTLS13(ctx)
	return a
}

// sessionFinding runs probe name on a and returns the finding of check id.
func sessionFinding(t *testing.T, a *audit, name, id string) (checks.Finding, *obs.SessionProbes) {
	t.Helper()
	p := execProbe(t, a, name, 60*time.Second)
	c, ok := checks.Lookup(id)
	if !ok {
		t.Fatalf("check %s not registered", id)
	}
	fs := checks.Evaluate(c, a.o, checks.Env{Now: time.Now()})
	if len(fs) != 1 {
		t.Fatalf("%d findings", len(fs))
	}
	return fs[0], &p.SessionProbes
}

func wantCheck(t *testing.T, f checks.Finding, status checks.Status, detail string) {
	t.Helper()
	if f.Status != status || !strings.Contains(f.Detail, detail) {
		t.Errorf("%s: %s %q, want %s containing %q", f.CheckID, f.Status, f.Detail, status, detail)
	}
}

func opensslLegacy(t *testing.T, extra ...string) *tlstest.Server {
	return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1", MaxProtocol: "TLSv1.2",
		Ciphers: "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:AES128-SHA:AES256-SHA256:ECDHE-RSA-AES128-SHA", ExtraArgs: extra})
}

func nginxLegacy(t *testing.T) *tlstest.Server {
	return tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1 TLSv1.1 TLSv1.2",
		Ciphers: "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:AES128-SHA:ECDHE-RSA-AES128-SHA"})
}

// patched12 starts correct TLS 1.0-1.2 servers with RSA, CBC and GCM
// suites: the scripted one with no bug, crypto/tls, openssl and nginx.
func patched12() map[string]func(*testing.T) *tlstest.Server {
	return map[string]func(*testing.T) *tlstest.Server{
		"scripted": func(t *testing.T) *tlstest.Server { return tlstest.StartVuln12T(t, tlstest.Vuln12Options{}) },
		"go":       func(t *testing.T) *tlstest.Server { return tlstest.LegacyGoServerT(t) },
		"openssl":  func(t *testing.T) *tlstest.Server { return opensslLegacy(t) },
		"nginx":    nginxLegacy,
	}
}

func TestProbeRobot(t *testing.T) {
	for mode, detail := range map[string]string{"strong": "strong oracle", "weak": "weak oracle"} {
		a := discoveredAudit(t, tlstest.StartVuln12T(t, tlstest.Vuln12Options{ROBOT: mode}))
		f, p := sessionFinding(t, a, "robot", checks.IDVulnROBOT)
		wantCheck(t, f, checks.StatusFail, detail)
		if len(p.ROBOT.Rounds) != robotRounds {
			t.Errorf("%s: %d rounds", mode, len(p.ROBOT.Rounds))
		}
	}
	for name, start := range patched12() {
		a := discoveredAudit(t, start(t))
		f, _ := sessionFinding(t, a, "robot", checks.IDVulnROBOT)
		if f.Status != checks.StatusPass {
			t.Errorf("%s: %s %s", name, f.Status, f.Detail)
		}
	}
	a := discoveredAudit(t, tlstest.ModernGoServerT(t))
	f, _ := sessionFinding(t, a, "robot", checks.IDVulnROBOT)
	wantCheck(t, f, checks.StatusNotApplicable, "no RSA key-exchange suite accepted")
}

func TestProbePoodleTLS(t *testing.T) {
	a := discoveredAudit(t, tlstest.StartVuln12T(t, tlstest.Vuln12Options{PoodleTLS: true}))
	f, p := sessionFinding(t, a, "poodle_tls", checks.IDVulnPoodleTLS)
	wantCheck(t, f, checks.StatusFail, "wrong CBC padding bytes was accepted")
	if len(p.PoodleTLS.Tests) != 3 {
		t.Errorf("tests: %+v", p.PoodleTLS.Tests)
	}
	for name, start := range patched12() {
		a := discoveredAudit(t, start(t))
		f, _ := sessionFinding(t, a, "poodle_tls", checks.IDVulnPoodleTLS)
		if f.Status != checks.StatusPass {
			t.Errorf("%s: %s %s", name, f.Status, f.Detail)
		}
		// Lucky Minus 20 on the same patched servers.
		f, _ = sessionFinding(t, a, "lucky_minus20", checks.IDVulnLuckyMinus20)
		if f.Status != checks.StatusPass {
			t.Errorf("%s: lucky minus 20: %s %s", name, f.Status, f.Detail)
		}
	}
	a = discoveredAudit(t, tlstest.ModernGoServerT(t))
	f, _ = sessionFinding(t, a, "poodle_tls", checks.IDVulnPoodleTLS)
	wantCheck(t, f, checks.StatusNotApplicable, "no CBC suite")
}

func TestProbeClientRenegotiation(t *testing.T) {
	for name, start := range map[string]func(*testing.T) *tlstest.Server{
		"scripted": func(t *testing.T) *tlstest.Server {
			return tlstest.StartVuln12T(t, tlstest.Vuln12Options{ClientRenegotiation: true})
		},
		"openssl -client_renegotiation": func(t *testing.T) *tlstest.Server { return opensslLegacy(t, "-client_renegotiation") },
	} {
		a := discoveredAudit(t, start(t))
		f, _ := sessionFinding(t, a, "client_renegotiation", "vuln.client_renegotiation")
		if f.Status != checks.StatusFail || !strings.Contains(f.Detail, "completed 3 of 3") {
			t.Errorf("%s: %s %s", name, f.Status, f.Detail)
		}
	}
	for name, start := range patched12() {
		a := discoveredAudit(t, start(t))
		f, _ := sessionFinding(t, a, "client_renegotiation", "vuln.client_renegotiation")
		if f.Status != checks.StatusPass {
			t.Errorf("%s: %s %s", name, f.Status, f.Detail)
		}
	}
}

func TestProbeResumption(t *testing.T) {
	for name, want := range map[string]string{"openssl": "session ID and ticket", "go": "by ticket", "nginx": "by ticket"} {
		var srv *tlstest.Server
		switch name {
		case "openssl":
			srv = opensslLegacy(t)
		case "go":
			srv = tlstest.LegacyGoServerT(t)
		case "nginx":
			srv = nginxLegacy(t)
		}
		a := discoveredAudit(t, srv)
		f, p := sessionFinding(t, a, "resumption", "vuln.no_session_resumption")
		if f.Status != checks.StatusPass || !strings.Contains(f.Detail, want) {
			t.Errorf("%s: %s %s (%+v)", name, f.Status, f.Detail, p.Resumption)
		}
	}
	// The scripted server resumes nothing.
	a := discoveredAudit(t, tlstest.StartVuln12T(t, tlstest.Vuln12Options{}))
	f, _ := sessionFinding(t, a, "resumption", "vuln.no_session_resumption")
	wantCheck(t, f, checks.StatusFail, "no resumption")
}

func TestProbeEarlyData(t *testing.T) {
	// openssl s_server refuses -early_data with -www: nginx is the real
	// server with 0-RTT on.
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1.2 TLSv1.3", Extra: "ssl_early_data on;"})
	f, p := sessionFinding(t, discoveredAudit(t, srv), "early_data", "vuln.early_data")
	wantCheck(t, f, checks.StatusFail, "0-RTT early data")
	if p.EarlyData.Tickets == 0 {
		t.Errorf("no tickets: %+v", p.EarlyData)
	}
	for name, start := range map[string]func(*testing.T) *tlstest.Server{
		"openssl": func(t *testing.T) *tlstest.Server { return tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{}) },
		"go":      func(t *testing.T) *tlstest.Server { return tlstest.ModernGoServerT(t) },
		"nginx": func(t *testing.T) *tlstest.Server {
			return tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1.2 TLSv1.3"})
		},
	} {
		f, p := sessionFinding(t, discoveredAudit(t, start(t)), "early_data", "vuln.early_data")
		if f.Status != checks.StatusPass {
			t.Errorf("%s: %s %s (%+v)", name, f.Status, f.Detail, p.EarlyData)
		}
	}
	f, _ = sessionFinding(t, discoveredAudit(t, tlstest.LegacyGoServerT(t)), "early_data", "vuln.early_data")
	wantCheck(t, f, checks.StatusNotApplicable, "TLS 1.3 not supported")
}
