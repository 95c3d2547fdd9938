package tlstest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/cryptobyte"
)

// Hostile behaviours served next to a valid crypto/tls server: the hostile
// part answers some hellos, crypto/tls the others, so an audit sees working
// protocols beside the broken one.
//
//   - HostileSameNameChain: a crypto/tls TLS 1.2/1.3 server whose chain is
//     the leaf and SameNameChainLength CA certificates that all carry the
//     same subject, each issued by the next under its own key (about 230 KB,
//     under the 256 KiB cap of a Certificate message).
//   - HostileMegaCertificate: TLS 1.3 by crypto/tls; a hello without TLS 1.3
//     gets a ServerHello and a Certificate message of more than 1 MB.
//   - HostileHelloRequestFlood: answers each hello with HelloRequest
//     messages (256 KiB of them), a ServerHello, then HelloRequests until
//     4 MiB are sent or the client goes away.
//   - HostileZeroKeyShare: TLS 1.2 by crypto/tls; a hello offering TLS 1.3
//     gets a TLS 1.3 ServerHello whose x25519 key share is all zeros (the
//     low-order point), then records of random bytes.
//   - HostileControlChars: a crypto/tls TLS 1.2/1.3 server (certificate from
//     SharedPKI, so it can be trusted) whose leaf has ControlCharsSubject as
//     its common name and ControlCharsSAN among its DNS names, and whose
//     HTTP answer carries ControlCharsHeader in the Server and
//     Strict-Transport-Security headers.

const (
	// SameNameChainLength is the number of same-subject CA certificates
	// HostileSameNameChain sends after its leaf.
	SameNameChainLength = 600
	// SameNameChainSubject is their common name.
	SameNameChainSubject = "tlsaudit hostile same-name CA"
	// ControlCharsSubject sets the window title, rings the bell, clears the
	// screen, paints in red and forges a report line.
	ControlCharsSubject = "\x1b]0;PWNED\a\x1b[2J\x1b[31mRED\x1b[0m\r\nFAKE: Grade A"
	// ControlCharsSAN makes the rest of a terminal line blink.
	ControlCharsSAN = "\x1b[5mblink"
	// ControlCharsHeader is the value of the hostile HTTP headers.
	ControlCharsHeader = "nginx\x1b[2J\x1b]0;PWNED\a"

	megaCertificateEntries = 16          // 16 × 64 KiB fillers: a 1 MB Certificate message
	floodBefore            = 256 << 10   // HelloRequest bytes before the ServerHello
	floodTotal             = 4 << 20     // HelloRequest bytes in all
	helloRequestRecord     = 16384       // payload of each flood record
	zeroShareGarbage       = 4096        // random bytes after the zero key share
	hostileMoreLife        = time.Minute // bound of every connection
)

// newHostileMore starts the servers of the kinds of this file.
func newHostileMore(kind HostileKind) (*Server, error) {
	switch kind {
	case HostileSameNameChain:
		ch, err := sameNameChain()
		if err != nil {
			return nil, err
		}
		return NewGoServer(&tls.Config{Certificates: []tls.Certificate{ch}})
	case HostileControlChars:
		pki, err := SharedPKI()
		if err != nil {
			return nil, err
		}
		l, err := pki.IssueLeaf(LeafOptions{CommonName: ControlCharsSubject, DNSNames: []string{DefaultName, ControlCharsSAN}, KeyType: KeyECDSAP256})
		if err != nil {
			return nil, err
		}
		srv, err := NewGoServer(&tls.Config{Certificates: []tls.Certificate{l.TLSCertificate()}},
			GoHeader("Server", ControlCharsHeader), GoHeader("Strict-Transport-Security", "max-age=63072000; "+ControlCharsHeader))
		if srv != nil {
			srv.PKI = pki
		}
		return srv, err
	}
	pki, err := SharedPKI()
	if err != nil {
		return nil, err
	}
	// ECDSA: its handshakes cost a fraction of RSA-2048's (tests run with
	// -race next to each other).
	leaf, err := pki.IssueLeaf(LeafOptions{KeyType: KeyECDSAP256})
	if err != nil {
		return nil, err
	}
	goCfg := &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}}
	// hostileFor says whether a hello gets the hostile answer.
	var hostileFor func(*clientHello) bool
	var answer func(hconn, *clientHello)
	switch kind {
	case HostileMegaCertificate:
		goCfg.MinVersion = tls.VersionTLS13
		hostileFor = func(ch *clientHello) bool { return !slices.Contains(ch.SupportedVersions, registry.VersionTLS13) }
		answer = func(c hconn, ch *clientHello) {
			if c.send(plausibleServerHello(ch)) && streamChain(c, leaf.DER, megaCertificateEntries) {
				c.send(record(recordHandshake, registry.VersionTLS12, handshakeMsg(hsServerHelloDone, nil)))
				c.linger(2 * time.Second)
			}
		}
	case HostileHelloRequestFlood:
		hostileFor = func(*clientHello) bool { return true }
		answer = helloRequestFlood
	case HostileZeroKeyShare:
		goCfg.MaxVersion = tls.VersionTLS12
		hostileFor = func(ch *clientHello) bool { return slices.Contains(ch.SupportedVersions, registry.VersionTLS13) }
		answer = zeroKeyShare
	default:
		return nil, errUnknownKind(kind)
	}
	resp := goResponse(nil)
	loop, err := startLoop(func(nc net.Conn, done <-chan struct{}) {
		nc.SetDeadline(time.Now().Add(hostileMoreLife))
		var seen bytes.Buffer
		nc.SetReadDeadline(time.Now().Add(hostileHelloTimeout))
		ch, err := readClientHello(io.TeeReader(nc, &seen), maxClientHello)
		nc.SetReadDeadline(time.Now().Add(hostileMoreLife))
		if err != nil {
			return
		}
		if hostileFor(ch) {
			answer(hconn{nc, done}, ch)
			return
		}
		serveGoConn(&replayConn{Conn: nc, r: io.MultiReader(bytes.NewReader(seen.Bytes()), nc)}, goCfg, resp)
	})
	if err != nil {
		return nil, err
	}
	srv := loop.server()
	srv.Name, srv.PKI = DefaultName, pki
	srv.CertDER, srv.Chain, srv.Chains = leaf.DER, leaf.ChainDER, [][][]byte{leaf.ChainDER}
	return srv, nil
}

