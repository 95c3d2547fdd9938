package wire

import (
	"bytes"
	"crypto/tls"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/cryptobyte"
)

// fixedRand is an endless reader of one byte value.
type fixedRand byte

func (r fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// parseTestClientHello splits a marshalled ClientHello into its parts, as
// a server would.
func parseTestClientHello(t *testing.T, msg []byte) (suites []uint16, exts []Extension) {
	t.Helper()
	s := cryptobyte.String(msg)
	var typ uint8
	var body, sid, cs, comp, extBlock cryptobyte.String
	var ver uint16
	var random []byte
	if !s.ReadUint8(&typ) || typ != TypeClientHello || !s.ReadUint24LengthPrefixed(&body) || !s.Empty() {
		t.Fatalf("bad handshake header % x", msg[:4])
	}
	if !body.ReadUint16(&ver) || !body.ReadBytes(&random, 32) || !body.ReadUint8LengthPrefixed(&sid) ||
		!body.ReadUint16LengthPrefixed(&cs) || !body.ReadUint8LengthPrefixed(&comp) {
		t.Fatal("truncated ClientHello")
	}
	for !cs.Empty() {
		var v uint16
		cs.ReadUint16(&v)
		suites = append(suites, v)
	}
	if body.Empty() {
		return suites, nil
	}
	if !body.ReadUint16LengthPrefixed(&extBlock) || !body.Empty() {
		t.Fatal("bad extensions block")
	}
	for !extBlock.Empty() {
		var e Extension
		var d cryptobyte.String
		if !extBlock.ReadUint16(&e.Type) || !extBlock.ReadUint16LengthPrefixed(&d) {
			t.Fatal("truncated extension")
		}
		e.Data = d
		exts = append(exts, e)
	}
	return suites, exts
}

func extData(exts []Extension, typ uint16) ([]byte, bool) {
	for _, e := range exts {
		if e.Type == typ {
			return e.Data, true
		}
	}
	return nil, false
}

func TestClientHelloDeterministic(t *testing.T) {
	mk := func() *ClientHello {
		ch := modernHello()
		ch.Rand = fixedRand(7)
		ch.GREASE = true
		return ch
	}
	a, err := mk().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := mk().Marshal()
	if !bytes.Equal(a, b) {
		t.Fatal("same Rand gave different hellos")
	}
	ch := mk()
	r1, _ := ch.MarshalRecords()
	r2, _ := ch.MarshalRecords()
	if !bytes.Equal(r1, r2) || !bytes.Equal(r1[5:], a) {
		t.Fatal("MarshalRecords not stable or not the message")
	}
	if !bytes.Equal(r1[:3], []byte{RecordHandshake, 3, 1}) || int(r1[3])<<8|int(r1[4]) != len(a) {
		t.Fatalf("record header % x", r1[:5])
	}
	if !bytes.Equal(a[6:38], bytes.Repeat([]byte{7}, 32)) {
		t.Fatal("random not drawn from Rand")
	}
}

// Each extension's bytes, checked against the RFC encodings.
func TestClientHelloExtensionEncoding(t *testing.T) {
	ch := &ClientHello{
		Version:                 registry.VersionTLS12,
		Random:                  make([]byte, 32),
		CipherSuites:            []uint16{0xc02f},
		ServerName:              "ab.c",
		SupportedGroups:         []uint16{0x1d, 0x17},
		ECPointFormats:          []uint8{0},
		SignatureAlgorithms:     []uint16{0x0403},
		SignatureAlgorithmsCert: []uint16{0x0804},
		SupportedVersions:       []uint16{registry.VersionTLS13},
		KeyShares:               []KeyShare{{Group: 0x1d, Data: []byte{1, 2}}},
		PSKModes:                []uint8{1},
		ALPN:                    []string{"h2", "x"},
		SecureRenegotiation:     true,
		RenegotiationInfo:       []byte{9},
		SessionTicket:           true,
		SessionTicketData:       []byte{5, 6},
		StatusRequest:           true,
		SCT:                     true,
		ExtendedMasterSecret:    true,
		EncryptThenMAC:          true,
		Heartbeat:               1,
		Cookie:                  []byte{0xcc},
		ExtraExtensions:         []Extension{{Type: 0xabcd, Data: []byte{1}}},
	}
	msg, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	_, exts := parseTestClientHello(t, msg)
	want := map[uint16][]byte{
		ExtServerName:              {0, 7, 0, 0, 4, 'a', 'b', '.', 'c'},
		ExtSupportedGroups:         {0, 4, 0, 0x1d, 0, 0x17},
		ExtECPointFormats:          {1, 0},
		ExtSignatureAlgorithms:     {0, 2, 4, 3},
		ExtSignatureAlgorithmsCert: {0, 2, 8, 4},
		ExtSupportedVersions:       {2, 3, 4},
		ExtKeyShare:                {0, 6, 0, 0x1d, 0, 2, 1, 2},
		ExtPSKKeyExchangeModes:     {1, 1},
		ExtALPN:                    {0, 5, 2, 'h', '2', 1, 'x'},
		ExtRenegotiationInfo:       {1, 9},
		ExtSessionTicket:           {5, 6},
		ExtStatusRequest:           {1, 0, 0, 0, 0},
		ExtSCT:                     {},
		ExtExtendedMasterSecret:    {},
		ExtEncryptThenMAC:          {},
		ExtHeartbeat:               {1},
		ExtCookie:                  {0, 1, 0xcc},
		0xabcd:                     {1},
	}
	if len(exts) != len(want) {
		t.Errorf("%d extensions, want %d", len(exts), len(want))
	}
	for typ, w := range want {
		got, ok := extData(exts, typ)
		if !ok {
			t.Errorf("%s missing", ExtensionName(typ))
			continue
		}
		if !bytes.Equal(got, w) {
			t.Errorf("%s = % x, want % x", ExtensionName(typ), got, w)
		}
	}
	if exts[len(exts)-1].Type != 0xabcd {
		t.Errorf("extra extension not last")
	}
	// An empty non-nil key share list is sent as an empty list.
	ch2 := &ClientHello{Version: registry.VersionTLS12, Random: make([]byte, 32), KeyShares: []KeyShare{}}
	msg, _ = ch2.Marshal()
	_, exts = parseTestClientHello(t, msg)
	if d, ok := extData(exts, ExtKeyShare); !ok || !bytes.Equal(d, []byte{0, 0}) {
		t.Errorf("empty key_share = % x (present %v)", d, ok)
	}
	// No extension at all: no extensions block (SSLv3-style hello).
	ch3 := &ClientHello{Version: registry.VersionSSL3, Random: make([]byte, 32), CipherSuites: []uint16{0x0a}}
	msg, _ = ch3.Marshal()
	if len(msg) != 4+2+32+1+4+2 {
		t.Errorf("bare hello of %d bytes", len(msg))
	}
	rec, _ := ch3.MarshalRecords()
	if rec[1] != 3 || rec[2] != 0 {
		t.Errorf("SSLv3 hello record version %x%x", rec[1], rec[2])
	}
}

func TestClientHelloPadding(t *testing.T) {
	for _, target := range []int{100, 256, 512, 517, 1000} {
		for _, bare := range []bool{false, true} {
			ch := modernHello()
			if bare {
				ch = &ClientHello{Version: registry.VersionTLS12, CipherSuites: []uint16{0x2f}}
			}
			ch.PaddingTo = target
			ch.ExtraExtensions = []Extension{{Type: 0xff02}}
			msg, err := ch.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			unpadded := *ch
			unpadded.PaddingTo = 0
			plain, _ := unpadded.Marshal()
			want := max(target, len(plain))
			if len(msg) != want {
				t.Errorf("PaddingTo %d bare %v: %d bytes, want %d", target, bare, len(msg), want)
			}
			_, exts := parseTestClientHello(t, msg)
			if exts[len(exts)-1].Type != 0xff02 {
				t.Errorf("padding placed after the extra extensions")
			}
		}
	}
}

func TestClientHelloGREASE(t *testing.T) {
	ch := modernHello()
	ch.GREASE = true
	ch.KeyShares = []KeyShare{{Group: GroupX25519, Data: make([]byte, 32)}}
	msg, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	suites, exts := parseTestClientHello(t, msg)
	if !IsGREASE(suites[0]) {
		t.Errorf("first suite %04x not GREASE", suites[0])
	}
	if !IsGREASE(exts[0].Type) || !IsGREASE(exts[len(exts)-1].Type) || exts[0].Type == exts[len(exts)-1].Type {
		t.Errorf("GREASE extensions %04x ... %04x", exts[0].Type, exts[len(exts)-1].Type)
	}
	groups, _ := extData(exts, ExtSupportedGroups)
	vers, _ := extData(exts, ExtSupportedVersions)
	sigs, _ := extData(exts, ExtSignatureAlgorithms)
	ks, _ := extData(exts, ExtKeyShare)
	for name, v := range map[string]uint16{
		"group":   uint16(groups[2])<<8 | uint16(groups[3]),
		"version": uint16(vers[1])<<8 | uint16(vers[2]),
		"sigalg":  uint16(sigs[2])<<8 | uint16(sigs[3]),
		"share":   uint16(ks[2])<<8 | uint16(ks[3]),
	} {
		if !IsGREASE(v) {
			t.Errorf("first %s %04x is not GREASE", name, v)
		}
	}
	for i := 0; i < 16; i++ {
		if !IsGREASE(greaseValue(i)) {
			t.Errorf("greaseValue(%d) = %04x", i, greaseValue(i))
		}
	}
	for _, v := range []uint16{0x0a0b, 0x1a2a, 0x0303, 0xfafa + 1} {
		if IsGREASE(v) {
			t.Errorf("IsGREASE(%04x)", v)
		}
	}
}

// crypto/tls, as a server, must read every field of our hello as meant.
func TestClientHelloParsedByCryptoTLS(t *testing.T) {
	_, ecC := certs(t)
	got := make(chan *tls.ClientHelloInfo, 1)
	cfg := &tls.Config{
		Certificates: []tls.Certificate{ecC},
		GetConfigForClient: func(chi *tls.ClientHelloInfo) (*tls.Config, error) {
			got <- chi
			return nil, nil
		},
	}
	cli, srv := net.Pipe()
	defer cli.Close()
	go func() {
		defer srv.Close()
		srv.SetDeadline(time.Now().Add(10 * time.Second))
		_ = tls.Server(srv, cfg).Handshake()
	}()
	cli.SetDeadline(time.Now().Add(10 * time.Second))
	ch := modernHello()
	ch.GREASE = true
	share, priv, err := GenerateKeyShare(nil, GroupX25519)
	if err != nil {
		t.Fatal(err)
	}
	ch.KeyShares = []KeyShare{share}
	f, err := Exchange(cli, ch, []*KeySharePrivate{priv}, StopAfterServerHello)
	if err != nil || f.ServerHello == nil {
		t.Fatalf("Exchange: %v", err)
	}
	chi := <-got
	if chi.ServerName != "wire.test" {
		t.Errorf("ServerName %q", chi.ServerName)
	}
	if !slices.Contains(chi.SupportedVersions, registry.VersionTLS13) || !IsGREASE(chi.SupportedVersions[0]) {
		t.Errorf("SupportedVersions %x", chi.SupportedVersions)
	}
	if !slices.Equal(chi.SupportedProtos, []string{"h2", "http/1.1"}) {
		t.Errorf("ALPN %q", chi.SupportedProtos)
	}
	if len(chi.SupportedCurves) != 4 || tls.CurveID(GroupX25519) != chi.SupportedCurves[1] {
		t.Errorf("curves %v", chi.SupportedCurves)
	}
	if !bytes.Equal(chi.SupportedPoints, []byte{0}) {
		t.Errorf("points %v", chi.SupportedPoints)
	}
	if len(chi.SignatureSchemes) != len(ch.SignatureAlgorithms)+1 {
		t.Errorf("sigalgs %v", chi.SignatureSchemes)
	}
	if !slices.Equal(chi.CipherSuites[1:], ch.CipherSuites) {
		t.Errorf("suites %x", chi.CipherSuites)
	}
	if f.ServerHello.NegotiatedVersion() != registry.VersionTLS13 || f.ServerHello.KeyShare == nil {
		t.Errorf("server did not complete a TLS 1.3 ServerHello")
	}
}

func TestKeyShareSizes(t *testing.T) {
	groups := []uint16{GroupX25519, GroupSecp256r1, GroupSecp384r1, GroupSecp521r1, GroupX448,
		GroupFFDHE2048, GroupFFDHE3072, GroupFFDHE4096, GroupFFDHE6144, GroupFFDHE8192,
		GroupMLKEM512, GroupMLKEM768, GroupMLKEM1024, GroupX25519MLKEM768, GroupSecP256r1MLKEM768,
		GroupSecP384r1MLKEM1024, GroupBrainpoolP256r1TLS13, GroupBrainpoolP384r1TLS13, GroupBrainpoolP512r1TLS13}
	want := map[uint16]int{0x1d: 32, 0x17: 65, 0x18: 97, 0x19: 133, 0x1e: 56, 0x100: 256, 0x101: 384,
		0x102: 512, 0x103: 768, 0x104: 1024, 0x200: 800, 0x201: 1184, 0x202: 1568, 0x11ec: 1216,
		0x11eb: 1249, 0x11ed: 1665, 0x1f: 65, 0x20: 97, 0x21: 129}
	for _, g := range groups {
		ks, priv, err := GenerateKeyShare(nil, g)
		if err != nil {
			t.Fatalf("%04x: %v", g, err)
		}
		if len(ks.Data) != want[g] || KeyShareSize(g) != want[g] {
			t.Errorf("group %04x: share %d bytes (KeyShareSize %d), want %d", g, len(ks.Data), KeyShareSize(g), want[g])
		}
		real := map[uint16]bool{0x1d: true, 0x17: true, 0x18: true, 0x19: true, 0x1e: true, 0x200: true, 0x201: true, 0x202: true, 0x11ec: true, 0x11eb: true, 0x11ed: true,
			0x100: true, 0x101: true, 0x102: true, 0x103: true, 0x104: true}
		if priv.HasSecret() != real[g] {
			t.Errorf("group %04x: HasSecret %v", g, priv.HasSecret())
		}
	}
	if _, _, err := GenerateKeyShare(nil, 0x9999); err == nil {
		t.Error("unknown group accepted")
	}
	_, priv, _ := GenerateKeyShare(nil, GroupX25519)
	if _, err := priv.SharedSecret(make([]byte, 5)); err == nil {
		t.Error("short server share accepted")
	}
}

func TestSSLv2ClientHelloMarshal(t *testing.T) {
	m := &SSLv2ClientHello{CipherSpecs: []uint32{0x010080, 0x0700c0}, Challenge: bytes.Repeat([]byte{0xaa}, 16)}
	got := m.Marshal()
	want := []byte{0x80, 9 + 6 + 16, 1, 0, 2, 0, 6, 0, 0, 0, 16, 1, 0, 0x80, 7, 0, 0xc0}
	want = append(want, bytes.Repeat([]byte{0xaa}, 16)...)
	if !bytes.Equal(got, want) {
		t.Errorf("got % x\nwant % x", got, want)
	}
}
