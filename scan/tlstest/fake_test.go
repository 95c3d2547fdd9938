package tlstest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

func startFake(t *testing.T, cfg FakeConfig) *Server {
	t.Helper()
	s, err := NewFakeServer(cfg)
	if err != nil {
		t.Fatalf("NewFakeServer: %v", err)
	}
	return s
}

func engineOf(t *testing.T, s *Server) *fakeEngine {
	t.Helper()
	v, ok := loops.Load(s)
	if !ok {
		t.Fatalf("server not registered")
	}
	return v.(*connLoop).state.(*fakeEngine)
}

// cryptoTLSHandshake runs a crypto/tls client against s and reports the
// connection state seen once the certificate was parsed.
func cryptoTLSHandshake(t *testing.T, s *Server, cfg *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	var seen tls.ConnectionState
	var called bool
	cfg.InsecureSkipVerify = true
	cfg.ServerName = s.Name
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		seen, called = cs, true
		return nil
	}
	raw, err := net.DialTimeout("tcp", s.Addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	c := tls.Client(raw, cfg)
	err = c.Handshake()
	if !called {
		t.Fatalf("crypto/tls never parsed the certificate: %v", err)
	}
	return seen, err
}

// waitCount waits until f() >= want (server handlers run concurrently).
func waitCount(t *testing.T, what string, f func() int64, want int64) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for f() < want {
		if time.Now().After(deadline) {
			t.Fatalf("%s = %d, want %d", what, f(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFakeCryptoTLS(t *testing.T) {
	leakCheck(t)
	tests := []struct {
		name      string
		cfg       FakeConfig
		client    *tls.Config
		wantVers  uint16
		wantSuite uint16
	}{
		{"server order TLS1.2 ECDHE", ServerOrderServer(), &tls.Config{
			MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
			CipherSuites:     []uint16{0xc013, 0xc02f},
			CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256},
		}, tls.VersionTLS12, 0xc02f},
		{"server order negotiates TLS1.1 down from 1.3", func() FakeConfig {
			c := ServerOrderServer()
			c.Versions = []uint16{registry.VersionTLS10, registry.VersionTLS11}
			return c
		}(), &tls.Config{
			MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS13,
			CipherSuites: []uint16{0x002f, 0xc014},
		}, tls.VersionTLS11, 0xc014},
		{"SSLv3 server at TLS1.0 RSA", SSLv3Server(), &tls.Config{
			MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
			// crypto/tls sends these in its own order: AES, 3DES, RC4.
			CipherSuites: []uint16{0x000a, 0x002f, 0x0005},
		}, tls.VersionTLS10, 0x002f},
		{"export server AES at TLS1.0", ExportServer(), &tls.Config{
			MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10,
			CipherSuites: []uint16{0x0035},
		}, tls.VersionTLS10, 0x0035},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startFake(t, tc.cfg)
			defer closePromptly(t, s, 3*time.Second)
			cs, err := cryptoTLSHandshake(t, s, tc.client)
			if err == nil {
				t.Fatalf("handshake completed against a server that cannot finish it")
			}
			if cs.Version != tc.wantVers || cs.CipherSuite != tc.wantSuite {
				t.Errorf("got version %04x suite %04x, want %04x %04x", cs.Version, cs.CipherSuite, tc.wantVers, tc.wantSuite)
			}
			if len(cs.PeerCertificates) != 1 || !bytes.Equal(cs.PeerCertificates[0].Raw, s.CertDER) {
				t.Errorf("peer certificates differ from the served chain")
			}
			// The client accepted ServerKeyExchange (signature included) and
			// ServerHelloDone, and answered with ClientKeyExchange.
			waitCount(t, "ClientKeyExchanges", engineOf(t, s).clientKeyExchanges.Load, 1)
			if n := s.ConnCount(); n != 1 {
				t.Errorf("ConnCount = %d, want 1", n)
			}
		})
	}
}

func TestFakeRawTLS(t *testing.T) {
	leakCheck(t)
	withCfg := func(c FakeConfig, f func(*FakeConfig)) FakeConfig { f(&c); return c }
	ecdhe := []uint16{0xc013, 0xc014}
	tests := []struct {
		name  string
		cfg   FakeConfig
		hello helloSpec
		// expectations
		alert     byte // non-zero: expect this fatal alert
		closed    bool // expect a close without any byte
		vers      uint16
		suite     uint16
		comp      uint8
		reneg     bool
		noExts    bool
		skeCheck  func(t *testing.T, ske []byte)
		wantCerts bool
	}{
		{name: "SSLv3 client order", cfg: SSLv3Server(),
			hello: helloSpec{Version: registry.VersionSSL3, Suites: []uint16{0x0004, 0x0005}, NoExtensions: true},
			vers:  registry.VersionSSL3, suite: 0x0004, noExts: true, wantCerts: true},
		{name: "SSLv3 server negotiates TLS1.0 down from TLS1.2", cfg: SSLv3Server(),
			hello: helloSpec{Version: registry.VersionTLS12, Suites: []uint16{0x0009, 0x0003}, RenegExt: true},
			vers:  registry.VersionTLS10, suite: 0x0009, reneg: true, wantCerts: true},
		{name: "renegotiation SCSV", cfg: SSLv3Server(),
			hello: helloSpec{Version: registry.VersionSSL3, Suites: []uint16{0x000a, suiteRenegotiationSCSV}, NoExtensions: true},
			vers:  registry.VersionSSL3, suite: 0x000a, reneg: true, wantCerts: true},
		{name: "no renegotiation_info", cfg: withCfg(SSLv3Server(), func(c *FakeConfig) { c.NoRenegotiationInfo = true }),
			hello: helloSpec{Version: registry.VersionTLS10, Suites: []uint16{0x000a}, RenegExt: true},
			vers:  registry.VersionTLS10, suite: 0x000a, noExts: true, wantCerts: true},
		{name: "export RSA with 512-bit key", cfg: ExportServer(),
			hello: helloSpec{Version: registry.VersionTLS10, Suites: []uint16{0x0003}},
			vers:  registry.VersionTLS10, suite: 0x0003, wantCerts: true, noExts: true,
			skeCheck: func(t *testing.T, ske []byte) {
				s := cryptobyte.String(ske)
				var mod, exp cryptobyte.String
				if !s.ReadUint16LengthPrefixed(&mod) || !s.ReadUint16LengthPrefixed(&exp) {
					t.Fatalf("bad RSA_EXPORT params")
				}
				if n := new(big.Int).SetBytes(mod).BitLen(); n != 512 {
					t.Errorf("export modulus %d bits, want 512", n)
				}
				checkTLS10Sig(t, s)
			}},
		{name: "DHE export 512-bit prime", cfg: ExportServer(),
			hello: helloSpec{Version: registry.VersionTLS10, Suites: []uint16{0x0014, 0x002f}},
			vers:  registry.VersionTLS10, suite: 0x0014, wantCerts: true, noExts: true,
			skeCheck: func(t *testing.T, ske []byte) {
				p, g, y, rest := readDHParams(t, ske)
				if p.Cmp(DHPrime512()) != 0 || g.Int64() != 2 || y.Sign() <= 0 || y.Cmp(p) >= 0 {
					t.Errorf("DH params p=%x g=%v y=%x", p, g, y)
				}
				checkTLS10Sig(t, rest)
			}},
		{name: "server order suite and group", cfg: ServerOrderServer(),
			hello: helloSpec{Version: registry.VersionTLS12, Suites: []uint16{0x002f, 0xc013, 0xc014},
				Groups: []uint16{GroupX25519, GroupP256, GroupP384}, PointFormats: true, SigAlgs: []uint16{0x0401}},
			vers: registry.VersionTLS12, suite: 0xc014, wantCerts: true,
			skeCheck: func(t *testing.T, ske []byte) {
				s := cryptobyte.String(ske)
				var ct uint8
				var group, alg uint16
				var point, sig cryptobyte.String
				if !s.ReadUint8(&ct) || !s.ReadUint16(&group) || !s.ReadUint8LengthPrefixed(&point) ||
					!s.ReadUint16(&alg) || !s.ReadUint16LengthPrefixed(&sig) || !s.Empty() {
					t.Fatalf("bad ECDHE SKE %x", ske)
				}
				if ct != 3 || group != GroupP384 || len(point) != 97 || point[0] != 4 || alg != 0x0401 || len(sig) != 256 {
					t.Errorf("ECDHE SKE: type %d group %d point %d bytes alg %04x sig %d bytes", ct, group, len(point), alg, len(sig))
				}
			}},
		{name: "client order group", cfg: withCfg(ServerOrderServer(), func(c *FakeConfig) { c.GroupServerOrder = false }),
			hello: helloSpec{Version: registry.VersionTLS12, Suites: ecdhe, Groups: []uint16{GroupX25519, GroupP384}},
			vers:  registry.VersionTLS12, suite: 0xc014, wantCerts: true, noExts: true,
			skeCheck: func(t *testing.T, ske []byte) {
				if group := binary.BigEndian.Uint16(ske[1:]); group != GroupX25519 || ske[3] != 32 {
					t.Errorf("group %d point %d bytes, want x25519/32", group, ske[3])
				}
			}},
		{name: "DHE 1024 TLS1.2", cfg: ServerOrderServer(),
			hello: helloSpec{Version: registry.VersionTLS12, Suites: []uint16{0x0033}},
			vers:  registry.VersionTLS12, suite: 0x0033, wantCerts: true, noExts: true,
			skeCheck: func(t *testing.T, ske []byte) {
				p, _, _, rest := readDHParams(t, ske)
				if p.BitLen() != 1024 || p.Cmp(DHPrime1024()) != 0 {
					t.Errorf("DH prime %d bits", p.BitLen())
				}
				var alg uint16
				if !rest.ReadUint16(&alg) || alg != 0x0401 {
					t.Errorf("sigalg %04x, want 0401", alg)
				}
			}},
		{name: "no common group skips ECDHE", cfg: ServerOrderServer(),
			hello: helloSpec{Version: registry.VersionTLS12, Suites: []uint16{0xc014, 0x0035}, Groups: []uint16{GroupP521}},
			vers:  registry.VersionTLS12, suite: 0x0035, wantCerts: true, noExts: true},
		{name: "ECDHE only, no common group", cfg: ServerOrderServer(),
			hello: helloSpec{Version: registry.VersionTLS12, Suites: ecdhe, Groups: []uint16{GroupP521}}, alert: alertHandshakeFailure},
		{name: "no common suite", cfg: SSLv3Server(),
			hello: helloSpec{Version: registry.VersionTLS10, Suites: []uint16{0xc02f}}, alert: alertHandshakeFailure},
		{name: "version too low", cfg: ServerOrderServer(),
			hello: helloSpec{Version: registry.VersionSSL3, Suites: []uint16{0x002f}, NoExtensions: true}, alert: alertProtocolVersion},
		{name: "SSLv3-only server, version too low", cfg: FakeConfig{Versions: []uint16{registry.VersionSSL3}, Suites: map[uint16][]uint16{registry.VersionSSL3: {0x0004}}},
			hello: helloSpec{Version: registry.VersionSSL2, Suites: []uint16{0x0004}, NoExtensions: true}, alert: alertHandshakeFailure},
		{name: "compression", cfg: withCfg(SSLv3Server(), func(c *FakeConfig) { c.Compression = true }),
			hello: helloSpec{Version: registry.VersionTLS10, Suites: []uint16{0x002f}, Compression: []byte{1, 0}},
			vers:  registry.VersionTLS10, suite: 0x002f, comp: 1, noExts: true, wantCerts: true},
		{name: "version intolerant", cfg: withCfg(ServerOrderServer(), func(c *FakeConfig) { c.IntolerantAbove = registry.VersionTLS12 }),
			hello: helloSpec{Version: registry.VersionTLS13, Suites: []uint16{0x002f}}, closed: true},
		{name: "version intolerant, tolerable hello", cfg: withCfg(ServerOrderServer(), func(c *FakeConfig) { c.IntolerantAbove = registry.VersionTLS12 }),
			hello: helloSpec{Version: registry.VersionTLS12, Suites: []uint16{0x002f}, TLS13: true},
			vers:  registry.VersionTLS12, suite: 0x002f, noExts: true, wantCerts: true},
		{name: "long hello intolerant", cfg: withCfg(ServerOrderServer(), func(c *FakeConfig) { c.MaxHelloLen = 255 }),
			hello: helloSpec{Version: registry.VersionTLS12, Suites: []uint16{0x002f}, Padding: 300}, closed: true},
		{name: "too many suites", cfg: withCfg(ServerOrderServer(), func(c *FakeConfig) { c.MaxSuites = 4 }),
			hello: helloSpec{Version: registry.VersionTLS12, Suites: []uint16{1, 2, 3, 4, 0x002f}}, alert: alertHandshakeFailure},
		{name: "fallback SCSV", cfg: withCfg(ServerOrderServer(), func(c *FakeConfig) { c.FallbackSCSV = true }),
			hello: helloSpec{Version: registry.VersionTLS11, Suites: []uint16{0x002f, suiteFallbackSCSV}}, alert: alertInappropriateFallbck},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startFake(t, tc.cfg)
			defer closePromptly(t, s, 3*time.Second)
			c := dialSend(t, s, tc.hello.bytes())
			res := readFlight(t, c)
			switch {
			case tc.closed:
				if !res.Closed || res.Bytes != 0 {
					t.Fatalf("want close without answer, got %+v", res)
				}
				return
			case tc.alert != 0:
				if len(res.Alert) != 2 || res.Alert[0] != 2 || res.Alert[1] != tc.alert {
					t.Fatalf("want fatal alert %d, got %+v", tc.alert, res)
				}
				return
			}
			if res.Closed || res.Alert != nil {
				t.Fatalf("no complete flight: %+v", res)
			}
			if res.RecordVersion != tc.vers {
				t.Errorf("record version %04x, want %04x", res.RecordVersion, tc.vers)
			}
			checkFlight(t, res.Msgs, tc.wantCerts, s.Chain)
			sh := parseServerHello(t, res.Msgs[0].Body)
			if sh.Version != tc.vers || sh.Suite != tc.suite || sh.Compression != tc.comp {
				t.Errorf("ServerHello version %04x suite %04x comp %d, want %04x %04x %d", sh.Version, sh.Suite, sh.Compression, tc.vers, tc.suite, tc.comp)
			}
			if len(sh.SessionID) != 32 {
				t.Errorf("session id %d bytes", len(sh.SessionID))
			}
			if ri, ok := sh.Exts[extRenegotiationInfo]; ok != tc.reneg || (ok && !bytes.Equal(ri, []byte{0})) {
				t.Errorf("renegotiation_info present=%v (%x), want %v", ok, ri, tc.reneg)
			}
			if tc.noExts && sh.HasExts {
				t.Errorf("ServerHello has extensions %v, want none", sh.ExtOrder)
			}
			if suiteKex(tc.suite) == kexECDHE && tc.hello.PointFormats && !bytes.Equal(sh.Exts[extECPointFormats], []byte{1, 0}) {
				t.Errorf("ec_point_formats missing")
			}
			var ske []byte
			for _, m := range res.Msgs {
				if m.Type == hsServerKeyExchange {
					ske = m.Body
				}
			}
			if (ske != nil) != (tc.skeCheck != nil) {
				t.Fatalf("ServerKeyExchange present=%v, want %v", ske != nil, tc.skeCheck != nil)
			}
			if tc.skeCheck != nil {
				tc.skeCheck(t, ske)
			}
		})
	}
}

