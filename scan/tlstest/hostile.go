package tlstest

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/cryptobyte"
)

// HostileKind selects the misbehaviour of a hostile server.
type HostileKind int

const (
	// HostileSilent accepts and never speaks; it holds the connection until
	// the client or Close ends it.
	HostileSilent HostileKind = iota
	// HostileDrip sends a plausible ServerHello record one byte per second.
	HostileDrip
	// HostileGarbage answers the hello with 64 KiB of random bytes that do
	// not start like a TLS or SSLv2 record.
	HostileGarbage
	// HostileHTTP answers with a plain "HTTP/1.1 400 Bad Request" (nginx's
	// reply to TLS on a plain-HTTP port).
	HostileHTTP
	// HostileSSH greets with "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".
	HostileSSH
	// HostileReset sends part of a ServerHello, then a TCP RST.
	HostileReset
	// HostileHugeRecord sends a ServerHello, then a record header of length
	// 0xffff announcing a 16 MB Certificate message (0b ff ff ff), then drips
	// its body one byte per second.
	HostileHugeRecord
	// HostileHugeChain sends a ServerHello, then streams a Certificate
	// message of more than 10 MiB over many records (the leaf, then 64 KiB
	// filler entries), then ServerHelloDone.
	HostileHugeChain
	// HostileManyCerts sends a ServerHello and a Certificate message with
	// 10,000 small (ECDSA P-256) certificates, then ServerHelloDone.
	HostileManyCerts
	// HostileHRRLoop answers every ClientHello with a HelloRetryRequest.
	HostileHRRLoop
	// HostileAlertFlood sends warning alerts (user_canceled) without end.
	HostileAlertFlood
	// HostileWrongVersion answers with a ServerHello in a record of version
	// 0x0909, itself claiming version 0x0909.
	HostileWrongVersion
	// HostileCloseImmediately accepts and closes at once.
	HostileCloseImmediately

	// AwkwardFragmented is a valid TLS 1.0-1.2 server that splits every
	// handshake message over records of 1 to 10 bytes.
	AwkwardFragmented
	// AwkwardCoalesced is a valid TLS 1.0-1.2 server that sends ServerHello,
	// Certificate, ServerKeyExchange and ServerHelloDone in one record.
	AwkwardCoalesced
	// AwkwardCompatCCS answers a TLS 1.3 ClientHello with a valid ServerHello
	// and a middlebox-compatibility ChangeCipherSpec, then stalls (it cannot
	// encrypt) and closes.
	AwkwardCompatCCS

	// The kinds below are defined in hostile_more.go.

	HostileSameNameChain
	HostileMegaCertificate
	HostileHelloRequestFlood
	HostileZeroKeyShare
	HostileControlChars
)

var hostileNames = [...]string{
	"silent", "drip", "garbage", "http", "ssh", "reset", "huge-record", "huge-chain",
	"many-certs", "hrr-loop", "alert-flood", "wrong-version", "close-immediately",
	"awkward-fragmented", "awkward-coalesced", "awkward-compat-ccs",
	"same-name-chain", "mega-certificate", "hellorequest-flood", "zero-key-share", "control-chars",
}

func (k HostileKind) String() string {
	if k >= 0 && int(k) < len(hostileNames) {
		return hostileNames[k]
	}
	return fmt.Sprintf("HostileKind(%d)", int(k))
}

// HostileKinds lists every kind, for table-driven tests.
func HostileKinds() []HostileKind {
	ks := make([]HostileKind, len(hostileNames))
	for i := range ks {
		ks[i] = HostileKind(i)
	}
	return ks
}

const (
	// hostileLife bounds every hostile connection.
	hostileLife = 2 * time.Minute
	// hostileWriteTimeout bounds each write: a client that stops reading is
	// given up on.
	hostileWriteTimeout = 5 * time.Second
	// hostileHelloTimeout bounds waiting for the client's hello.
	hostileHelloTimeout = 5 * time.Second

	hugeChainFiller  = 64 << 10
	hugeChainEntries = 161 // 161 × 64 KiB > 10 MiB
	manyCertsCount   = 10000
)

