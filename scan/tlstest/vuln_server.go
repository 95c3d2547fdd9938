package tlstest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// VulnConfig scripts a server with the wire behaviour of historic
// vulnerabilities. The legacy behaviours the scripted fake server already has
// (DEFLATE compression, no renegotiation_info, version and long-hello
// intolerance, ignoring TLS_FALLBACK_SCSV, SSLv2) are set in Fake; the flags
// below add the behaviours of unpatched implementations.
type VulnConfig struct {
	// Fake is the underlying legacy server (versions, suites, certificate,
	// and its own flags).
	Fake FakeConfig
	// Heartbleed: echo the heartbeat extension and answer a heartbeat request
	// with payload_length bytes copied from "memory", whatever the request
	// carried, as OpenSSL 1.0.1-1.0.1f did (CVE-2014-0160).
	Heartbleed bool
	// CCSInjection: accept a ChangeCipherSpec before the key exchange, switch
	// to (empty-master-secret) keys, and answer the next record with
	// bad_record_mac, as OpenSSL before 1.0.1h did (CVE-2014-0224). Without
	// it an early ChangeCipherSpec gets unexpected_message, as from a
	// patched OpenSSL.
	CCSInjection bool
	// Ticketbleed: complete normal TLS 1.2 handshakes (with crypto/tls,
	// issuing session tickets), and answer a hello carrying a ticket and a
	// session ID shorter than 32 bytes with an abbreviated handshake whose
	// ServerHello echoes a 32-byte session ID: the client's bytes followed by
	// fresh "uninitialised memory", as F5 BIG-IP did (CVE-2016-9244).
	Ticketbleed bool
}

// VulnMemory is the pattern the vulnerable server leaks as "memory" (e.g. in
// over-long heartbeat responses), so tests can recognise it.
var VulnMemory = []byte("-----BEGIN RSA PRIVATE KEY----- secret session data ")

// Heartbeat record type and extension (RFC 6520).
const (
	recordHeartbeat = 24
	recordAppData   = 23
	extHeartbeat    = 0x000f
	extSessionTick  = 0x0023

	alertUnexpectedMessage = 10
	alertBadRecordMAC      = 20
)

type vulnEngine struct {
	cfg  VulnConfig
	fake *fakeEngine
	// goCfg serves the full handshakes of a Ticketbleed server.
	goCfg *tls.Config
}

// NewVulnServer starts a scripted vulnerable server on 127.0.0.1.
func NewVulnServer(cfg VulnConfig) (*Server, error) {
	fe, err := newFakeEngine(cfg.Fake, recordsPerMessage)
	if err != nil {
		return nil, err
	}
	e := &vulnEngine{cfg: cfg, fake: fe}
	if cfg.Ticketbleed {
		e.goCfg = &tls.Config{
			Certificates: []tls.Certificate{{Certificate: fe.chain, PrivateKey: fe.key}},
			MinVersion:   tls.VersionTLS12,
			MaxVersion:   tls.VersionTLS12,
		}
	}
	l, err := startLoop(e.handle)
	if err != nil {
		return nil, err
	}
	l.state = e
	s := l.server()
	s.Name = fe.cfg.Name
	if s.Name == "" {
		s.Name = FakeCertName
	}
	s.CertDER, s.Chain = fe.chain[0], fe.chain
	return s, nil
}

// NewVulnServerT is NewVulnServer for tests: it fails t on error and closes
// the server in t.Cleanup.
func NewVulnServerT(t testing.TB, cfg VulnConfig) *Server {
	t.Helper()
	srv, err := NewVulnServer(cfg)
	return cleanupT(t, "NewVulnServer", srv, err)
}

// replayConn gives back the bytes already read before reading on.
type replayConn struct {
	net.Conn
	r io.Reader
}

