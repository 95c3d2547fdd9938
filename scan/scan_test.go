package scan

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// scanServer audits a loopback test server and checks the invariants every
// observation must meet.
func scanServer(t *testing.T, srv *tlstest.Server, allowErrors ...string) *obs.Observation {
	t.Helper()
	s := New(Options{ConnTimeout: 5 * time.Second, Timeout: 60 * time.Second})
	tgt := Target{Input: srv.Addr, Host: srv.Host, Port: srv.Port, SNI: srv.Name}
	o := s.Scan(context.Background(), tgt)
	if _, err := json.Marshal(o); err != nil {
		t.Fatalf("observation does not marshal: %v", err)
	}
	if o.Status != obs.StatusOK {
		t.Fatalf("status %s: %s", o.Status, o.Error)
	}
	for _, e := range o.Errors {
		if !slices.ContainsFunc(allowErrors, func(s string) bool { return strings.Contains(e.Probe+": "+e.Error, s) }) {
			t.Errorf("probe error: %+v", e)
		}
	}
	return o
}

func proto(o *obs.Observation, name string) obs.Protocol {
	for _, p := range o.Protocols {
		if p.Name == name {
			return p
		}
	}
	return obs.Protocol{}
}

func suiteIDs(p obs.Protocol) []uint16 {
	var ids []uint16
	for _, s := range p.Suites {
		ids = append(ids, s.ID)
	}
	return ids
}

func names(ids []uint16) string {
	var s []string
	for _, id := range ids {
		s = append(s, registry.SuiteName(id))
	}
	return strings.Join(s, ", ")
}

// wantSuites asserts the exact protocol support and suite sets (any order).
func wantSuites(t *testing.T, o *obs.Observation, want map[string][]uint16) {
	t.Helper()
	for _, p := range o.Protocols {
		w, ok := want[p.Name]
		if p.Supported != ok {
			t.Errorf("%s supported = %v, want %v (suites %s)", p.Name, p.Supported, ok, names(suiteIDs(p)))
			continue
		}
		if p.Name == "SSLv2" {
			continue
		}
		got := slices.Sorted(slices.Values(suiteIDs(p)))
		ws := slices.Sorted(slices.Values(w))
		if !slices.Equal(got, ws) {
			t.Errorf("%s suites:\n got  %s\n want %s", p.Name, names(got), names(ws))
		}
		if p.Error != "" {
			t.Errorf("%s error: %s", p.Name, p.Error)
		}
	}
}

// wantOrder asserts the server enforces its order and that it is want.
func wantOrder(t *testing.T, o *obs.Observation, name string, serverOrder bool, want []uint16) {
	t.Helper()
	p := proto(o, name)
	if p.ServerOrder == nil || *p.ServerOrder != serverOrder {
		t.Errorf("%s server_order = %v, want %v", name, p.ServerOrder, serverOrder)
	}
	if want != nil && !slices.Equal(suiteIDs(p), want) {
		t.Errorf("%s order:\n got  %s\n want %s", name, names(suiteIDs(p)), names(want))
	}
}

func groupNames(gs []obs.Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Name)
	}
	return out
}

