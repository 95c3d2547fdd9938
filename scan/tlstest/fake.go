package tlstest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// SSLv2CipherList says which cipher kinds an SSLv2 fake server lists in its
// SERVER-HELLO.
type SSLv2CipherList int

const (
	// SSLv2ListCommon lists the configured kinds the client also offered.
	SSLv2ListCommon SSLv2CipherList = iota
	// SSLv2ListAll lists every configured kind whatever the client offered.
	SSLv2ListAll
	// SSLv2ListNone lists no cipher at all but still answers, like OpenSSL
	// servers hit by CVE-2015-3197 with all SSLv2 ciphers disabled.
	SSLv2ListNone
)

// FakeConfig scripts a legacy TLS/SSL server. The zero value of every field
// but Versions and Suites/SSLv2Kinds is a sensible default.
type FakeConfig struct {
	// Versions accepted: registry.VersionSSL2, registry.VersionSSL3, registry.VersionTLS10..VersionTLS12
	// (TLS 1.3 is not supported by the scripted server).
	Versions []uint16
	// Suites accepted per version (TLS 16-bit IDs), in the server's
	// preference order.
	Suites map[uint16][]uint16
	// SSLv2Kinds are the SSLv2 cipher kinds (24-bit), in preference order.
	SSLv2Kinds []uint32
	// SSLv2List chooses what the SSLv2 SERVER-HELLO lists.
	SSLv2List SSLv2CipherList

	// ServerOrder: pick the first of the server's suites the client offered;
	// otherwise the first of the client's suites the server accepts.
	ServerOrder bool
	// Groups for ECDHE suites in the server's preference order; nil means
	// x25519, P-256, P-384. Real key shares are made for x25519 and P-256/384/521,
	// random bytes of a plausible length for other groups.
	Groups []uint16
	// GroupServerOrder: pick the group by the server's order, else the client's.
	GroupServerOrder bool
	// DHPrime and DHGenerator for DHE and anonymous DH suites; nil means
	// DHPrime1024(), 0 means 2.
	DHPrime     *big.Int
	DHGenerator int64
	// DHExportPrime for DHE_EXPORT suites; nil means DHPrime512().
	DHExportPrime *big.Int

	// Chain is the certificate chain, leaf first (DER), and Key the leaf's
	// private key (RSA or ECDSA), used to sign ServerKeyExchange. Nil means
	// a self-signed RSA-2048 certificate for FakeCertName.
	Chain [][]byte
	Key   crypto.Signer
	// Name is the DNS name the certificate is for (reported in Server.Name).
	Name string

	// Compression: answer with DEFLATE (1) when the client offers it.
	Compression bool
	// NoRenegotiationInfo: never send renegotiation_info (an insecure
	// renegotiation server).
	NoRenegotiationInfo bool
	// IntolerantAbove, when non-zero, closes the connection without an answer
	// if client_version is above it (version intolerance), e.g. registry.VersionTLS12.
	IntolerantAbove uint16
	// MaxHelloLen, when non-zero, closes the connection without an answer if
	// the ClientHello message is longer than this many bytes.
	MaxHelloLen int
	// MaxSuites, when non-zero, answers handshake_failure if the client
	// offers more than this many suites.
	MaxSuites int
	// FallbackSCSV: answer inappropriate_fallback (86) to TLS_FALLBACK_SCSV
	// when the client's version is below the server's highest.
	FallbackSCSV bool

	// Timeout bounds each connection; 0 means 10 s.
	Timeout time.Duration
}

// recordMode says how a flight of handshake messages is cut into records.
type recordMode int

const (
	recordsPerMessage recordMode = iota // one record per message (split at 16 KiB)
	recordsCoalesced                    // as few records as possible
	recordsFragmented                   // 1..10-byte records
)

// TLS alert descriptions sent by the fake servers.
const (
	alertHandshakeFailure     = 40
	alertProtocolVersion      = 70
	alertInappropriateFallbck = 86
)

// fakeEngine is a running scripted server.
type fakeEngine struct {
	cfg     FakeConfig
	mode    recordMode
	chain   [][]byte
	key     crypto.Signer
	timeout time.Duration

	// clientKeyExchanges counts connections on which the client answered
	// the flight with a ClientKeyExchange, i.e. accepted every message.
	clientKeyExchanges atomic.Int64
	// clientMasterKeys counts SSLv2 connections answered with CLIENT-MASTER-KEY.
	clientMasterKeys atomic.Int64
}