// checkFlight asserts ServerHello, Certificate (the chain), [SKE], ServerHelloDone.
func checkFlight(t *testing.T, msgs []hsMessage, wantCerts bool, chain [][]byte) {
	t.Helper()
	var types []uint8
	for _, m := range msgs {
		types = append(types, m.Type)
	}
	if len(msgs) < 2 || msgs[0].Type != hsServerHello || msgs[len(msgs)-1].Type != hsServerHelloDone || len(msgs[len(msgs)-1].Body) != 0 {
		t.Fatalf("flight message types %v", types)
	}
	if !wantCerts {
		return
	}
	if msgs[1].Type != hsCertificate {
		t.Fatalf("flight message types %v, want Certificate second", types)
	}
	got := certEntries(t, msgs[1].Body)
	if len(got) != len(chain) || !bytes.Equal(got[0], chain[0]) {
		t.Fatalf("served chain differs")
	}
	if _, err := x509.ParseCertificate(got[0]); err != nil {
		t.Fatalf("leaf does not parse: %v", err)
	}
}

func readDHParams(t *testing.T, ske []byte) (p, g, y *big.Int, rest cryptobyte.String) {
	t.Helper()
	s := cryptobyte.String(ske)
	var pb, gb, yb cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&pb) || !s.ReadUint16LengthPrefixed(&gb) || !s.ReadUint16LengthPrefixed(&yb) {
		t.Fatalf("bad DH params %x", ske)
	}
	return new(big.Int).SetBytes(pb), new(big.Int).SetBytes(gb), new(big.Int).SetBytes(yb), s
}