func TestScanModernGoServer(t *testing.T) {
	srv := tlstest.ModernGoServerT(t)
	o := scanServer(t, srv)
	tls12 := []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
	wantSuites(t, o, map[string][]uint16{
		"TLSv1.2": tls12,
		"TLSv1.3": {0x1301, 0x1302, 0x1303},
	})
	if o.Groups == nil {
		t.Fatal("no groups")
	}
	g13 := slices.Sorted(slices.Values(groupNames(o.Groups.TLS13)))
	if want := []string{"X25519MLKEM768", "secp256r1", "secp384r1", "x25519"}; !slices.Equal(g13, want) {
		t.Errorf("TLS 1.3 groups %v, want %v", g13, want)
	}
	g12 := slices.Sorted(slices.Values(groupNames(o.Groups.TLS12)))
	if want := []string{"secp256r1", "secp384r1", "x25519"}; !slices.Equal(g12, want) {
		t.Errorf("TLS 1.2 groups %v, want %v", g12, want)
	}
	var pq bool
	for _, g := range o.Groups.TLS13 {
		pq = pq || g.PostQuantum
	}
	if !pq {
		t.Error("X25519MLKEM768 not marked post-quantum")
	}
	// Both chains, RSA and ECDSA, exactly as served.
	var kinds []string
	for _, c := range o.Chains {
		kinds = append(kinds, c.KeyType)
		if len(c.Certificates) == 0 || c.Certificates[0].Subject == "" {
			t.Errorf("chain %+v lacks a parsed leaf", c)
		}
	}
	for _, c := range o.Chains {
		leaf := c.Certificates[0]
		if want := map[string]int{"RSA": 2048, "ECDSA": 256}[leaf.KeyType]; leaf.KeyBits != want {
			t.Errorf("%s leaf: %d key bits, want %d", leaf.KeyType, leaf.KeyBits, want)
		}
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	if !slices.Equal(kinds, []string{"ECDSA", "RSA"}) {
		t.Errorf("chain key types %v, want ECDSA and RSA", kinds)
	}
	if o.SignatureAlgorithms == nil || len(o.SignatureAlgorithms.TLS13) == 0 || len(o.SignatureAlgorithms.TLS12) == 0 {
		t.Errorf("signature algorithms missing: %+v", o.SignatureAlgorithms)
	}
	if o.Handshake == nil || o.Handshake.Protocol != "TLSv1.3" {
		t.Errorf("handshake %+v, want TLS 1.3", o.Handshake)
	}
}

func TestScanLegacyGoServer(t *testing.T) {
	srv := tlstest.LegacyGoServerT(t)
	o := scanServer(t, srv)
	var old []uint16
	for _, id := range tlstest.LegacySuites {
		if id != tls.TLS_RSA_WITH_AES_128_GCM_SHA256 {
			old = append(old, id)
		}
	}
	wantSuites(t, o, map[string][]uint16{
		"TLSv1.0": old,
		"TLSv1.1": old,
		"TLSv1.2": tlstest.LegacySuites,
	})
}

// The configuration from the foundation issue, on openssl s_server with a
// 1024-bit DH group, server order.
func TestScanOpenSSLServerOrder(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{
		MinProtocol:  "TLSv1",
		MaxProtocol:  "TLSv1.3",
		Ciphers:      "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:DHE-RSA-AES256-SHA",
		Ciphersuites: "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
		Groups:       "P-384:X25519",
		ServerPref:   true,
		DHGroup:      "modp1024",
	})
	o := scanServer(t, srv)
	wantSuites(t, o, map[string][]uint16{
		"TLSv1.0": {0x002f, 0x0039},
		"TLSv1.1": {0x002f, 0x0039},
		"TLSv1.2": {0xc02f, 0x002f, 0x0039},
		"TLSv1.3": {0x1302, 0x1303},
	})
	wantOrder(t, o, "TLSv1.2", true, []uint16{0xc02f, 0x002f, 0x0039})
	wantOrder(t, o, "TLSv1.0", true, []uint16{0x002f, 0x0039})
	wantOrder(t, o, "TLSv1.3", true, []uint16{0x1302, 0x1303})
	if len(o.DH) != 1 || o.DH[0].Bits != 1024 || o.DH[0].Known == "" {
		t.Errorf("DH = %+v, want one known 1024-bit prime", o.DH)
	}
	if got := groupNames(o.Groups.TLS13); !slices.Equal(got, []string{"secp384r1", "x25519"}) {
		t.Errorf("TLS 1.3 groups %v (order %v), want secp384r1, x25519 in server order", got, o.Groups.TLS13ServerOrder)
	}
	if got := groupNames(o.Groups.TLS12); !slices.Equal(got, []string{"secp384r1", "x25519"}) {
		t.Errorf("TLS 1.2 groups %v, want secp384r1, x25519", got)
	}
}

