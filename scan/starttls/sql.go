package starttls

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// postgresSSLRequest is the SSLRequest message: length 8, code 80877103.
var postgresSSLRequest = []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}

// upgradePostgres sends an SSLRequest and expects 'S' (PostgreSQL frontend/
// backend protocol, 54.2.10). 'N' means the server has no SSL; 'E' is an
// ErrorResponse from a server too old to know SSLRequest.
func upgradePostgres(s *session) error {
	if err := s.write("SSLRequest", postgresSSLRequest); err != nil {
		return err
	}
	b := make([]byte, 1)
	if err := s.readFull("answer to SSLRequest", b); err != nil {
		return err
	}
	switch b[0] {
	case 'S':
		return nil
	case 'N':
		return s.errorf("%w (the server answered N to SSLRequest: ssl is off)", ErrNotOffered)
	case 'E':
		return s.errorf("%w: the server answered SSLRequest with an error (a server older than 7.2?)", ErrRefused)
	}
	return s.errorf("unexpected answer 0x%02x to SSLRequest (not a PostgreSQL server?)", b[0])
}

// MySQL capability flags (MySQL client/server protocol).
const (
	mysqlLongPassword     = 0x00000001
	mysqlProtocol41       = 0x00000200
	mysqlSSL              = 0x00000800
	mysqlSecureConnection = 0x00008000
	mysqlPluginAuth       = 0x00080000
	maxMySQLPacket        = 1 << 16
)

// MySQLHandshake is what tlsaudit reads of a MySQL initial handshake packet
// (protocol version 10).
type MySQLHandshake struct {
	ServerVersion string
	ConnectionID  uint32
	Capabilities  uint32
	Charset       byte
}

// MySQLError is an ERR packet sent instead of the handshake (e.g. "Host is
// not allowed to connect", "Too many connections").
type MySQLError struct {
	Code    uint16
	Message string
}

func (e *MySQLError) Error() string {
	return fmt.Sprintf("server error %d: %s", e.Code, quote(e.Message))
}

// ParseMySQLHandshake parses the payload of the server's first packet.
func ParseMySQLHandshake(p []byte) (MySQLHandshake, error) {
	var h MySQLHandshake
	if len(p) == 0 {
		return h, errors.New("empty handshake packet")
	}
	if p[0] == 0xff {
		e := &MySQLError{}
		if len(p) >= 3 {
			e.Code = binary.LittleEndian.Uint16(p[1:3])
			msg := p[3:]
			if len(msg) > 0 && msg[0] == '#' && len(msg) >= 6 {
				msg = msg[6:] // SQL state marker and state
			}
			e.Message = string(msg)
		}
		return h, e
	}
	if p[0] != 10 {
		return h, fmt.Errorf("handshake protocol version %d, want 10 (not a MySQL server?)", p[0])
	}
	p = p[1:]
	nul := bytes.IndexByte(p, 0)
	if nul < 0 {
		return h, errors.New("truncated handshake: server version not terminated")
	}
	h.ServerVersion = string(p[:nul])
	p = p[nul+1:]
	// connection id (4), auth-plugin-data part 1 (8), filler (1), capabilities low (2)
	if len(p) < 15 {
		return h, errors.New("truncated handshake packet")
	}
	h.ConnectionID = binary.LittleEndian.Uint32(p)
	h.Capabilities = uint32(binary.LittleEndian.Uint16(p[13:15]))
	p = p[15:]
	// charset (1), status (2), capabilities high (2): optional in old servers
	if len(p) >= 5 {
		h.Charset = p[0]
		h.Capabilities |= uint32(binary.LittleEndian.Uint16(p[3:5])) << 16
	}
	return h, nil
}

// upgradeMySQL reads the initial handshake, checks CLIENT_SSL and sends an
// SSLRequest packet (sequence id 1) with the client capabilities.
func upgradeMySQL(s *session) error {
	payload, seq, err := s.readMySQLPacket("initial handshake")
	if err != nil {
		return err
	}
	h, err := ParseMySQLHandshake(payload)
	if err != nil {
		var me *MySQLError
		if errors.As(err, &me) {
			return s.errorf("%w: %v", ErrRefused, err)
		}
		return s.errorf("initial handshake: %v", err)
	}
	if h.Capabilities&mysqlSSL == 0 {
		return s.errorf("%w (server %s has no CLIENT_SSL capability)", ErrNotOffered, quote(h.ServerVersion))
	}
	caps := uint32(mysqlLongPassword|mysqlProtocol41|mysqlSSL|mysqlSecureConnection|mysqlPluginAuth) & (h.Capabilities | mysqlSSL)
	charset := h.Charset
	if charset == 0 {
		charset = 33 // utf8_general_ci
	}
	req := make([]byte, 4+32)
	req[0] = 32 // payload length (3 bytes LE)
	req[3] = seq + 1
	binary.LittleEndian.PutUint32(req[4:], caps)
	binary.LittleEndian.PutUint32(req[8:], 1<<24) // max packet size
	req[12] = charset
	return s.write("SSLRequest", req)
}

// readMySQLPacket reads one packet: 3-byte little-endian length, sequence id.
func (s *session) readMySQLPacket(what string) ([]byte, byte, error) {
	hdr := make([]byte, 4)
	if err := s.readFull(what, hdr); err != nil {
		return nil, 0, err
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	if n == 0 || n > maxMySQLPacket {
		return nil, 0, s.errorf("%s: packet of %d bytes (not a MySQL server? first bytes %x)", what, n, hdr)
	}
	p := make([]byte, n)
	if err := s.readFull(what, p); err != nil {
		return nil, 0, err
	}
	return p, hdr[3], nil
}