// checkTLS10Sig checks a TLS 1.0 signature: a length-prefixed RSA-2048
// signature and no SignatureAndHashAlgorithm.
func checkTLS10Sig(t *testing.T, s cryptobyte.String) {
	t.Helper()
	var sig cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&sig) || !s.Empty() || len(sig) != 256 {
		t.Errorf("TLS 1.0 signature: %d bytes, trailing %d", len(sig), len(s))
	}
}

func TestFakeSSLv2(t *testing.T) {
	leakCheck(t)
	offered := []uint32{SSL2RC4128MD5, 0x000004, SSL2DES192EDE3CBCMD5, 0x0000ff}
	for _, tc := range []struct {
		name string
		list SSLv2CipherList
		want []uint32
	}{
		{"common", SSLv2ListCommon, []uint32{SSL2DES192EDE3CBCMD5, SSL2RC4128MD5}},
		{"all", SSLv2ListAll, SSLv2Server().SSLv2Kinds},
		{"none (CVE-2015-3197)", SSLv2ListNone, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := SSLv2Server()
			cfg.SSLv2List = tc.list
			s := startFake(t, cfg)
			defer closePromptly(t, s, 3*time.Second)
			c := dialSend(t, s, sslv2Hello(registry.VersionSSL2, offered))
			var hdr [2]byte
			if _, err := io.ReadFull(c, hdr[:]); err != nil {
				t.Fatalf("read header: %v", err)
			}
			if hdr[0]&0x80 == 0 {
				t.Fatalf("not a two-byte SSLv2 header: %x", hdr)
			}
			n := int(hdr[0]&0x7f)<<8 | int(hdr[1])
			msg := make([]byte, n)
			if _, err := io.ReadFull(c, msg); err != nil {
				t.Fatalf("read SERVER-HELLO: %v", err)
			}
			// Byte-for-byte per draft-hickman-netscape-ssl-00 SERVER-HELLO.
			cert := s.CertDER
			want := []byte{4, 0, 1, 0, 2, byte(len(cert) >> 8), byte(len(cert)), 0, byte(3 * len(tc.want)), 0, 16}
			want = append(want, cert...)
			for _, k := range tc.want {
				want = append(want, byte(k>>16), byte(k>>8), byte(k))
			}
			if len(msg) != len(want)+16 || !bytes.Equal(msg[:len(want)], want) {
				t.Fatalf("SERVER-HELLO\n got %x\nwant %x + 16-byte connection id", msg, want)
			}
			// CLIENT-MASTER-KEY (msg type 2), as a DROWN probe would send.
			cmk := []byte{0x80, 10, 2, 0x01, 0x00, 0x80, 0, 0, 0, 0, 0, 0}
			if _, err := c.Write(cmk); err != nil {
				t.Fatalf("write CLIENT-MASTER-KEY: %v", err)
			}
			waitCount(t, "CLIENT-MASTER-KEYs", engineOf(t, s).clientMasterKeys.Load, 1)
		})
	}
}

