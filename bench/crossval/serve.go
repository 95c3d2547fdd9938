package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// target is one loopback server of the cross-validation set.
type target struct {
	Name string `json:"name"`
	Addr string `json:"addr"` // 127.0.0.1:port
	Port int    `json:"port"`
	SNI  string `json:"sni"`
	// Config describes the server's configuration: the ground truth a
	// disagreement is judged against.
	Config string `json:"config"`
}

// serverSpec starts one server.
type serverSpec struct {
	name, config string
	start        func() (*tlstest.Server, error)
}

var modernCiphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" +
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

func specs() []serverSpec {
	return []serverSpec{
		{"nginx-modern", "nginx: TLSv1.2 TLSv1.3, ECDHE+AEAD (6 suites), client order, HSTS", func() (*tlstest.Server, error) {
			return tlstest.StartNginx(tlstest.NginxOptions{Protocols: "TLSv1.2 TLSv1.3", Ciphers: modernCiphers, HSTS: "max-age=63072000"})
		}},
		{"nginx-legacy", "nginx: TLSv1 TLSv1.1 TLSv1.2, ALL:@SECLEVEL=0, server order, 1024-bit DH", func() (*tlstest.Server, error) {
			return tlstest.StartNginx(tlstest.NginxOptions{Protocols: "TLSv1 TLSv1.1 TLSv1.2", Ciphers: "ALL:@SECLEVEL=0",
				PreferServerCiphers: true, DHParamBits: 1024})
		}},
		{"openssl-odd", "openssl s_server: TLS 1.2-1.3, CAMELLIA256-SHA:DHE-RSA-AES256-CCM:AES128-SHA:ECDHE-RSA-AES256-SHA384:ARIA128-GCM-SHA256:DHE-RSA-CHACHA20-POLY1305, " +
			"TLS 1.3 CHACHA20+AES128-GCM, groups P-384:X25519:ffdhe2048, server order, DH ffdhe2048", func() (*tlstest.Server, error) {
			return tlstest.StartOpenSSL(tlstest.OpenSSLOptions{MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.3",
				Ciphers:      "CAMELLIA256-SHA:DHE-RSA-AES256-CCM:AES128-SHA:ECDHE-RSA-AES256-SHA384:ARIA128-GCM-SHA256:DHE-RSA-CHACHA20-POLY1305",
				Ciphersuites: "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256", Groups: "P-384:X25519:ffdhe2048",
				ServerPref: true, DHGroup: "ffdhe2048"})
		}},
		{"openssl-client", "openssl s_server: TLS 1.0-1.3, DEFAULT@SECLEVEL=0 with RSA and ECDSA leaves, client order", func() (*tlstest.Server, error) {
			pki, err := tlstest.SharedPKI()
			if err != nil {
				return nil, err
			}
			rsa, err := pki.IssueLeaf(tlstest.LeafOptions{DNSNames: []string{tlstest.DefaultName}, KeyType: tlstest.KeyRSA2048})
			if err != nil {
				return nil, err
			}
			ec, err := pki.IssueLeaf(tlstest.LeafOptions{DNSNames: []string{tlstest.DefaultName}, KeyType: tlstest.KeyECDSAP256})
			if err != nil {
				return nil, err
			}
			return tlstest.StartOpenSSL(tlstest.OpenSSLOptions{Leaf: rsa, ExtraLeaf: ec, MinProtocol: "TLSv1", MaxProtocol: "TLSv1.3"})
		}},
		{"openssl-tls13-odd", "openssl s_server: TLS 1.3 only, TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256:TLS_AES_256_GCM_SHA384, groups x448:P-521, server order", func() (*tlstest.Server, error) {
			return tlstest.StartOpenSSL(tlstest.OpenSSLOptions{MinProtocol: "TLSv1.3", MaxProtocol: "TLSv1.3",
				Ciphersuites: "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256:TLS_AES_256_GCM_SHA384", Groups: "X448:P-521", ServerPref: true})
		}},
		{"nginx-ecdsa", "nginx: ECDSA P-256 leaf only, TLSv1 to TLSv1.3, HIGH:@SECLEVEL=0 (RSA-auth suites listed but unusable), server order, prime256v1:secp384r1", func() (*tlstest.Server, error) {
			pki, err := tlstest.SharedPKI()
			if err != nil {
				return nil, err
			}
			ec, err := pki.IssueLeaf(tlstest.LeafOptions{DNSNames: []string{tlstest.DefaultName}, KeyType: tlstest.KeyECDSAP256})
			if err != nil {
				return nil, err
			}
			return tlstest.StartNginx(tlstest.NginxOptions{Leaves: []*tlstest.Leaf{ec}, Protocols: "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3",
				Ciphers: "HIGH:@SECLEVEL=0", PreferServerCiphers: true, ECDHCurve: "prime256v1:secp384r1"})
		}},
		{"openssl-mtls", "openssl s_server: TLS 1.2-1.3 defaults, client certificate required (-Verify 1)", func() (*tlstest.Server, error) {
			return tlstest.StartOpenSSL(tlstest.OpenSSLOptions{ExtraArgs: []string{"-Verify", "1"}})
		}},
		{"openssl-chacha", "openssl s_server: TLS 1.2-1.3, server order with -prioritize_chacha (ChaCha20 first only for clients that list it first)", func() (*tlstest.Server, error) {
			return tlstest.StartOpenSSL(tlstest.OpenSSLOptions{ServerPref: true, ExtraArgs: []string{"-prioritize_chacha"}})
		}},
		{"openssl-ed25519", "openssl s_server: Ed25519 certificate, TLS 1.2-1.3 defaults", func() (*tlstest.Server, error) {
			return startWithLeaf(tlstest.KeyEd25519, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.2", MaxProtocol: "TLSv1.3"})
		}},
		{"openssl-x448-only", "openssl s_server: TLS 1.3 only, group X448 only", func() (*tlstest.Server, error) {
			return tlstest.StartOpenSSL(tlstest.OpenSSLOptions{MinProtocol: "TLSv1.3", MaxProtocol: "TLSv1.3", Groups: "X448"})
		}},
		{"gnutls-legacy", "gnutls-serv: TLS 1.0-1.2, NORMAL + RC4-128, 3DES, anon DH, plain RSA, server precedence, 1024-bit DH", func() (*tlstest.Server, error) {
			return tlstest.StartGnuTLS(tlstest.GnuTLSOptions{
				Priority:    "NORMAL:-VERS-TLS1.3:+VERS-TLS1.0:+VERS-TLS1.1:+ARCFOUR-128:+3DES-CBC:+ANON-DH:+RSA:+DHE-RSA:%SERVER_PRECEDENCE",
				DHParamBits: 1024})
		}},
		{"go-modern", "crypto/tls ModernGoServer: TLS 1.2-1.3, ECDHE AEAD, RSA+ECDSA, groups X25519MLKEM768 X25519 P-256 P-384", func() (*tlstest.Server, error) {
			return tlstest.ModernGoServer()
		}},
		{"go-legacy", "crypto/tls LegacyGoServer: TLS 1.0-1.2, RSA kx, CBC, 3DES, RC4 (Go's own fixed order)", func() (*tlstest.Server, error) {
			return tlstest.LegacyGoServer()
		}},
		{"fake-sslv2", "scripted: SSLv2 only, 7 cipher kinds", func() (*tlstest.Server, error) {
			return tlstest.NewFakeServer(tlstest.SSLv2Server())
		}},
		{"fake-sslv3", "scripted: SSLv3 + TLS 1.0, AES/RC4/3DES/DES/export, client order", func() (*tlstest.Server, error) {
			return tlstest.NewFakeServer(tlstest.SSLv3Server())
		}},
		{"fake-export", "scripted: TLS 1.0, EXP-RC4-MD5 EXP-DES-CBC-SHA EXP-EDH-RSA-DES-CBC-SHA (512-bit DH) AES128/256-SHA", func() (*tlstest.Server, error) {
			return tlstest.NewFakeServer(tlstest.ExportServer())
		}},
		{"fake-serverorder", "scripted: TLS 1.0-1.2, server order for suites and groups (P-384 P-256 x25519), DHE 1024", func() (*tlstest.Server, error) {
			return tlstest.NewFakeServer(tlstest.ServerOrderServer())
		}},
		{"vuln-heartbleed", "scripted: TLS 1.0-1.2, Heartbleed, CCS injection, DEFLATE, no renegotiation_info, no fallback SCSV", func() (*tlstest.Server, error) {
			fc := tlstest.ServerOrderServer()
			fc.Compression, fc.NoRenegotiationInfo = true, true
			return tlstest.NewVulnServer(tlstest.VulnConfig{Fake: fc, Heartbleed: true, CCSInjection: true})
		}},
		{"vuln12-reneg", "wire.ServeConn12: TLS 1.0-1.2, RSA kx, AES-GCM/CBC, client renegotiation allowed, ROBOT (strong oracle)", func() (*tlstest.Server, error) {
			return tlstest.StartVuln12(tlstest.Vuln12Options{ClientRenegotiation: true, ROBOT: "strong"})
		}},
		{"fake-fallback", "scripted: TLS 1.0-1.2 server order, honours TLS_FALLBACK_SCSV, renegotiation_info", func() (*tlstest.Server, error) {
			fc := tlstest.ServerOrderServer()
			fc.FallbackSCSV = true
			return tlstest.NewFakeServer(fc)
		}},
	}
}

// serve starts every server (or those named in only), writes the target list
// to out and runs until SIGINT/SIGTERM.
func serve(out string, only map[string]bool) error {
	var servers []*tlstest.Server
	defer func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}()
	var targets []target
	for _, sp := range specs() {
		if len(only) > 0 && !only[sp.name] {
			continue
		}
		s, err := sp.start()
		if err != nil {
			return fmt.Errorf("start %s: %w", sp.name, err)
		}
		servers = append(servers, s)
		name := s.Name
		if name == "" {
			name = tlstest.DefaultName
		}
		targets = append(targets, target{Name: sp.name, Addr: s.Addr, Port: s.Port, SNI: name, Config: sp.config})
		fmt.Fprintf(os.Stderr, "crossval: %-16s %s (SNI %s)\n", sp.name, s.Addr, name)
	}
	b, err := json.MarshalIndent(targets, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(out+".tmp", b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	fmt.Fprintln(os.Stderr, "crossval: stopping servers")
	return nil
}

// startWithLeaf runs openssl s_server with a leaf of keyType from the shared PKI.
func startWithLeaf(keyType string, opts tlstest.OpenSSLOptions) (*tlstest.Server, error) {
	pki, err := tlstest.SharedPKI()
	if err != nil {
		return nil, err
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{DNSNames: []string{tlstest.DefaultName}, KeyType: keyType})
	if err != nil {
		return nil, err
	}
	opts.Leaf = leaf
	return tlstest.StartOpenSSL(opts)
}
