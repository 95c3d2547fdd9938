//go:build linux

package tlstest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// NginxOptions configure an nginx server. The zero value serves an RSA-2048
// chain for DefaultName with nginx's defaults.
type NginxOptions struct {
	// Name is server_name and the DNS name of generated certificates.
	Name string
	// Leaves are served, one ssl_certificate pair each (e.g. RSA and ECDSA);
	// default: one RSA-2048 leaf for Name from SharedPKI().
	Leaves []*Leaf
	// Protocols is ssl_protocols, e.g. "TLSv1.2 TLSv1.3".
	Protocols string
	// Ciphers is ssl_ciphers (OpenSSL syntax, TLS ≤1.2).
	Ciphers string
	// PreferServerCiphers sets ssl_prefer_server_ciphers on.
	PreferServerCiphers bool
	// ECDHCurve is ssl_ecdh_curve, e.g. "X25519:prime256v1".
	ECDHCurve string
	// TLS13Ciphersuites goes to "ssl_conf_command Ciphersuites".
	TLS13Ciphersuites string
	// DH parameters (ssl_dhparam), as in OpenSSLOptions.
	DHParamFile string
	DHGroup     string
	DHParamBits int
	// SecLevel0 appends "@SECLEVEL=0" to the ciphers; automatic as for
	// OpenSSLOptions (TLSv1/TLSv1.1 in Protocols, small DH or RSA, SHA-1).
	SecLevel0 bool
	// HSTS is the Strict-Transport-Security value; empty: no header.
	HSTS string
	// Gzip turns on gzip for text responses.
	Gzip bool
	// Extra is free-form configuration inside the server block; HTTPExtra
	// inside the http block.
	Extra, HTTPExtra string
}

// nginxBody is served for every request; long enough for gzip to apply.
const nginxBody = "tlsaudit nginx test server: this text is long enough for gzip to compress it.\n"

// StartNginx runs nginx (single process, no daemon) on a free port of
// 127.0.0.1 with a configuration written into a temporary directory (logs,
// pid and temp paths included; nothing under /var or /run is touched) and
// waits until it accepts connections. Close stops it and removes the
// directory.
func StartNginx(opts NginxOptions) (*Server, error) {
	bin, err := findBinary("nginx", "nginx")
	if err != nil {
		return nil, err
	}
	opensslBin, err := findBinary("openssl", "openssl")
	if err != nil && (opts.DHGroup != "" || opts.DHParamBits != 0) {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	leaves, pki, err := prepareLeaves(opts.Name, opts.Leaves)
	if err != nil {
		return nil, err
	}
	// nginx logs "nginx/<version>" (ngx_os_status) only after it has bound
	// its listening socket, so that line proves the port is ours.
	return launchServer("nginx", ": nginx/", opts.Name, pki, leaves, func(dir string) (func(int) (*process, error), error) {
		tmpl, err := nginxConfig(opensslBin, dir, opts, leaves)
		if err != nil {
			return nil, err
		}
		conf := filepath.Join(dir, "nginx.conf")
		return func(port int) (*process, error) {
			cfg := strings.ReplaceAll(tmpl, "@PORT@", strconv.Itoa(port))
			if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
				return nil, err
			}
			return startProcess(dir, bin, "-p", dir+"/", "-c", conf, "-e", "stderr")
		}, nil
	})
}

// StartNginxT is StartNginx for tests: it fails t (e.g. when nginx is not
// installed) and stops the server in t.Cleanup.
func StartNginxT(t testing.TB, opts NginxOptions) *Server {
	t.Helper()
	srv, err := StartNginx(opts)
	return cleanupT(t, "StartNginx", srv, err)
}

// nginxConfig writes the certificate files into dir and returns the
// configuration with "@PORT@" for the listening port.
func nginxConfig(opensslBin, dir string, opts NginxOptions, leaves []*Leaf) (string, error) {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("daemon off;")
	line("master_process off;")
	line("worker_processes 1;")
	line("pid %s;", filepath.Join(dir, "nginx.pid"))
	line("error_log stderr notice;")
	line("events { worker_connections 256; }")
	line("http {")
	line("  access_log off;")
	for _, t := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		line("  %s_temp_path %s;", t, filepath.Join(dir, "tmp_"+t))
	}
	line("  default_type text/plain;")
	line("  server_tokens on;")
	if opts.Gzip {
		line("  gzip on;")
		line("  gzip_min_length 20;")
		line("  gzip_types text/plain;")
	}
	if opts.HTTPExtra != "" {
		line("%s", opts.HTTPExtra)
	}
	line("  server {")
	line("    listen 127.0.0.1:@PORT@ ssl;")
	line("    server_name %s;", opts.Name)
	for i, l := range leaves {
		full, key, err := writeFullChain(dir, i, l)
		if err != nil {
			return "", err
		}
		line("    ssl_certificate %s;", full)
		line("    ssl_certificate_key %s;", key)
	}
	if opts.Protocols != "" {
		line("    ssl_protocols %s;", opts.Protocols)
	}
	dhFile, dhBits, err := DHParamsFor(opensslBin, dir, opts.DHParamFile, opts.DHGroup, opts.DHParamBits)
	if err != nil {
		return "", err
	}
	if dhFile != "" {
		line("    ssl_dhparam %s;", dhFile)
	}
	minProto := ""
	for _, p := range []string{"TLSv1", "TLSv1.1"} {
		if minProto == "" && strings.Contains(" "+opts.Protocols+" ", " "+p+" ") {
			minProto = p
		}
	}
	// nginx's own default is HIGH:!aNULL:!MD5.
	if c := secLevelCiphers(opts.Ciphers, "HIGH:!aNULL:!MD5", opts.SecLevel0 || needsSecLevel0(minProto, dhBits, leaves)); c != "" {
		line("    ssl_ciphers %s;", c)
	}
	if opts.PreferServerCiphers {
		line("    ssl_prefer_server_ciphers on;")
	}
	if opts.ECDHCurve != "" {
		line("    ssl_ecdh_curve %s;", opts.ECDHCurve)
	}
	if opts.TLS13Ciphersuites != "" {
		line("    ssl_conf_command Ciphersuites %s;", opts.TLS13Ciphersuites)
	}
	if opts.HSTS != "" {
		line("    add_header Strict-Transport-Security %q always;", opts.HSTS)
	}
	if opts.Extra != "" {
		line("%s", opts.Extra)
	}
	line("    location / { return 200 %q; }", nginxBody)
	line("  }")
	line("}")
	return b.String(), nil
}

// secLevelCiphers returns ciphers (or def, when ciphers is empty and the
// level must be lowered) with "@SECLEVEL=0" appended when lower is set and
// the string has no level yet. It returns ciphers unchanged otherwise.
func secLevelCiphers(ciphers, def string, lower bool) string {
	if !lower || strings.Contains(ciphers, "@SECLEVEL") {
		return ciphers
	}
	if ciphers == "" {
		ciphers = def
	}
	return ciphers + ":@SECLEVEL=0"
}
