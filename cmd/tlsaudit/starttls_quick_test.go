package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// cliReport is the part of a JSON report these tests read.
type cliReport struct {
	Status      obs.Status       `json:"status"`
	Observation *obs.Observation `json:"observation"`
	Findings    []checks.Finding `json:"findings"`
}

// runJSON runs the command in-process and decodes its JSON reports.
func runJSON(t *testing.T, args ...string) (int, []cliReport, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"--json", "--color", "never"}, args...), strings.NewReader(""), &stdout, &stderr)
	var reps []cliReport
	if err := json.Unmarshal(stdout.Bytes(), &reps); err != nil {
		t.Fatalf("exit %d, output is not a JSON array of reports: %v\nstdout: %s\nstderr: %s", code, err, stdout.String(), stderr.String())
	}
	return code, reps, stderr.String()
}

func finding(rep cliReport, id string) checks.Finding {
	for _, f := range rep.Findings {
		if f.CheckID == id {
			return f
		}
	}
	return checks.Finding{}
}

// rootFile writes the test PKI's root for --ca-file.
func rootFile(t *testing.T, srv *tlstest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(p, srv.PKI.RootPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCLISMTP: "tlsaudit smtp://127.0.0.1:PORT --sni NAME" audits through
// STARTTLS end to end.
func TestCLISMTP(t *testing.T) {
	t.Parallel()
	srv := tlstest.NewStartTLSServerT(t, "smtp", nil)
	target := fmt.Sprintf("smtp://127.0.0.1:%d", srv.Port)
	code, reps, stderr := runJSON(t, "--system-store=false", "--ca-file", rootFile(t, srv), target, "--sni", srv.Name)
	if len(reps) != 1 {
		t.Fatalf("%d reports", len(reps))
	}
	r := reps[0]
	if code != exitOK || r.Status != obs.StatusOK {
		t.Fatalf("exit %d, status %s: %s\nstderr: %s", code, r.Status, r.Observation.Error, stderr)
	}
	if r.Observation.Target.StartTLS != "smtp" || r.Observation.Target.SNI != srv.Name || r.Observation.Mode != obs.ModeFull {
		t.Errorf("target %+v, mode %q", r.Observation.Target, r.Observation.Mode)
	}
	if f := finding(r, checks.IDProtoTLS10Enabled); f.Status != checks.StatusPass {
		t.Errorf("%s: %+v, want pass (the fake speaks TLS 1.2 and 1.3 only)", checks.IDProtoTLS10Enabled, f)
	}
	if f := finding(r, checks.IDCertUntrusted); f.Status != checks.StatusPass {
		t.Errorf("%s: %+v, want pass with --ca-file", checks.IDCertUntrusted, f)
	}

	// Without STARTTLS offered: starttls_error, exit 3, and the reason.
	refusing := tlstest.NewStartTLSServerT(t, "smtp", nil, tlstest.StartTLSRefuse())
	code, reps, _ = runJSON(t, "--system-store=false", fmt.Sprintf("127.0.0.1:%d", refusing.Port), "--starttls", "smtp")
	if code != exitScan || len(reps) != 1 || reps[0].Status != obs.StatusStartTLSError ||
		!strings.Contains(reps[0].Observation.Error, "smtp: server does not offer STARTTLS (EHLO reply:") {
		t.Errorf("refusing server: exit %d, reports %+v", code, reps)
	}
}

// TestCLIQuick: --quick makes one connection; the certificate checks judge
// it (chain, expiry, hostname, trust) and the others say not assessed.
func TestCLIQuick(t *testing.T) {
	t.Parallel()
	srv, err := tlstest.NewGoServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	target := fmt.Sprintf("127.0.0.1:%d", srv.Port)
	code, reps, stderr := runJSON(t, "--quick", "--system-store=false", "--ca-file", rootFile(t, srv), "--sni", srv.Name, target)
	if len(reps) != 1 {
		t.Fatalf("%d reports", len(reps))
	}
	r := reps[0]
	if code != exitOK || r.Status != obs.StatusOK {
		t.Fatalf("exit %d, status %s: %s\nstderr: %s", code, r.Status, r.Observation.Error, stderr)
	}
	o := r.Observation
	if o.Mode != obs.ModeQuick || o.Connections != 1 || srv.ConnCount() != 1 {
		t.Errorf("mode %q, %d connections (server saw %d), want quick and 1", o.Mode, o.Connections, srv.ConnCount())
	}
	if len(o.Chains) != 1 || len(o.Protocols) != 1 || o.Protocols[0].Name != "TLSv1.3" {
		t.Errorf("chains %d, protocols %+v", len(o.Chains), o.Protocols)
	}
	for _, id := range []string{checks.IDCertUntrusted, checks.IDCertExpired, checks.IDCertHostnameMismatch, checks.IDCertChainIncomplete} {
		if f := finding(r, id); f.Status != checks.StatusPass {
			t.Errorf("%s: %+v, want pass", id, f)
		}
	}
	for _, f := range r.Findings {
		if !strings.HasPrefix(f.CheckID, "cert.") && f.Status != checks.StatusNotApplicable {
			t.Errorf("%s judged a quick scan: %s (%s)", f.CheckID, f.Status, f.Detail)
		}
	}

	// Trust is really judged: without the test root the chain is untrusted.
	_, reps, _ = runJSON(t, "--quick", "--system-store=false", "--sni", srv.Name, target)
	if f := finding(reps[0], checks.IDCertUntrusted); f.Status != checks.StatusFail {
		t.Errorf("%s without --ca-file: %+v, want fail", checks.IDCertUntrusted, f)
	}
}
