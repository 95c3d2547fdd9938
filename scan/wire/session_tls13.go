package wire

import (
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"errors"
	"fmt"
	"hash"
	"io"

	"golang.org/x/crypto/cryptobyte"
)

// TLS13Ticket is a decoded TLS 1.3 NewSessionTicket (RFC 8446 4.6.1).
type TLS13Ticket struct {
	Lifetime uint32
	AgeAdd   uint32
	Nonce    []byte
	Ticket   []byte
	// EarlyData: the ticket carries the early_data extension, allowing up
	// to MaxEarlyDataSize bytes of 0-RTT data.
	EarlyData        bool
	MaxEarlyDataSize uint32
}

// ParseTLS13Ticket decodes a NewSessionTicket body.
func ParseTLS13Ticket(body []byte) (*TLS13Ticket, error) {
	const m = "new_session_ticket"
	t := &TLS13Ticket{}
	s := cryptobyte.String(body)
	var nonce, ticket cryptobyte.String
	if !s.ReadUint32(&t.Lifetime) || !s.ReadUint32(&t.AgeAdd) ||
		!s.ReadUint8LengthPrefixed(&nonce) || !s.ReadUint16LengthPrefixed(&ticket) || ticket.Empty() {
		return nil, decodeErr(m, "truncated or malformed")
	}
	t.Nonce, t.Ticket = bytes.Clone(nonce), bytes.Clone(ticket)
	if s.Empty() {
		return nil, decodeErr(m, "missing extensions block")
	}
	exts, err := parseExtensionBlock(m, s)
	if err != nil {
		return nil, err
	}
	for _, e := range exts {
		if e.Type == ExtEarlyData {
			d := cryptobyte.String(e.Data)
			if !d.ReadUint32(&t.MaxEarlyDataSize) || !d.Empty() {
				return nil, decodeErr(m, "malformed early_data extension")
			}
			t.EarlyData = true
		}
	}
	return t, nil
}

func hmacSum(h func() hash.Hash, key, data []byte) []byte {
	m := hmac.New(h, key)
	m.Write(data)
	return m.Sum(nil)
}

// tls13Traffic protects records in one direction with a traffic secret.
type tls13Traffic struct {
	aead cipher.AEAD
	iv   []byte
	seq  uint64
}

func newTLS13Traffic(suite uint16, secret []byte) (*tls13Traffic, error) {
	newHash, keyLen, newAEAD, err := suiteParams(suite)
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(expandLabel(newHash, secret, "key", nil, keyLen))
	if err != nil {
		return nil, err
	}
	return &tls13Traffic{aead: aead, iv: expandLabel(newHash, secret, "iv", nil, 12)}, nil
}

func (t *tls13Traffic) nonce() []byte {
	n := bytes.Clone(t.iv)
	for i := 0; i < 8; i++ {
		n[len(n)-1-i] ^= byte(t.seq >> (8 * i))
	}
	t.seq++
	return n
}

func (t *tls13Traffic) seal(typ uint8, content []byte) []byte {
	inner := append(bytes.Clone(content), typ)
	n := len(inner) + t.aead.Overhead()
	hdr := []byte{RecordApplicationData, 3, 3, byte(n >> 8), byte(n)}
	return t.aead.Seal(hdr, t.nonce(), inner, hdr)
}

func (t *tls13Traffic) open(rec Record) (uint8, []byte, error) {
	if len(rec.Payload) < t.aead.Overhead()+1 || len(rec.Payload) > MaxPlaintext+256 {
		return 0, nil, decodeErr("record", "encrypted record of %d bytes", len(rec.Payload))
	}
	hdr := []byte{rec.Type, byte(rec.Version >> 8), byte(rec.Version), byte(len(rec.Payload) >> 8), byte(len(rec.Payload))}
	plain, err := t.aead.Open(nil, t.nonce(), rec.Payload, hdr)
	if err != nil {
		return 0, nil, ErrBadRecordMAC
	}
	return innerPlaintext(plain)
}