func TestScanOpenSSLClientOrder(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{
		MinProtocol: "TLSv1.2",
		MaxProtocol: "TLSv1.2",
		Ciphers:     "AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
	})
	o := scanServer(t, srv)
	wantSuites(t, o, map[string][]uint16{"TLSv1.2": {0x002f, 0xc030, 0xc02f}})
	wantOrder(t, o, "TLSv1.2", false, nil)
}

// Legacy protocols no real server here offers come from the scripted servers.
func TestScanFakeSSLv3(t *testing.T) {
	srv, err := tlstest.NewFakeServer(tlstest.SSLv3Server())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	o := scanServer(t, srv)
	cfg := tlstest.SSLv3Server()
	wantSuites(t, o, map[string][]uint16{
		"SSLv3":   cfg.Suites[0x0300],
		"TLSv1.0": cfg.Suites[0x0301],
	})
}

func TestScanFakeExport(t *testing.T) {
	srv, err := tlstest.NewFakeServer(tlstest.ExportServer())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	o := scanServer(t, srv)
	wantSuites(t, o, map[string][]uint16{"TLSv1.0": tlstest.ExportServer().Suites[0x0301]})
	if len(o.DH) != 1 || o.DH[0].Bits != 512 {
		t.Errorf("DH = %+v, want the 512-bit export prime", o.DH)
	}
}

func TestScanFakeSSLv2(t *testing.T) {
	cfg := tlstest.SSLv2Server()
	srv, err := tlstest.NewFakeServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s := New(Options{ConnTimeout: 3 * time.Second})
	o := s.Scan(context.Background(), Target{Host: srv.Host, Port: srv.Port, SNI: srv.Name})
	p := proto(o, "SSLv2")
	if !p.Supported {
		t.Fatalf("SSLv2 not found: %+v (status %s %s)", p, o.Status, o.Error)
	}
	var got []uint32
	for _, s := range p.Suites {
		got = append(got, s.ID24)
	}
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(cfg.SSLv2Kinds))) {
		t.Errorf("SSLv2 kinds %06x, want %06x", got, cfg.SSLv2Kinds)
	}
	for _, p := range o.Protocols {
		if p.Name != "SSLv2" && p.Supported {
			t.Errorf("%s reported supported on an SSLv2-only server", p.Name)
		}
	}
}

func TestScanClosedPort(t *testing.T) {
	srv := tlstest.ModernGoServerT(t)
	srv.Close()
	o := New(Options{}).Scan(context.Background(), Target{Host: srv.Host, Port: srv.Port})
	if o.Status != obs.StatusConnectionRefused {
		t.Fatalf("status %s (%s), want connection_refused", o.Status, o.Error)
	}
}

// The nginx configuration named in the foundation issue: exactly these
// protocols and suites, nothing more. nginx enables DHE suites only with
// ssl_dhparam (it does not use OpenSSL's automatic DH), so the issue's
// configuration is tested with a 1024-bit group and, as nginx really is,
// without one.
func TestScanNginxIssueConfig(t *testing.T) {
	const ciphers = "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:DHE-RSA-AES256-SHA:@SECLEVEL=0"
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1 TLSv1.2", Ciphers: ciphers, DHGroup: "modp1024"})
	o := scanServer(t, srv)
	wantSuites(t, o, map[string][]uint16{
		"TLSv1.0": {0x002f, 0x0039},
		"TLSv1.2": {0xc02f, 0x002f, 0x0039},
	})
	if len(o.DH) != 1 || o.DH[0].Bits != 1024 || o.DH[0].Known != "modp1024" {
		t.Errorf("DH = %+v, want the RFC 2409 1024-bit prime", o.DH)
	}

	srv = tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1 TLSv1.2", Ciphers: ciphers})
	o = scanServer(t, srv)
	wantSuites(t, o, map[string][]uint16{
		"TLSv1.0": {0x002f},
		"TLSv1.2": {0xc02f, 0x002f},
	})
}

