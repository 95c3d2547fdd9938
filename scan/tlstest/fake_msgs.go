package tlstest

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// handshakeMsg frames a handshake message body with its 4-byte header.
func handshakeMsg(typ uint8, body []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(typ)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(body) })
	return b.BytesOrPanic()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// serverHelloMsg builds a ServerHello. exts is the concatenated extension
// list; nil omits the extensions block entirely (as SSLv3 servers do).
func serverHelloMsg(v uint16, random, sid []byte, suite uint16, comp uint8, exts []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint16(v)
	b.AddBytes(random)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sid) })
	b.AddUint16(suite)
	b.AddUint8(comp)
	if exts != nil {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(exts) })
	}
	return handshakeMsg(hsServerHello, b.BytesOrPanic())
}

// extension encodes one extension.
func extension(typ uint16, data []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint16(typ)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(data) })
	return b.BytesOrPanic()
}

func certificateMsg(chain [][]byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, c := range chain {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c) })
		}
	})
	return handshakeMsg(hsCertificate, b.BytesOrPanic())
}

// record frames payload as one TLS record (payload must be ≤ 16 KiB).
func record(typ uint8, v uint16, payload []byte) []byte {
	out := make([]byte, 0, 5+len(payload))
	out = append(out, typ, byte(v>>8), byte(v), byte(len(payload)>>8), byte(len(payload)))
	return append(out, payload...)
}

// splitRecords cuts data into records of chunk(remaining) bytes each.
func splitRecords(typ uint8, v uint16, data []byte, chunk func(int) int) []byte {
	var out []byte
	for len(data) > 0 {
		n := min(chunk(len(data)), len(data))
		out = append(out, record(typ, v, data[:n])...)
		data = data[n:]
	}
	return out
}

func maxChunk(int) int { return 16384 }

// records cuts a flight of handshake messages into records by e.mode.
func (e *fakeEngine) records(v uint16, flight [][]byte) []byte {
	switch e.mode {
	case recordsCoalesced:
		return splitRecords(recordHandshake, v, slices.Concat(flight...), maxChunk)
	case recordsFragmented:
		var out []byte
		for _, m := range flight {
			out = append(out, splitRecords(recordHandshake, v, m, func(int) int { return 1 + mrand.IntN(10) })...)
		}
		return out
	}
	var out []byte
	for _, m := range flight {
		out = append(out, splitRecords(recordHandshake, v, m, maxChunk)...)
	}
	return out
}

// writeAlert sends a fatal alert, ignoring errors.
func writeAlert(c net.Conn, v uint16, desc uint8) {
	c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	c.Write(record(recordAlert, v, []byte{2, desc}))
}

// flight builds ServerHello..ServerHelloDone for the chosen parameters.
func (e *fakeEngine) flight(v, suite, group uint16, ch *clientHello) ([][]byte, error) {
	kex := suiteKex(suite)
	var exts []byte
	if ch.RenegInfo && !e.cfg.NoRenegotiationInfo {
		exts = append(exts, extension(extRenegotiationInfo, []byte{0})...)
	}
	if kex == kexECDHE && ch.hasExtension(extECPointFormats) {
		exts = append(exts, extension(extECPointFormats, []byte{1, 0})...)
	}
	var comp uint8
	if e.cfg.Compression && slices.Contains(ch.Compression, 1) {
		comp = 1
	}
	sr := randomBytes(32)
	msgs := [][]byte{serverHelloMsg(v, sr, randomBytes(32), suite, comp, exts)}
	if kex != kexDHAnon {
		msgs = append(msgs, certificateMsg(e.chain))
	}
	ske, err := e.serverKeyExchange(v, kex, group, ch, sr)
	if err != nil {
		return nil, err
	}
	if ske != nil {
		msgs = append(msgs, handshakeMsg(hsServerKeyExchange, ske))
	}
	return append(msgs, handshakeMsg(hsServerHelloDone, nil)), nil
}

// serverKeyExchange returns the ServerKeyExchange body, nil if the suite
// has none.
func (e *fakeEngine) serverKeyExchange(v uint16, kex kexKind, group uint16, ch *clientHello, sr []byte) ([]byte, error) {
	b := cryptobyte.NewBuilder(nil)
	addInt := func(n *big.Int) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(n.Bytes()) })
	}
	switch kex {
	case kexRSA:
		return nil, nil
	case kexRSAExport:
		if e.rsaKeyBits() <= 512 {
			return nil, nil // the certificate key itself is export-grade
		}
		addInt(exportRSAModulus())
		addInt(big.NewInt(65537))
	case kexECDHE:
		pub, err := ecdhePublic(group)
		if err != nil {
			return nil, err
		}
		b.AddUint8(3) // named_curve
		b.AddUint16(group)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(pub) })
	default: // DHE, DHE_EXPORT, DH_anon
		p := e.cfg.DHPrime
		if kex == kexDHEExport {
			p = e.cfg.DHExportPrime
		}
		g := big.NewInt(e.cfg.DHGenerator)
		x, err := rand.Int(rand.Reader, p)
		if err != nil {
			return nil, err
		}
		addInt(p)
		addInt(g)
		addInt(new(big.Int).Exp(g, x.Add(x, big.NewInt(2)), p))
	}
	params := b.BytesOrPanic()
	if kex == kexDHAnon {
		return params, nil
	}
	sig, err := e.signParams(v, ch, sr, params)
	if err != nil {
		return nil, err
	}
	return append(params, sig...), nil
}

