package wire

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/cryptobyte"
)

// SSLv2 message types (draft-hickman-netscape-ssl-00).
const (
	SSLv2MsgError       uint8 = 0
	SSLv2MsgClientHello uint8 = 1
	SSLv2MsgServerHello uint8 = 4
)

// SSLv2ClientHello is an SSLv2-format CLIENT-HELLO.
type SSLv2ClientHello struct {
	Version     uint16   // 0 => 0x0002
	CipherSpecs []uint32 // 3-byte cipher kinds (TLS suites as 0x00XXYY)
	SessionID   []byte
	Challenge   []byte // 16..32 bytes; nil => 16 random bytes (stored here)
}

// Marshal returns the complete SSLv2 record (2-byte header) holding the
// CLIENT-HELLO.
func (m *SSLv2ClientHello) Marshal() []byte {
	if m.Challenge == nil {
		m.Challenge = make([]byte, 16)
		rand.Read(m.Challenge)
	}
	v := m.Version
	if v == 0 {
		v = registry.VersionSSL2
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(SSLv2MsgClientHello)
	b.AddUint16(v)
	b.AddUint16(uint16(3 * len(m.CipherSpecs)))
	b.AddUint16(uint16(len(m.SessionID)))
	b.AddUint16(uint16(len(m.Challenge)))
	for _, c := range m.CipherSpecs {
		b.AddUint24(c)
	}
	b.AddBytes(m.SessionID)
	b.AddBytes(m.Challenge)
	body := b.BytesOrPanic()
	return append([]byte{0x80 | byte(len(body)>>8), byte(len(body))}, body...)
}

// SSLv2ServerHello is a decoded SSLv2 SERVER-HELLO.
type SSLv2ServerHello struct {
	SessionIDHit bool
	CertType     uint8 // 1: X.509
	Version      uint16
	Certificate  []byte
	CipherSpecs  []uint32
	ConnectionID []byte
}

// SSLv2Error is an SSLv2 ERROR message from the server.
type SSLv2Error struct{ Code uint16 }

var sslv2ErrorNames = map[uint16]string{
	1: "NO-CIPHER-ERROR",
	2: "NO-CERTIFICATE-ERROR",
	4: "BAD-CERTIFICATE-ERROR",
	6: "UNSUPPORTED-CERTIFICATE-TYPE-ERROR",
}

func (e *SSLv2Error) Error() string {
	n, ok := sslv2ErrorNames[e.Code]
	if !ok {
		n = "unknown error"
	}
	return fmt.Sprintf("sslv2: server sent ERROR %s (%d)", n, e.Code)
}

// ErrTLSReply is wrapped when a server answers an SSLv2 hello with a TLS
// record that is not an alert (it speaks TLS only).
var ErrTLSReply = errors.New("server answered with a TLS record")

// ParseSSLv2ServerHello decodes an SSLv2 message (without its record
// header): a SERVER-HELLO, or an ERROR which gives an *SSLv2Error.
func ParseSSLv2ServerHello(msg []byte) (*SSLv2ServerHello, error) {
	const m = "sslv2_server_hello"
	s := cryptobyte.String(msg)
	var typ uint8
	if !s.ReadUint8(&typ) {
		return nil, decodeErr(m, "empty message")
	}
	switch typ {
	case SSLv2MsgError:
		var code uint16
		if !s.ReadUint16(&code) {
			return nil, decodeErr(m, "truncated ERROR message")
		}
		return nil, &SSLv2Error{Code: code}
	case SSLv2MsgServerHello:
	default:
		return nil, decodeErr(m, "unexpected message type %d", typ)
	}
	sh := &SSLv2ServerHello{}
	var hit uint8
	var certLen, specsLen, connLen uint16
	if !s.ReadUint8(&hit) || !s.ReadUint8(&sh.CertType) || !s.ReadUint16(&sh.Version) ||
		!s.ReadUint16(&certLen) || !s.ReadUint16(&specsLen) || !s.ReadUint16(&connLen) {
		return nil, decodeErr(m, "truncated in header")
	}
	sh.SessionIDHit = hit != 0
	if specsLen%3 != 0 {
		return nil, decodeErr(m, "cipher specs length %d is not a multiple of 3", specsLen)
	}
	var cert, specs, conn []byte
	if !s.ReadBytes(&cert, int(certLen)) {
		return nil, decodeErr(m, "truncated in certificate")
	}
	if !s.ReadBytes(&specs, int(specsLen)) {
		return nil, decodeErr(m, "truncated in cipher specs")
	}
	if !s.ReadBytes(&conn, int(connLen)) {
		return nil, decodeErr(m, "truncated in connection id")
	}
	// Trailing bytes are padding of a 3-byte-header record: tolerated.
	sh.Certificate = bytes.Clone(cert)
	sh.ConnectionID = bytes.Clone(conn)
	for i := 0; i+3 <= len(specs); i += 3 {
		sh.CipherSpecs = append(sh.CipherSpecs, uint32(specs[i])<<16|uint32(specs[i+1])<<8|uint32(specs[i+2]))
	}
	return sh, nil
}

// ReadSSLv2ServerHello reads the server's answer to an SSLv2 CLIENT-HELLO.
// An SSLv2 ERROR gives an *SSLv2Error; a TLS alert an error wrapping the
// *AlertError; another TLS record an error wrapping ErrTLSReply; anything
// else a *NotTLSError. At most 2+32767 bytes are read.
func ReadSSLv2ServerHello(r io.Reader) (*SSLv2ServerHello, error) {
	var hdr [2]byte
	n, err := io.ReadFull(r, hdr[:])
	if err != nil {
		if n == 1 {
			return nil, &NotTLSError{Hint: guessProtocol(hdr[:1]), Prefix: bytes.Clone(hdr[:1])}
		}
		return nil, fmt.Errorf("sslv2: reading the server's answer: %w", err)
	}
	if hdr[0] >= RecordChangeCipherSpec && hdr[0] <= RecordHeartbeat && hdr[1] == 3 {
		rec, err := ReadRecord(io.MultiReader(bytes.NewReader(hdr[:]), r))
		if err != nil {
			return nil, fmt.Errorf("sslv2: server answered with a TLS record: %w", err)
		}
		if rec.Type == RecordAlert {
			a, err := ParseAlert(rec.Payload)
			if err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("sslv2: server answered with a TLS alert: %w", a)
		}
		return nil, fmt.Errorf("sslv2: %w (%s, %s)", ErrTLSReply, contentTypeName(rec.Type), registry.Version(rec.Version).String())
	}
	if hdr[0]&0x80 == 0 {
		return nil, &NotTLSError{Hint: guessProtocol(hdr[:]), Prefix: bytes.Clone(hdr[:])}
	}
	length := int(hdr[0]&0x7f)<<8 | int(hdr[1])
	msg := make([]byte, length)
	if _, err := io.ReadFull(r, msg); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("sslv2: reading a %d-byte record: %w", length, err)
	}
	return ParseSSLv2ServerHello(msg)
}