// awkwardConfig is the valid server behind the Awkward* kinds.
func awkwardConfig() FakeConfig {
	suites := []uint16{0xc02f, 0xc013, 0xc014, 0x009c, 0x002f, 0x0035}
	return FakeConfig{
		Versions: []uint16{registry.VersionTLS10, registry.VersionTLS11, registry.VersionTLS12},
		Suites: map[uint16][]uint16{
			registry.VersionTLS10: suites[1:],
			registry.VersionTLS11: suites[1:],
			registry.VersionTLS12: suites,
		},
	}
}

// NewHostileServer starts a misbehaving (or valid but awkward) server on
// 127.0.0.1. Every connection is bounded in time and stops writing once the
// client goes away; Close ends all of them at once.
func NewHostileServer(kind HostileKind) (*Server, error) {
	switch kind {
	case HostileSameNameChain, HostileMegaCertificate, HostileHelloRequestFlood, HostileZeroKeyShare, HostileControlChars:
		return newHostileMore(kind)
	case AwkwardFragmented, AwkwardCoalesced:
		mode := recordsFragmented
		if kind == AwkwardCoalesced {
			mode = recordsCoalesced
		}
		e, err := newFakeEngine(awkwardConfig(), mode)
		if err != nil {
			return nil, err
		}
		return e.start()
	}
	if kind < 0 || int(kind) >= len(hostileNames) {
		return nil, fmt.Errorf("tlstest: unknown hostile kind %d", int(kind))
	}
	der, _, err := fakeCert()
	if err != nil {
		return nil, err
	}
	h := &hostile{kind: kind, cert: der}
	if kind == HostileManyCerts {
		if h.manyCerts, err = manyCertsMsg(); err != nil {
			return nil, err
		}
	}
	l, err := startLoop(h.handle)
	if err != nil {
		return nil, err
	}
	l.state = h
	s := l.server()
	s.Name = FakeCertName
	s.CertDER = der
	s.Chain = [][]byte{der}
	return s, nil
}

type hostile struct {
	kind      HostileKind
	cert      []byte
	manyCerts []byte // the Certificate message of HostileManyCerts
}

// hconn is one hostile connection.
type hconn struct {
	net.Conn
	done <-chan struct{}
}

// send writes b with a write deadline; false once the client or Close
// ended the connection.
func (c hconn) send(b []byte) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	c.SetWriteDeadline(time.Now().Add(hostileWriteTimeout))
	_, err := c.Write(b)
	return err == nil
}

// drip writes b one byte per interval.
func (c hconn) drip(b []byte, interval time.Duration) {
	for i := range b {
		if !c.send(b[i:i+1]) || !sleepOrDone(interval, c.done) {
			return
		}
	}
}

// hello reads the client's hello with a timeout.
func (c hconn) hello() (*clientHello, error) {
	c.SetReadDeadline(time.Now().Add(hostileHelloTimeout))
	ch, err := readClientHello(c, maxClientHello)
	c.SetReadDeadline(time.Now().Add(hostileLife))
	return ch, err
}

// linger waits up to d for the client to send or close, discarding input.
func (c hconn) linger(d time.Duration) {
	c.SetReadDeadline(time.Now().Add(d))
	drain(c.Conn, 1<<20)
}