// ecdhePublic returns a fresh public key for group: a real one for x25519 and
// the NIST curves, random bytes of the right length otherwise.
func ecdhePublic(group uint16) ([]byte, error) {
	var curve ecdh.Curve
	switch group {
	case GroupX25519:
		curve = ecdh.X25519()
	case GroupP256:
		curve = ecdh.P256()
	case GroupP384:
		curve = ecdh.P384()
	case GroupP521:
		curve = ecdh.P521()
	case 30: // x448
		return randomBytes(56), nil
	default:
		return append([]byte{4}, randomBytes(64)...), nil
	}
	k, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return k.PublicKey().Bytes(), nil
}

// signParams signs client_random + server_random + params as TLS 1.2
// (with a SignatureAndHashAlgorithm prefix) or SSLv3..TLS 1.1 would.
func (e *fakeEngine) signParams(v uint16, ch *clientHello, sr, params []byte) ([]byte, error) {
	signed := slices.Concat(ch.Random, sr, params)
	b := cryptobyte.NewBuilder(nil)
	var sig []byte
	var err error
	_, isEC := e.key.(*ecdsa.PrivateKey)
	offered := func(a uint16) bool { return len(ch.SigAlgs) == 0 || slices.Contains(ch.SigAlgs, a) }
	switch {
	case v < registry.VersionTLS12 && isEC:
		h := sha1.Sum(signed)
		sig, err = e.key.Sign(rand.Reader, h[:], crypto.SHA1)
	case v < registry.VersionTLS12:
		m, s := md5.Sum(signed), sha1.Sum(signed)
		sig, err = e.key.Sign(rand.Reader, slices.Concat(m[:], s[:]), crypto.MD5SHA1)
	case isEC:
		h := sha256.Sum256(signed)
		b.AddUint16(0x0403) // ecdsa_secp256r1_sha256
		sig, err = e.key.Sign(rand.Reader, h[:], crypto.SHA256)
	case offered(0x0401):
		h := sha256.Sum256(signed)
		b.AddUint16(0x0401) // rsa_pkcs1_sha256
		sig, err = e.key.Sign(rand.Reader, h[:], crypto.SHA256)
	case offered(0x0804):
		h := sha256.Sum256(signed)
		b.AddUint16(0x0804) // rsa_pss_rsae_sha256
		sig, err = e.key.Sign(rand.Reader, h[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
	default:
		h := sha1.Sum(signed)
		b.AddUint16(0x0201) // rsa_pkcs1_sha1
		sig, err = e.key.Sign(rand.Reader, h[:], crypto.SHA1)
	}
	if err != nil {
		return nil, err
	}
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sig) })
	return b.BytesOrPanic(), nil
}

// answerSSLv2 sends an SSLv2 SERVER-HELLO and waits for CLIENT-MASTER-KEY.
func (e *fakeEngine) answerSSLv2(c net.Conn, ch *clientHello) {
	var kinds []uint32
	switch e.cfg.SSLv2List {
	case SSLv2ListAll:
		kinds = e.cfg.SSLv2Kinds
	case SSLv2ListCommon:
		for _, k := range e.cfg.SSLv2Kinds {
			if slices.Contains(ch.V2Kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	hello, err := sslv2ServerHello(e.chain[0], kinds, randomBytes(16))
	if err != nil {
		return
	}
	if _, err := c.Write(hello); err != nil {
		return
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	var hdr [3]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return
	}
	if hdr[0]&0x80 != 0 && hdr[2] == 2 { // SSL_MT_CLIENT_MASTER_KEY
		e.clientMasterKeys.Add(1)
	}
	drain(c, 1<<16)
}

// sslv2ServerHello encodes an SSLv2 SERVER-HELLO record (two-byte header):
// msg type 4, session-id-hit 0, certificate type 1 (X.509), version 0x0002,
// certificate length, cipher-specs length, connection-id length, then the
// certificate, cipher specs and connection id.
func sslv2ServerHello(cert []byte, kinds []uint32, connID []byte) ([]byte, error) {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(4)
	b.AddUint8(0)
	b.AddUint8(1)
	b.AddUint16(registry.VersionSSL2)
	b.AddUint16(uint16(len(cert)))
	b.AddUint16(uint16(3 * len(kinds)))
	b.AddUint16(uint16(len(connID)))
	b.AddBytes(cert)
	for _, k := range kinds {
		b.AddUint24(k)
	}
	b.AddBytes(connID)
	msg := b.BytesOrPanic()
	if len(msg) > 0x7fff {
		return nil, errors.New("tlstest: SSLv2 SERVER-HELLO longer than 32767 bytes")
	}
	return append([]byte{0x80 | byte(len(msg)>>8), byte(len(msg))}, msg...), nil
}