func TestFakeSSLv2HelloForTLS(t *testing.T) {
	leakCheck(t)
	s := startFake(t, SSLv3Server())
	defer closePromptly(t, s, 3*time.Second)

	// An SSLv2-format hello asking for TLS 1.0, as old clients sent.
	c := dialSend(t, s, sslv2Hello(registry.VersionTLS10, []uint32{SSL2RC4128MD5, 0x000005, 0x0000ff}))
	res := readFlight(t, c)
	if res.Alert != nil || res.Closed {
		t.Fatalf("no flight: %+v", res)
	}
	checkFlight(t, res.Msgs, true, s.Chain)
	sh := parseServerHello(t, res.Msgs[0].Body)
	if sh.Version != registry.VersionTLS10 || sh.Suite != 0x0005 || !bytes.Equal(sh.Exts[extRenegotiationInfo], []byte{0}) {
		t.Errorf("ServerHello %+v", sh)
	}

	// A real SSLv2 hello to a server without SSLv2: closed, nothing sent.
	c2 := dialSend(t, s, sslv2Hello(registry.VersionSSL2, []uint32{SSL2RC4128MD5}))
	if res := readFlight(t, c2); !res.Closed || res.Bytes != 0 {
		t.Errorf("SSLv2 hello to a non-SSLv2 server: %+v", res)
	}
	if n := s.ConnCount(); n != 2 {
		t.Errorf("ConnCount = %d, want 2", n)
	}
}

func TestFakeConfigErrors(t *testing.T) {
	for _, cfg := range []FakeConfig{
		{},
		{Versions: []uint16{registry.VersionTLS13}},
		{Versions: []uint16{registry.VersionTLS12}},
		{Versions: []uint16{registry.VersionSSL2}},
	} {
		if s, err := NewFakeServer(cfg); err == nil {
			s.Close()
			t.Errorf("NewFakeServer(%+v) succeeded", cfg)
		}
	}
}

func TestFakeCloseWithIdleClients(t *testing.T) {
	leakCheck(t)
	s := startFake(t, ServerOrderServer())
	var conns []net.Conn
	for range 5 {
		c, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	waitCount(t, "ConnCount", func() int64 { return int64(s.ConnCount()) }, 5)
	closePromptly(t, s, time.Second)
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Errorf("connection still open after Close")
		}
	}
	if _, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		t.Errorf("listener still accepting after Close")
	}
}

func TestDHPrimes(t *testing.T) {
	for _, p := range []*big.Int{DHPrime512(), DHPrime1024()} {
		q := new(big.Int).Rsh(p, 1)
		if !p.ProbablyPrime(20) || !q.ProbablyPrime(20) {
			t.Errorf("%x is not a safe prime", p)
		}
	}
}