// rsaAndECLeaves issues an RSA-2048 and an ECDSA P-256 leaf for the
// default name from the shared PKI.
func rsaAndECLeaves(t *testing.T) (rsaLeaf, ecLeaf *tlstest.Leaf) {
	t.Helper()
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	rsaLeaf, err = pki.IssueLeaf(tlstest.LeafOptions{DNSNames: []string{tlstest.DefaultName}, KeyType: "rsa2048"})
	if err != nil {
		t.Fatal(err)
	}
	ecLeaf, err = pki.IssueLeaf(tlstest.LeafOptions{DNSNames: []string{tlstest.DefaultName}, KeyType: "ecdsa-p256"})
	if err != nil {
		t.Fatal(err)
	}
	return rsaLeaf, ecLeaf
}

// A modern nginx with server order, two certificates and chosen curves.
func TestScanNginxModern(t *testing.T) {
	rsaLeaf, ecLeaf := rsaAndECLeaves(t)
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{
		Leaves:              []*tlstest.Leaf{rsaLeaf, ecLeaf},
		Protocols:           "TLSv1.2 TLSv1.3",
		Ciphers:             "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
		PreferServerCiphers: true,
		ECDHCurve:           "X25519:secp384r1",
		TLS13Ciphersuites:   "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
	})
	o := scanServer(t, srv)
	wantSuites(t, o, map[string][]uint16{
		"TLSv1.2": {0xc02c, 0xc02f, 0xcca9},
		"TLSv1.3": {0x1303, 0x1301},
	})
	wantOrder(t, o, "TLSv1.2", true, []uint16{0xc02c, 0xc02f, 0xcca9})
	wantOrder(t, o, "TLSv1.3", true, []uint16{0x1303, 0x1301})
	if got := slices.Sorted(slices.Values(groupNames(o.Groups.TLS13))); !slices.Equal(got, []string{"secp384r1", "x25519"}) {
		t.Errorf("TLS 1.3 groups %v", got)
	}
	if got := slices.Sorted(slices.Values(groupNames(o.Groups.TLS12))); !slices.Equal(got, []string{"secp384r1", "x25519"}) {
		t.Errorf("TLS 1.2 groups %v", got)
	}
	if len(o.Chains) != 2 {
		t.Errorf("%d chains, want 2 (RSA and ECDSA)", len(o.Chains))
	}
}

// gnutls-serv offers what Debian's OpenSSL cannot: RC4, 3DES, anonymous DH.
func TestScanGnuTLSLegacy(t *testing.T) {
	srv := tlstest.StartGnuTLST(t, tlstest.GnuTLSOptions{
		Priority: "NONE:+VERS-TLS1.2:+VERS-TLS1.0:+ARCFOUR-128:+3DES-CBC:+AES-128-CBC:+RSA:+ECDHE-RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+CURVE-ALL:%SERVER_PRECEDENCE",
	})
	o := scanServer(t, srv)
	want := []uint16{
		0x0005, // TLS_RSA_WITH_RC4_128_SHA
		0x000a, // TLS_RSA_WITH_3DES_EDE_CBC_SHA
		0x002f, // TLS_RSA_WITH_AES_128_CBC_SHA
		0xc011, // TLS_ECDHE_RSA_WITH_RC4_128_SHA
		0xc012, // TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
		0xc013, // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
	}
	wantSuites(t, o, map[string][]uint16{"TLSv1.0": want, "TLSv1.2": want})
	for _, name := range []string{"TLSv1.0", "TLSv1.2"} {
		if p := proto(o, name); p.ServerOrder == nil || !*p.ServerOrder {
			t.Errorf("%s: server order not detected (%%SERVER_PRECEDENCE)", name)
		}
	}
}

