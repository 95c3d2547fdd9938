package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/scan"
)

// Caps on what a flag can ask for. Each audit holds its connections'
// buffers and goroutines, so memory grows with --concurrency and
// --per-host; beyond these caps a run only exhausts the machine.
const (
	maxConcurrency = 1024
	maxPerHost     = 256
	maxTimeout     = time.Hour
	maxConnTimeout = 10 * time.Minute
	maxHTTPPath    = 2048
)

// checkLimits validates the flags that go on the wire or size the run: a
// usage error names the flag and its cap or rule.
func checkLimits(cfg *config) error {
	if cfg.concurrency > maxConcurrency {
		return fmt.Errorf("--concurrency %d exceeds the cap of %d", cfg.concurrency, maxConcurrency)
	}
	if cfg.perHost > maxPerHost {
		return fmt.Errorf("--per-host %d exceeds the cap of %d", cfg.perHost, maxPerHost)
	}
	if cfg.timeout > maxTimeout {
		return fmt.Errorf("--timeout %s exceeds the cap of %s", cfg.timeout, maxTimeout)
	}
	if cfg.connTimeout > maxConnTimeout {
		return fmt.Errorf("--conn-timeout %s exceeds the cap of %s", cfg.connTimeout, maxConnTimeout)
	}
	if cfg.sni != "" {
		if err := scan.CheckServerName(cfg.sni); err != nil {
			return fmt.Errorf("invalid --sni: %v", err)
		}
	}
	if p := cfg.http.Path; p != "" {
		// The path goes into the request line as is: a CR or LF would
		// let it write headers or a second request of its own.
		switch {
		case len(p) > maxHTTPPath:
			return fmt.Errorf("--http-path of %d bytes exceeds the cap of %d", len(p), maxHTTPPath)
		case strings.ContainsFunc(p, func(r rune) bool { return r <= ' ' || r == 0x7f }):
			return fmt.Errorf("invalid --http-path %q: control characters and spaces are not allowed (percent-encode them)", p)
		}
	}
	return nil
}