// maxClientHello caps the hello a fake server reads (the TLS maximum
// handshake size a real server would accept is larger, but no scanner sends more).
const maxClientHello = 1 << 16

// NewFakeServer starts a scripted legacy server on 127.0.0.1.
func NewFakeServer(cfg FakeConfig) (*Server, error) {
	e, err := newFakeEngine(cfg, recordsPerMessage)
	if err != nil {
		return nil, err
	}
	return e.start()
}

func newFakeEngine(cfg FakeConfig, mode recordMode) (*fakeEngine, error) {
	if len(cfg.Versions) == 0 {
		return nil, errors.New("tlstest: FakeConfig has no Versions")
	}
	for _, v := range cfg.Versions {
		switch v {
		case registry.VersionSSL2:
			if len(cfg.SSLv2Kinds) == 0 && cfg.SSLv2List != SSLv2ListNone {
				return nil, errors.New("tlstest: SSLv2 enabled without SSLv2Kinds")
			}
		case registry.VersionSSL3, registry.VersionTLS10, registry.VersionTLS11, registry.VersionTLS12:
			if len(cfg.Suites[v]) == 0 {
				return nil, fmt.Errorf("tlstest: no suites for version 0x%04x", v)
			}
		default:
			return nil, fmt.Errorf("tlstest: fake server cannot speak version 0x%04x", v)
		}
	}
	e := &fakeEngine{cfg: cfg, mode: mode, chain: cfg.Chain, key: cfg.Key, timeout: cfg.Timeout}
	if e.timeout <= 0 {
		e.timeout = 10 * time.Second
	}
	if len(e.chain) == 0 {
		der, key, err := fakeCert()
		if err != nil {
			return nil, err
		}
		e.chain, e.key = [][]byte{der}, key
	}
	if e.key == nil {
		return nil, errors.New("tlstest: FakeConfig.Chain without Key")
	}
	if e.cfg.Groups == nil {
		e.cfg.Groups = []uint16{GroupX25519, GroupP256, GroupP384}
	}
	if e.cfg.DHPrime == nil {
		e.cfg.DHPrime = DHPrime1024()
	}
	if e.cfg.DHGenerator == 0 {
		e.cfg.DHGenerator = 2
	}
	if e.cfg.DHExportPrime == nil {
		e.cfg.DHExportPrime = DHPrime512()
	}
	return e, nil
}

func (e *fakeEngine) start() (*Server, error) {
	l, err := startLoop(e.handle)
	if err != nil {
		return nil, err
	}
	l.state = e
	s := l.server()
	s.Name = e.cfg.Name
	if s.Name == "" {
		s.Name = FakeCertName
	}
	s.CertDER = e.chain[0]
	s.Chain = e.chain
	return s, nil
}

func (e *fakeEngine) supports(v uint16) bool { return slices.Contains(e.cfg.Versions, v) }

// tlsVersions returns the configured SSLv3/TLS versions, ascending.
func (e *fakeEngine) tlsVersions() []uint16 {
	var vs []uint16
	for _, v := range e.cfg.Versions {
		if v >= registry.VersionSSL3 {
			vs = append(vs, v)
		}
	}
	slices.Sort(vs)
	return vs
}

func (e *fakeEngine) handle(c net.Conn, done <-chan struct{}) {
	c.SetDeadline(time.Now().Add(e.timeout))
	ch, err := readClientHello(c, maxClientHello)
	if err != nil {
		return
	}
	if e.cfg.MaxHelloLen > 0 && ch.Len > e.cfg.MaxHelloLen {
		return // intolerant: just close
	}
	if ch.V2 {
		tlsOK := ch.Version >= registry.VersionSSL3 && len(e.tlsVersions()) > 0
		if !tlsOK {
			if e.supports(registry.VersionSSL2) {
				e.answerSSLv2(c, ch)
			}
			return // a server without SSLv2 closes
		}
	}
	e.answerTLS(c, ch)
}

