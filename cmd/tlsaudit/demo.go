package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"

	"github.com/tlsaudit/tlsaudit/cmd/tlsaudit/internal/demo"
	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// runDemo is `tlsaudit demo`: start a modern and a legacy server on
// loopback, audit both (SNI = their certificate name, dialling 127.0.0.1, no
// DNS), print the report and stop them. It accepts the output and scan flags.
func runDemo(d deps, ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseFlags(d, "demo", args, stdout, stderr, false)
	if !ok {
		return code
	}
	srv, err := demo.Start()
	if err != nil {
		errorf(stderr, "demo: starting the loopback servers: %v", err)
		return exitScan
	}
	defer srv.Close()
	var jobs []job
	for _, s := range []*demo.Server{srv.Modern, srv.Legacy} {
		ip, err := netip.ParseAddr(s.Host)
		if err != nil || !ip.IsLoopback() {
			errorf(stderr, "demo: server %s listens on %q, not loopback", s.Name, s.Host)
			return exitScan
		}
		input := s.Name + ":" + strconv.Itoa(s.Port)
		jobs = append(jobs, job{input: input, target: scan.Target{
			Input: input, Host: s.Name, Port: s.Port, IP: ip, SNI: s.Name,
		}})
	}
	if cfg.format == "text" {
		fmt.Fprintln(stderr, "tlsaudit: demo: auditing two loopback servers (modern and legacy configurations)")
	}
	// The demo models an operator who passed --ca-file with their private
	// root: the demo PKI's root is the custom store, so the grade shows the
	// configuration, not "T" for an unknown root, and the public stores'
	// verdict on a private PKI is not_applicable.
	demoRoot := truststore.Store{Name: truststore.CustomName, Roots: [][]byte{srv.RootDER}, Provenance: &truststore.Provenance{Origin: "embedded", Note: "the demo's own test root"}}
	return audit(ctx, cfg, jobs, []truststore.Store{demoRoot}, stdout, stderr)
}
