package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// TestDemo runs the real demo end to end: two loopback servers, the real
// engine, checks and grade. It needs a working scan engine.
func TestDemo(t *testing.T) {
	r := runCmd(t, "", "demo")
	r.expect(t, exitOK)
	for _, want := range []string{
		"Target modern.demo.tlsaudit.test:", "Target legacy.demo.tlsaudit.test:",
		"Protocols", "Cipher suites TLSv1.3", "Cipher suites TLSv1.2", "Cipher suites TLSv1.0",
		"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "X25519MLKEM768", "Groups", "Certificate chain 1",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Count(r.stdout, "Status       ok") != 2 {
		t.Errorf("demo: want both servers scanned with status ok:\n%s", r.stdout)
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}

	r = runCmd(t, "", "demo", "--json")
	r.expect(t, exitOK)
	rs := decodeJSON(t, r.stdout)
	if len(rs) != 2 {
		t.Fatalf("demo --json: %d reports, want 2", len(rs))
	}
	for _, rep := range rs {
		if rep.Status != obs.StatusOK || rep.Grade == nil || rep.Target.IP != "127.0.0.1" {
			b, _ := json.Marshal(rep.Target)
			t.Errorf("demo report %s: status %s, grade %v", b, rep.Status, rep.Grade)
		}
	}
}