type errUnknownKind HostileKind

func (e errUnknownKind) Error() string {
	return "tlstest: unknown hostile kind " + HostileKind(e).String()
}

// helloRequestFlood sends HelloRequests around a ServerHello.
func helloRequestFlood(c hconn, ch *clientHello) {
	payload := slices.Repeat(handshakeMsg(typeHelloRequest, nil), helloRequestRecord/4)
	rec := record(recordHandshake, registry.VersionTLS12, payload)
	sent := 0
	for sent < floodBefore {
		if !c.send(rec) {
			return
		}
		sent += len(payload)
	}
	if !c.send(plausibleServerHello(ch)) {
		return
	}
	for sent < floodTotal {
		if !c.send(rec) {
			return
		}
		sent += len(payload)
	}
	c.linger(2 * time.Second)
}

// typeHelloRequest is the HelloRequest handshake type (RFC 5246 7.4.1.1).
const typeHelloRequest = 0

// zeroKeyShare answers a TLS 1.3 hello with an all-zero x25519 share, then
// random bytes in application_data records.
func zeroKeyShare(c hconn, ch *clientHello) {
	ks := cryptobyte.NewBuilder(nil)
	ks.AddUint16(GroupX25519)
	ks.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
	exts := slices.Concat(extension(extSupportedVersions, []byte{3, 4}), extension(extKeyShare, ks.BytesOrPanic()))
	sh := serverHelloMsg(registry.VersionTLS12, randomBytes(32), ch.SessionID, tls13Suite(ch), 0, exts)
	if c.send(slices.Concat(record(recordHandshake, registry.VersionTLS12, sh),
		record(recordAppData, registry.VersionTLS12, randomBytes(zeroShareGarbage)))) {
		c.linger(2 * time.Second)
	}
}

var (
	sameNameOnce sync.Once
	sameNameCert tls.Certificate
	sameNameErr  error
)

// SameNameChain returns the chain HostileSameNameChain serves (leaf first).
func SameNameChain() ([][]byte, error) {
	c, err := sameNameChain()
	return c.Certificate, err
}

// sameNameChain is the leaf (for DefaultName) and SameNameChainLength CA
// certificates of one subject: the leaf is issued by the first, each CA by
// the next, the last signs itself. Built once per process.
func sameNameChain() (tls.Certificate, error) {
	sameNameOnce.Do(func() { sameNameCert, sameNameErr = buildSameNameChain() })
	return sameNameCert, sameNameErr
}

func buildSameNameChain() (tls.Certificate, error) {
	now := time.Now()
	name := pkix.Name{CommonName: SameNameChainSubject}
	keys := make([]*ecdsa.PrivateKey, SameNameChainLength+1) // keys[0]: the leaf
	for i := range keys {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, err
		}
		keys[i] = k
	}
	tmpl := func(i int) *x509.Certificate {
		t := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 1)),
			Subject:      name,
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.AddDate(0, 0, 90),
			// One key identifier for all: nothing but a signature check
			// tells the issuers apart.
			SubjectKeyId:          []byte("same-name"),
			BasicConstraintsValid: true,
			IsCA:                  true,
			KeyUsage:              x509.KeyUsageCertSign,
		}
		if i == 0 {
			t.Subject = pkix.Name{CommonName: DefaultName}
			t.DNSNames = []string{DefaultName}
			t.IsCA, t.KeyUsage = false, x509.KeyUsageDigitalSignature
			t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		}
		return t
	}
	// Sign from the top: the certificate i is issued by i+1.
	chain := make([][]byte, SameNameChainLength+1)
	var parent *x509.Certificate
	for i := SameNameChainLength; i >= 0; i-- {
		t := tmpl(i)
		p, pk := parent, crypto.Signer(keys[min(i+1, SameNameChainLength)])
		if i == SameNameChainLength {
			p, pk = t, keys[i]
		}
		der, err := x509.CreateCertificate(rand.Reader, t, p, keys[i].Public(), pk)
		if err != nil {
			return tls.Certificate{}, err
		}
		if parent, err = x509.ParseCertificate(der); err != nil {
			return tls.Certificate{}, err
		}
		chain[i] = der
	}
	return tls.Certificate{Certificate: chain, PrivateKey: keys[0]}, nil
}

// NewHostileServerT is NewHostileServer for tests: it fails t on error and
// closes the server in t.Cleanup.
func NewHostileServerT(t testing.TB, kind HostileKind) *Server {
	t.Helper()
	srv, err := NewHostileServer(kind)
	return cleanupT(t, "NewHostileServer", srv, err)
}