// FinishTLS13 completes a TLS 1.3 handshake whose server flight f was read
// through the server Finished by Exchange (StopAfterFinished) on rw: it
// sends the client Finished and returns a reader of the server's
// post-handshake messages (application traffic keys).
func FinishTLS13(rw io.ReadWriter, f *Flight, privs []*KeySharePrivate) (*TLS13Session, error) {
	if f == nil || !f.Finished || f.ServerHello == nil || f.ServerHello.KeyShare == nil {
		return nil, errors.New("wire: FinishTLS13 needs a flight read through the server Finished")
	}
	sh := f.ServerHello
	priv := keySharePriv(privs, sh.KeyShare.Group)
	if priv == nil {
		return nil, ErrNoDecryptionKey
	}
	shared, err := priv.SharedSecret(sh.KeyShare.Data)
	if err != nil {
		return nil, err
	}
	newHash, _, _, err := suiteParams(sh.CipherSuite)
	if err != nil {
		return nil, err
	}
	hs, master, err := tls13Secrets(newHash, shared)
	if err != nil {
		return nil, err
	}
	th := transcriptHash(newHash, f.Transcript[:indexOfServerHello(f.Transcript)+1])
	cHS := expandLabel(newHash, hs, "c hs traffic", th, newHash().Size())
	thFin := transcriptHash(newHash, f.Transcript)
	sAP := expandLabel(newHash, master, "s ap traffic", thFin, newHash().Size())

	// Client Finished (RFC 8446 4.4.4) under the client handshake keys.
	fk := expandLabel(newHash, cHS, "finished", nil, newHash().Size())
	mac := hmacSum(newHash, fk, thFin)
	out, err := newTLS13Traffic(sh.CipherSuite, cHS)
	if err != nil {
		return nil, err
	}
	fin := handshakeMessage(TypeFinished, mac)
	rec := append([]byte{RecordChangeCipherSpec, 3, 3, 0, 1, 1}, out.seal(RecordHandshake, fin)...)
	if _, err := rw.Write(rec); err != nil {
		return nil, fmt.Errorf("wire: sending the client Finished: %w", err)
	}
	in, err := newTLS13Traffic(sh.CipherSuite, sAP)
	if err != nil {
		return nil, err
	}
	// resumption_master_secret (RFC 8446 7.1): ClientHello..client Finished.
	resTH := transcriptHash(newHash, append(append([][]byte(nil), f.Transcript...), fin))
	return &TLS13Session{r: NewReader(rw), in: in, suite: sh.CipherSuite,
		resMaster: expandLabel(newHash, master, "res master", resTH, newHash().Size())}, nil
}

// indexOfServerHello returns the index of the last ServerHello in a transcript.
func indexOfServerHello(msgs [][]byte) int {
	idx := 0
	for i, m := range msgs {
		if len(m) > 0 && m[0] == TypeServerHello {
			idx = i
		}
	}
	return idx
}

// tls13Secrets computes the handshake and master secrets without a PSK
// (RFC 8446 7.1).
func tls13Secrets(newHash func() hash.Hash, shared []byte) (hs, master []byte, err error) {
	hashLen := newHash().Size()
	zeros := make([]byte, hashLen)
	early, err := hkdf.Extract(newHash, zeros, nil)
	if err != nil {
		return nil, nil, err
	}
	empty := newHash().Sum(nil)
	if hs, err = hkdf.Extract(newHash, shared, expandLabel(newHash, early, "derived", empty, hashLen)); err != nil {
		return nil, nil, err
	}
	master, err = hkdf.Extract(newHash, zeros, expandLabel(newHash, hs, "derived", empty, hashLen))
	return hs, master, err
}

// TLS13Session reads a TLS 1.3 server's post-handshake messages. Its
// resumption master secret is unexported: it never reaches an observation
// or a report.
type TLS13Session struct {
	r         *Reader
	in        *tls13Traffic
	pending   []byte
	suite     uint16
	resMaster []byte
}

// ReadTicket returns the next NewSessionTicket, skipping other
// post-handshake messages; application data or an alert end it with an error.
func (s *TLS13Session) ReadTicket() (*TLS13Ticket, error) {
	t, _, err := s.readPost(false)
	return t, err
}

// ReadApplication returns the next application data record, skipping
// post-handshake messages (tickets); an alert ends it with an error.
func (s *TLS13Session) ReadApplication() ([]byte, error) {
	_, data, err := s.readPost(true)
	return data, err
}

// readPost reads post-handshake records: it returns the next ticket, or
// with app set the next application data (tickets skipped).
func (s *TLS13Session) readPost(app bool) (*TLS13Ticket, []byte, error) {
	t, data, err := s.readPostRecord(app)
	for err == nil && t == nil && data == nil {
		t, data, err = s.readPostRecord(app)
	}
	return t, data, err
}

// readPostRecord handles what is buffered or one record; all nil means
// "read on".
func (s *TLS13Session) readPostRecord(app bool) (*TLS13Ticket, []byte, error) {
	if len(s.pending) >= 4 {
		n := int(s.pending[1])<<16 | int(s.pending[2])<<8 | int(s.pending[3])
		if n > DefaultMaxMessage {
			return nil, nil, fmt.Errorf("wire: post-handshake message of %d bytes: %w", n, ErrLimit)
		}
		if len(s.pending) >= 4+n {
			t, body := s.pending[0], s.pending[4:4+n]
			s.pending = s.pending[4+n:]
			if t == TypeNewSessionTicket && !app {
				tk, err := ParseTLS13Ticket(body)
				return tk, nil, err
			}
			return nil, nil, nil
		}
	}
	rec, err := s.r.ReadRecord()
	if err != nil {
		return nil, nil, err
	}
	if rec.Type == RecordChangeCipherSpec {
		return nil, nil, nil
	}
	if rec.Type != RecordApplicationData {
		if rec.Type == RecordAlert {
			return nil, nil, alertOrErr(rec.Payload)
		}
		return nil, nil, decodeErr("record", "plaintext %s record after the handshake", contentTypeName(rec.Type))
	}
	typ, data, err := s.in.open(rec)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case typ == RecordHandshake:
		s.pending = append(s.pending, data...)
	case typ == RecordAlert:
		return nil, nil, alertOrErr(data)
	case typ == RecordApplicationData && app:
		if data == nil {
			data = []byte{}
		}
		return nil, data, nil
	default:
		return nil, nil, decodeErr("record", "unexpected %s record after the handshake", contentTypeName(typ))
	}
	return nil, nil, nil
}