func (h *hostile) handle(nc net.Conn, done <-chan struct{}) {
	nc.SetDeadline(time.Now().Add(hostileLife))
	c := hconn{nc, done}
	switch h.kind {
	case HostileCloseImmediately:
		return
	case HostileSilent:
		io.Copy(io.Discard, c) // until the client, Close or hostileLife ends it
		return
	case HostileSSH:
		if c.send([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")) {
			c.linger(hostileHelloTimeout)
			c.send([]byte("Invalid SSH identification string.\r\n"))
		}
		return
	case HostileHRRLoop:
		h.hrrLoop(c)
		return
	}
	ch, err := c.hello()
	if err != nil && h.kind != HostileGarbage && h.kind != HostileHTTP {
		return
	}
	switch h.kind {
	case HostileDrip:
		c.drip(plausibleServerHello(ch), time.Second)
	case HostileGarbage:
		junk := make([]byte, 64<<10)
		rand.Read(junk)
		junk[0] = '<' // neither a TLS content type nor an SSLv2 header
		c.send(junk)
	case HostileHTTP:
		body := "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n" +
			"<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
		c.send(fmt.Appendf(nil, "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n"+
			"Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body))
	case HostileReset:
		sh := plausibleServerHello(ch)
		if c.send(sh[:len(sh)/2]) {
			sleepOrDone(50*time.Millisecond, done)
			if tc, ok := nc.(*net.TCPConn); ok {
				tc.SetLinger(0) // Close now sends RST
			}
		}
	case HostileHugeRecord:
		if c.send(plausibleServerHello(ch)) && c.send([]byte{recordHandshake, 3, 3, 0xff, 0xff, hsCertificate, 0xff, 0xff, 0xff}) {
			c.drip(slices.Repeat([]byte{0}, 0xffff-4), time.Second)
		}
	case HostileHugeChain:
		if c.send(plausibleServerHello(ch)) && h.streamHugeChain(c) {
			c.send(record(recordHandshake, registry.VersionTLS12, handshakeMsg(hsServerHelloDone, nil)))
			c.linger(2 * time.Second)
		}
	case HostileManyCerts:
		if c.send(plausibleServerHello(ch)) &&
			c.send(splitRecords(recordHandshake, registry.VersionTLS12, h.manyCerts, maxChunk)) {
			c.send(record(recordHandshake, registry.VersionTLS12, handshakeMsg(hsServerHelloDone, nil)))
			c.linger(2 * time.Second)
		}
	case HostileAlertFlood:
		batch := slices.Repeat(record(recordAlert, registry.VersionTLS12, []byte{1, 90}), 512)
		for c.send(batch) {
		}
	case HostileWrongVersion:
		sh := plausibleServerHello(ch)
		sh[1], sh[2] = 9, 9  // record version
		sh[9], sh[10] = 9, 9 // ServerHello.server_version
		if c.send(sh) {
			c.linger(2 * time.Second)
		}
	case AwkwardCompatCCS:
		h.compatCCS(c, ch)
	}
}

// plausibleServerHello is a TLS ≤1.2 ServerHello record for ch: the client's
// version capped at TLS 1.2 and its first non-TLS 1.3, non-signalling suite.
func plausibleServerHello(ch *clientHello) []byte {
	v, suite := uint16(registry.VersionTLS12), uint16(0x002f)
	sid := randomBytes(32)
	if ch != nil {
		v = min(max(ch.Version, registry.VersionSSL3), registry.VersionTLS12)
		for _, s := range ch.Suites {
			if info, ok := registry.SuiteByID(s); ok && !info.Signalling && info.Kx != "TLS13" {
				suite = s
				break
			}
		}
	}
	return record(recordHandshake, v, serverHelloMsg(v, randomBytes(32), sid, suite, 0, nil))
}

// streamHugeChain writes a Certificate message of more than 10 MiB, built
// on the fly in 16 KiB records.
func (h *hostile) streamHugeChain(c hconn) bool {
	return streamChain(c, h.cert, hugeChainEntries)
}

// streamChain writes a Certificate message of leaf and entries filler
// certificates of 64 KiB each, built on the fly in 16 KiB records.
func streamChain(c hconn, leaf []byte, entries int) bool {
	listLen := 3 + len(leaf) + entries*(3+hugeChainFiller)
	head := []byte{hsCertificate, byte((listLen + 3) >> 16), byte((listLen + 3) >> 8), byte(listLen + 3),
		byte(listLen >> 16), byte(listLen >> 8), byte(listLen)}
	head = append(head, byte(len(leaf)>>16), byte(len(leaf)>>8), byte(len(leaf)))
	head = append(head, leaf...)
	// Each filler entry is a DER SEQUENCE (30 83 len24) of zeros.
	n, inner := hugeChainFiller, hugeChainFiller-5
	filler := make([]byte, 3+n)
	copy(filler, []byte{byte(n >> 16), byte(n >> 8), byte(n), 0x30, 0x83, byte(inner >> 16), byte(inner >> 8), byte(inner)})

	var pending []byte
	flush := func(all bool) bool {
		for len(pending) >= 16384 || (all && len(pending) > 0) {
			n := min(len(pending), 16384)
			if !c.send(record(recordHandshake, registry.VersionTLS12, pending[:n])) {
				return false
			}
			pending = pending[n:]
		}
		return true
	}
	pending = append(pending, head...)
	for range entries {
		pending = append(pending, filler...)
		if !flush(false) {
			return false
		}
		pending = slices.Clone(pending) // keep the buffer small
	}
	return flush(true)
}

var (
	manyCertsOnce sync.Once
	manyCertsBuf  []byte
	manyCertsErr  error
)

// manyCertsMsg is a Certificate message of manyCertsCount small certificates.
func manyCertsMsg() ([]byte, error) {
	manyCertsOnce.Do(func() {
		der, _, err := fakeECCert()
		if err != nil {
			manyCertsErr = err
			return
		}
		manyCertsBuf = certificateMsg(slices.Repeat([][]byte{der}, manyCertsCount))
	})
	return manyCertsBuf, manyCertsErr
}

// helloRetryRandom is the ServerHello.random that marks a HelloRetryRequest.
var helloRetryRandom = func() []byte {
	h := sha256.Sum256([]byte("HelloRetryRequest"))
	return h[:]
}()

// tls13Suite is the first TLS 1.3 suite the client offered (0x1301 if none).
func tls13Suite(ch *clientHello) uint16 {
	for _, s := range ch.Suites {
		if s>>8 == 0x13 {
			return s
		}
	}
	return 0x1301
}

// hrrLoop answers each ClientHello on the connection with a
// HelloRetryRequest asking for a group the client did not share.
func (h *hostile) hrrLoop(c hconn) {
	for {
		ch, err := c.hello()
		if err != nil {
			return
		}
		group := GroupX25519
		for _, g := range append(slices.Clone(ch.Groups), GroupP256, GroupX25519) {
			if !slices.ContainsFunc(ch.KeyShares, func(k keyShare) bool { return k.Group == g }) {
				group = g
				break
			}
		}
		exts := slices.Concat(extension(extSupportedVersions, []byte{3, 4}),
			extension(extKeyShare, []byte{byte(group >> 8), byte(group)}))
		hrr := serverHelloMsg(registry.VersionTLS12, helloRetryRandom, ch.SessionID, tls13Suite(ch), 0, exts)
		if !c.send(record(recordHandshake, registry.VersionTLS12, hrr)) {
			return
		}
	}
}

// compatCCS sends a TLS 1.3 ServerHello and a compatibility CCS, then stalls.
func (h *hostile) compatCCS(c hconn, ch *clientHello) {
	if !slices.Contains(ch.SupportedVersions, registry.VersionTLS13) {
		writeAlert(c, registry.VersionTLS12, alertProtocolVersion)
		return
	}
	var share []byte
	var group uint16
	for _, ks := range ch.KeyShares {
		if ks.Group == GroupX25519 || ks.Group == GroupP256 || ks.Group == GroupP384 || ks.Group == GroupP521 {
			pub, err := ecdhePublic(ks.Group)
			if err != nil {
				return
			}
			share, group = pub, ks.Group
			break
		}
	}
	if share == nil {
		writeAlert(c, registry.VersionTLS12, alertHandshakeFailure)
		return
	}
	ks := cryptobyte.NewBuilder(nil)
	ks.AddUint16(group)
	ks.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(share) })
	exts := slices.Concat(extension(extSupportedVersions, []byte{3, 4}), extension(extKeyShare, ks.BytesOrPanic()))
	sh := serverHelloMsg(registry.VersionTLS12, randomBytes(32), ch.SessionID, tls13Suite(ch), 0, exts)
	if c.send(slices.Concat(record(recordHandshake, registry.VersionTLS12, sh), record(recordCCS, registry.VersionTLS12, []byte{1}))) {
		c.linger(3 * time.Second)
	}
}