// A server that closes the connection on ClientHellos over 512 bytes (the
// F5 bug class) is still enumerated completely, with short hellos.
func TestScanLongHelloIntolerant(t *testing.T) {
	cfg := tlstest.ServerOrderServer()
	cfg.MaxHelloLen = 511
	srv, err := tlstest.NewFakeServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	// The scripted server signs with rsa_pkcs1_sha1 when it has run out of
	// offered algorithms, which the scanner rightly reports.
	o := scanServer(t, srv, "signature_algorithms_tls12: server chose rsa_pkcs1_sha1, which was not offered")
	want := map[string][]uint16{}
	for _, v := range cfg.Versions {
		want[map[uint16]string{0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2"}[v]] = cfg.Suites[v]
	}
	wantSuites(t, o, want)
	wantOrder(t, o, "TLSv1.2", true, cfg.Suites[0x0303])
}

// A TLS 1.3 server whose only group is FFDHE: tlsaudit completes the key
// exchange itself to read the certificate chain.
func TestScanTLS13FFDHEOnly(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.3", MaxProtocol: "TLSv1.3", Groups: "ffdhe2048"})
	o := scanServer(t, srv)
	if got := groupNames(o.Groups.TLS13); !slices.Equal(got, []string{"ffdhe2048"}) {
		t.Errorf("TLS 1.3 groups %v, want ffdhe2048", got)
	}
	if len(o.Chains) != 1 || len(o.Chains[0].Certificates) == 0 || !bytes.Equal(o.Chains[0].Certificates[0].DER, srv.CertDER) {
		t.Fatalf("chain not captured over FFDHE: %+v", o.Chains)
	}
	if o.SignatureAlgorithms == nil || len(o.SignatureAlgorithms.TLS13) == 0 {
		t.Errorf("no TLS 1.3 signature algorithms: %+v", o.SignatureAlgorithms)
	}
}

// The order check that tells client order from a server order equal to
// ours rides on a group or signature algorithm connection of the same
// protocol, so suite enumeration costs exactly the lower bound: one
// connection per accepted suite plus one refusal per protocol.
func TestScanOrderCheckCarried(t *testing.T) {
	for _, tc := range []struct {
		name        string
		serverOrder bool
	}{{"client order", false}, {"server order equal to the client's", true}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tlstest.StartNginxT(t, tlstest.NginxOptions{
				Protocols:           "TLSv1.2 TLSv1.3",
				Ciphers:             "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
				PreferServerCiphers: tc.serverOrder,
				TLS13Ciphersuites:   "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
			})
			o := scanServer(t, srv)
			wantSuites(t, o, map[string][]uint16{
				"TLSv1.2": {0xc030, 0xc02f},
				"TLSv1.3": {0x1302, 0x1303},
			})
			wantOrder(t, o, "TLSv1.2", tc.serverOrder, []uint16{0xc030, 0xc02f})
			wantOrder(t, o, "TLSv1.3", tc.serverOrder, []uint16{0x1302, 0x1303})
			bound := 4 + len(o.Protocols) // accepted suites + one refusal per protocol
			if got := o.ConnectionsByPhase["protocols"]; got != bound {
				t.Errorf("suite enumeration used %d connections, want the lower bound %d (by phase %v)", got, bound, o.ConnectionsByPhase)
			}
		})
	}
}

// A TLS 1.3 server with one suite: no order check, and the group and
// signature algorithm sequences, which would carry it, do not wait for it.
func TestScanOneTLS13Suite(t *testing.T) {
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{
		Protocols:         "TLSv1.3",
		TLS13Ciphersuites: "TLS_AES_128_GCM_SHA256",
	})
	o := scanServer(t, srv)
	wantSuites(t, o, map[string][]uint16{"TLSv1.3": {0x1301}})
	if o.Groups == nil || len(o.Groups.TLS13) == 0 || o.SignatureAlgorithms == nil || len(o.SignatureAlgorithms.TLS13) == 0 {
		t.Errorf("groups %+v, signature algorithms %+v: want both found", o.Groups, o.SignatureAlgorithms)
	}
	if o.Status != obs.StatusOK {
		t.Errorf("status %s (%s)", o.Status, o.Error)
	}
}
