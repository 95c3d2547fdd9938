package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// runDemo is `tlsaudit demo`: start a modern and a legacy server on
// loopback, audit both (SNI = their certificate name, dialling 127.0.0.1, no
// DNS), print the report and stop them. It accepts the output and scan flags.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseFlags("demo", args, stdout, stderr, false)
	if !ok {
		return code
	}
	pki, err := tlstest.SharedPKI()
	if err != nil {
		errorf(stderr, "demo: creating the test PKI: %v", err)
		return exitScan
	}
	servers := []struct {
		name  string
		start func(...tlstest.GoOption) (*tlstest.Server, error)
	}{
		{"modern.demo.tlsaudit.test", tlstest.ModernGoServer},
		{"legacy.demo.tlsaudit.test", tlstest.LegacyGoServer},
	}
	var jobs []job
	for _, s := range servers {
		srv, err := s.start(tlstest.GoServerName(s.name), tlstest.GoPKI(pki))
		if err != nil {
			errorf(stderr, "demo: starting %s: %v", s.name, err)
			return exitScan
		}
		defer srv.Close()
		ip, err := netip.ParseAddr(srv.Host)
		if err != nil || !ip.IsLoopback() {
			errorf(stderr, "demo: server %s listens on %q, not loopback", s.name, srv.Host)
			return exitScan
		}
		input := srv.Name + ":" + strconv.Itoa(srv.Port)
		jobs = append(jobs, job{input: input, target: scan.Target{
			Input: input, Host: srv.Name, Port: srv.Port, IP: ip, SNI: srv.Name,
		}})
	}
	if cfg.format == "text" {
		fmt.Fprintln(stderr, "tlsaudit: demo: auditing two loopback servers (a modern and a legacy configuration)")
	}
	// The demo certificates chain to the test PKI's root: trust it so the
	// grade shows the configuration, not "T" for an unknown root.
	demoRoot := checks.TrustStore{Name: "demo", Roots: [][]byte{pki.RootDER}}
	return audit(ctx, cfg, jobs, []checks.TrustStore{demoRoot}, stdout, stderr)
}