func (c *replayConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (e *vulnEngine) handle(c net.Conn, done <-chan struct{}) {
	c.SetDeadline(time.Now().Add(e.fake.timeout))
	var seen bytes.Buffer
	ch, raw, err := readHelloRaw(io.TeeReader(c, &seen))
	replay := &replayConn{Conn: c, r: io.MultiReader(bytes.NewReader(seen.Bytes()), c)}
	if err != nil {
		if errors.Is(err, errNotTLSHello) {
			e.fake.handle(replay, done) // SSLv2 and the rest: the fake server's behaviour
		}
		return
	}
	if e.cfg.Ticketbleed {
		if ticket := extensionData(raw, extSessionTick); len(ticket) > 0 && len(ch.SessionID) > 0 && len(ch.SessionID) < 32 {
			e.ticketbleed(c, ch)
			return
		}
		tc := tls.Server(replay, e.goCfg)
		if tc.Handshake() == nil {
			drain(tc, 1<<16)
		}
		return
	}
	if !e.cfg.Heartbleed && !e.cfg.CCSInjection {
		e.fake.handle(replay, done)
		return
	}
	e.answerVulnerable(c, replay, ch, done)
}

// answerVulnerable sends the fake server's flight (with the heartbeat
// extension echoed when asked), then plays the vulnerable record handling.
func (e *vulnEngine) answerVulnerable(c net.Conn, replay net.Conn, ch *clientHello, done <-chan struct{}) {
	var v uint16
	for _, cand := range e.fake.tlsVersions() {
		if cand <= ch.Version {
			v = cand
		}
	}
	if v == 0 || e.fake.refuses(ch) {
		e.fake.handle(replay, done) // refusals as the fake server does them
		return
	}
	suite, group, ok := e.fake.chooseSuite(v, ch)
	if !ok {
		e.fake.handle(replay, done)
		return
	}
	flight, err := e.fake.flight(v, suite, group, ch)
	if err != nil {
		return
	}
	heartbeat := e.cfg.Heartbleed && ch.hasExtension(extHeartbeat)
	if heartbeat {
		if flight[0], err = addServerHelloExtension(flight[0], extension(extHeartbeat, []byte{1})); err != nil {
			return
		}
	}
	if _, err := c.Write(e.fake.records(v, flight)); err != nil {
		return
	}
	ccsSeen := false
	for {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		typ, _, payload, err := readRecord(c)
		if err != nil {
			return
		}
		switch {
		case ccsSeen:
			// Keys from an empty master secret cannot open what the client sent.
			writeAlert(c, v, alertBadRecordMAC)
			return
		case typ == recordCCS:
			if !e.cfg.CCSInjection {
				writeAlert(c, v, alertUnexpectedMessage)
				return
			}
			ccsSeen = true
		case typ == recordHeartbeat && heartbeat:
			if len(payload) < 3 || payload[0] != 1 {
				continue
			}
			claimed := int(payload[1])<<8 | int(payload[2])
			resp := heartbleedResponse(payload[3:], claimed)
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write(splitRecords(recordHeartbeat, v, resp, maxChunk)); err != nil {
				return
			}
		case typ == recordHandshake:
			return // a key exchange: this script ends here
		}
	}
}

// heartbleedResponse builds the response of an unpatched OpenSSL: type 2,
// the claimed length, claimed bytes starting with what the request carried
// and going on into memory, and 16 bytes of padding.
func heartbleedResponse(sent []byte, claimed int) []byte {
	out := []byte{2, byte(claimed >> 8), byte(claimed)}
	mem := append([]byte(nil), sent...)
	for len(mem) < claimed {
		mem = append(mem, VulnMemory...)
	}
	out = append(out, mem[:claimed]...)
	return append(out, randomBytes(16)...)
}

// ticketbleed answers a resumption hello as an affected F5 did: the session
// ID echoed at 32 bytes, the suite the client offered first, then
// ChangeCipherSpec and an (unreadable) encrypted Finished.
func (e *vulnEngine) ticketbleed(c net.Conn, ch *clientHello) {
	sid := append(append([]byte(nil), ch.SessionID...), randomBytes(32-len(ch.SessionID))...)
	var exts []byte
	if ch.RenegInfo {
		exts = append(exts, extension(extRenegotiationInfo, []byte{0})...)
	}
	sh := serverHelloMsg(registry.VersionTLS12, randomBytes(32), sid, ch.Suites[0], 0, exts)
	out := record(recordHandshake, registry.VersionTLS12, sh)
	out = append(out, record(recordCCS, registry.VersionTLS12, []byte{1})...)
	out = append(out, record(recordHandshake, registry.VersionTLS12, randomBytes(40))...)
	if _, err := c.Write(out); err != nil {
		return
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	drain(c, 1<<16)
}

// errNotTLSHello: the first bytes are not a TLS handshake record.
var errNotTLSHello = errors.New("tlstest: not a TLS ClientHello")

// readHelloRaw reads a ClientHello (TLS records, or an SSLv2 hello) and
// returns it parsed and its raw handshake body.
func readHelloRaw(r io.Reader) (*clientHello, []byte, error) {
	var first [1]byte
	if _, err := io.ReadFull(r, first[:]); err != nil {
		return nil, nil, err
	}
	if first[0]&0x80 != 0 || first[0] != recordHandshake {
		return nil, nil, errNotTLSHello
	}
	rr := io.MultiReader(bytes.NewReader(first[:]), r)
	var msg []byte
	for {
		typ, vers, payload, err := readRecord(rr)
		if err != nil {
			return nil, nil, err
		}
		if typ != recordHandshake {
			return nil, nil, errNotHandshake
		}
		msg = append(msg, payload...)
		if len(msg) < 4 {
			continue
		}
		n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
		if msg[0] != hsClientHello || n > maxClientHello {
			return nil, nil, errNotHandshake
		}
		if len(msg) >= 4+n {
			ch, err := parseClientHello(msg[4 : 4+n])
			if err != nil {
				return nil, nil, err
			}
			ch.RecordVersion = vers
			return ch, msg[4 : 4+n], nil
		}
	}
}

// extensionData returns the data of extension typ in a ClientHello body,
// nil when absent or when the hello does not parse.
func extensionData(body []byte, typ uint16) []byte {
	s := cryptobyte.String(body)
	var sid, suites, comp, exts cryptobyte.String
	if !s.Skip(2+32) || !s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16LengthPrefixed(&suites) ||
		!s.ReadUint8LengthPrefixed(&comp) || !s.ReadUint16LengthPrefixed(&exts) {
		return nil
	}
	for !exts.Empty() {
		var t uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&t) || !exts.ReadUint16LengthPrefixed(&data) {
			return nil
		}
		if t == typ {
			return data
		}
	}
	return nil
}

// addServerHelloExtension appends ext to a ServerHello handshake message
// built by serverHelloMsg.
func addServerHelloExtension(msg, ext []byte) ([]byte, error) {
	s := cryptobyte.String(msg[4:])
	var v, suite uint16
	var random []byte
	var sid, exts cryptobyte.String
	var comp uint8
	if !s.ReadUint16(&v) || !s.ReadBytes(&random, 32) || !s.ReadUint8LengthPrefixed(&sid) ||
		!s.ReadUint16(&suite) || !s.ReadUint8(&comp) {
		return nil, errors.New("tlstest: malformed ServerHello")
	}
	if !s.Empty() && !s.ReadUint16LengthPrefixed(&exts) {
		return nil, errors.New("tlstest: malformed ServerHello extensions")
	}
	return serverHelloMsg(v, random, sid, suite, comp, append(append([]byte{}, exts...), ext...)), nil
}

// refuses reports whether the fake server's own flags (intolerance, suite
// count, fallback SCSV) make it refuse ch; its handle then answers.
func (e *fakeEngine) refuses(ch *clientHello) bool {
	c := e.cfg
	vs := e.tlsVersions()
	return c.IntolerantAbove != 0 && ch.Version > c.IntolerantAbove ||
		c.MaxHelloLen > 0 && ch.Len > c.MaxHelloLen ||
		c.MaxSuites > 0 && len(ch.Suites) > c.MaxSuites ||
		c.FallbackSCSV && ch.hasSuite(suiteFallbackSCSV) && len(vs) > 0 && ch.Version < vs[len(vs)-1]
}