func (e *fakeEngine) answerTLS(c net.Conn, ch *clientHello) {
	if e.cfg.IntolerantAbove != 0 && ch.Version > e.cfg.IntolerantAbove {
		return
	}
	vs := e.tlsVersions()
	if len(vs) == 0 {
		return
	}
	minV, maxV := vs[0], vs[len(vs)-1]
	var v uint16
	for _, cand := range vs {
		if cand <= ch.Version {
			v = cand
		}
	}
	if v == 0 {
		if maxV == registry.VersionSSL3 {
			writeAlert(c, minV, alertHandshakeFailure)
		} else {
			writeAlert(c, minV, alertProtocolVersion)
		}
		return
	}
	if e.cfg.MaxSuites > 0 && len(ch.Suites) > e.cfg.MaxSuites {
		writeAlert(c, v, alertHandshakeFailure)
		return
	}
	if e.cfg.FallbackSCSV && ch.hasSuite(suiteFallbackSCSV) && ch.Version < maxV {
		writeAlert(c, v, alertInappropriateFallbck)
		return
	}
	suite, group, ok := e.chooseSuite(v, ch)
	if !ok {
		writeAlert(c, v, alertHandshakeFailure)
		return
	}
	flight, err := e.flight(v, suite, group, ch)
	if err != nil {
		return
	}
	if _, err := c.Write(e.records(v, flight)); err != nil {
		return
	}
	e.awaitClient(c, func(typ uint8, payload []byte) {
		if typ == recordHandshake && len(payload) > 0 && payload[0] == hsClientKeyExchange {
			e.clientKeyExchanges.Add(1)
		}
	})
}

// awaitClient waits briefly for the client's next record, reports it to
// first, then drains what follows until EOF or the short deadline.
func (e *fakeEngine) awaitClient(c net.Conn, first func(typ uint8, payload []byte)) {
	wait := time.Now().Add(2 * time.Second)
	c.SetReadDeadline(wait)
	typ, _, payload, err := readRecord(c)
	if err != nil {
		return
	}
	first(typ, payload)
	// The rest of the client's flight follows at once; don't linger.
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	drain(c, 1<<16)
}

// drain reads and discards at most limit bytes until an error (EOF, deadline).
func drain(c net.Conn, limit int) {
	buf := make([]byte, 4096)
	for n := 0; n < limit; {
		k, err := c.Read(buf)
		n += k
		if err != nil {
			return
		}
	}
}

// chooseSuite picks the suite (and ECDHE group) for version v.
func (e *fakeEngine) chooseSuite(v uint16, ch *clientHello) (suite, group uint16, ok bool) {
	server := e.cfg.Suites[v]
	var candidates []uint16
	if e.cfg.ServerOrder {
		for _, s := range server {
			if ch.hasSuite(s) {
				candidates = append(candidates, s)
			}
		}
	} else {
		for _, s := range ch.Suites {
			if slices.Contains(server, s) {
				candidates = append(candidates, s)
			}
		}
	}
	for _, s := range candidates {
		if !e.authOK(s) {
			continue
		}
		if suiteKex(s) == kexECDHE {
			g, ok := e.chooseGroup(ch)
			if !ok {
				continue
			}
			return s, g, true
		}
		return s, 0, true
	}
	return 0, 0, false
}

// authOK tells whether the certificate key can serve suite s.
func (e *fakeEngine) authOK(s uint16) bool {
	_, isEC := e.key.(*ecdsa.PrivateKey)
	switch suiteAuth(s) {
	case "anon":
		return suiteKex(s) == kexDHAnon
	case "ECDSA":
		return isEC && suiteKex(s) == kexECDHE
	case "RSA":
		return !isEC && suiteKex(s) != kexUnsupported
	}
	return false
}

func (e *fakeEngine) chooseGroup(ch *clientHello) (uint16, bool) {
	if !ch.hasExtension(extSupportedGroups) {
		return e.cfg.Groups[0], len(e.cfg.Groups) > 0 // RFC 4492: any curve
	}
	if e.cfg.GroupServerOrder {
		for _, g := range e.cfg.Groups {
			if slices.Contains(ch.Groups, g) {
				return g, true
			}
		}
		return 0, false
	}
	for _, g := range ch.Groups {
		if slices.Contains(e.cfg.Groups, g) {
			return g, true
		}
	}
	return 0, false
}

// rsaKeyBits returns the RSA modulus size of the certificate key, 0 if not RSA.
func (e *fakeEngine) rsaKeyBits() int {
	if k, ok := e.key.(*rsa.PrivateKey); ok {
		return k.N.BitLen()
	}
	return 0
}
