package wire

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// recordLayer reads and writes TLS 1.0–1.2 records, encrypting and
// decrypting once a ChangeCipherSpec switched a direction on. It buffers
// handshake messages, caps what it reads (MaxTotal) and never reads past the
// record it needs.
type recordLayer struct {
	conn    io.ReadWriter
	version uint16 // record version written (and the MAC version once keyed)
	in, out *cipherState
	// laxPadding makes in accept CBC records with wrong padding bytes.
	laxPadding bool
	rand       io.Reader

	reader  *Reader // raw record reader with caps
	pending []byte  // handshake bytes not yet returned
}

func newRecordLayer(conn io.ReadWriter, rnd io.Reader) *recordLayer {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &recordLayer{conn: conn, version: registry.VersionTLS10, rand: rnd, reader: NewReader(conn)}
}

func (l *recordLayer) random(b []byte) error {
	_, err := io.ReadFull(l.rand, b)
	return err
}

// writeRecord protects content with the current write state and sends it.
func (l *recordLayer) writeRecord(typ uint8, content []byte) error {
	return l.writeCBC(typ, content, CBCRecord{})
}

func (l *recordLayer) writeCBC(typ uint8, content []byte, tw CBCRecord) error {
	var out []byte
	for first := true; first || len(content) > 0; first = false {
		n := min(len(content), MaxPlaintext)
		payload, err := l.seal(typ, content[:n], tw)
		if err != nil {
			return err
		}
		out = append(out, typ, byte(l.version>>8), byte(l.version), byte(len(payload)>>8), byte(len(payload)))
		out = append(out, payload...)
		content = content[n:]
	}
	if _, err := l.conn.Write(out); err != nil {
		return fmt.Errorf("wire: sending a %s record: %w", contentTypeName(typ), err)
	}
	return nil
}

func (l *recordLayer) seal(typ uint8, content []byte, tw CBCRecord) ([]byte, error) {
	switch {
	case l.out == nil:
		return content, nil
	case l.out.suite.GCM:
		return l.out.sealGCM(typ, content), nil
	}
	return l.out.sealCBC(typ, content, tw, l.random)
}

// readRecord reads one record and decrypts it with the current read state.
// Alerts are returned as content, not as errors.
func (l *recordLayer) readRecord() (uint8, []byte, error) {
	rec, err := l.reader.ReadRecord()
	if err != nil {
		return 0, nil, err
	}
	if l.in == nil {
		return rec.Type, rec.Payload, nil
	}
	plain, err := l.in.open(rec.Type, rec.Payload, l.laxPadding)
	if err != nil {
		return rec.Type, nil, err
	}
	if len(plain) > MaxPlaintext {
		return rec.Type, nil, decodeErr("record", "decrypted record of %d bytes", len(plain))
	}
	return rec.Type, plain, nil
}

// errCCS is returned by readMessage when a ChangeCipherSpec arrives.
var errCCS = errors.New("wire: ChangeCipherSpec")

// readMessage returns the next handshake message. An alert gives an
// *AlertError, a ChangeCipherSpec errCCS (with no message half-read),
// application data an error.
func (l *recordLayer) readMessage() (*Message, error) {
	for {
		if len(l.pending) >= 4 {
			t := l.pending[0]
			n := int(l.pending[1])<<16 | int(l.pending[2])<<8 | int(l.pending[3])
			if c := l.reader.capFor(t); n > c {
				return nil, fmt.Errorf("wire: %s message of %d bytes exceeds the %d-byte cap: %w", HandshakeName(t), n, c, ErrLimit)
			}
			if len(l.pending) >= 4+n {
				raw := append([]byte(nil), l.pending[:4+n]...)
				l.pending = l.pending[4+n:]
				return &Message{Type: t, Body: raw[4:], Raw: raw}, nil
			}
		}
		typ, data, err := l.readRecord()
		if err != nil {
			if errors.Is(err, io.EOF) && len(l.pending) > 0 {
				err = fmt.Errorf("wire: connection closed inside a handshake message: %w", io.ErrUnexpectedEOF)
			}
			return nil, err
		}
		switch typ {
		case RecordHandshake:
			l.pending = append(l.pending, data...)
		case RecordAlert:
			return nil, alertOrErr(data)
		case RecordChangeCipherSpec:
			if len(data) != 1 || data[0] != 1 || len(l.pending) > 0 {
				return nil, decodeErr("change_cipher_spec", "unexpected or malformed record")
			}
			return nil, errCCS
		default:
			return nil, decodeErr("record", "unexpected %s record during a handshake", contentTypeName(typ))
		}
	}
}

func alertOrErr(data []byte) error {
	a, err := ParseAlert(data)
	if err != nil {
		return err
	}
	return a
}

// readApplication returns the next application data record. Alerts are
// returned as *AlertError (close_notify included); a handshake record (e.g.
// HelloRequest or a renegotiation ServerHello) is returned as an error
// wrapping ErrUnexpectedHandshake with the bytes kept for readMessage.
func (l *recordLayer) readApplication() ([]byte, error) {
	for {
		typ, data, err := l.readRecord()
		if err != nil {
			return nil, err
		}
		switch typ {
		case RecordApplicationData:
			return data, nil
		case RecordAlert:
			return nil, alertOrErr(data)
		case RecordHandshake:
			l.pending = append(l.pending, data...)
			return nil, ErrUnexpectedHandshake
		default:
			return nil, decodeErr("record", "unexpected %s record after the handshake", contentTypeName(typ))
		}
	}
}

// ErrUnexpectedHandshake is returned by Read when the peer sent a handshake
// message instead of application data.
var ErrUnexpectedHandshake = errors.New("wire: handshake message received instead of application data")

// sendAlert sends an alert with the current write state.
func (l *recordLayer) sendAlert(level, desc uint8) error {
	return l.writeRecord(RecordAlert, []byte{level, desc})
}

// changeCipherSpec sends the CCS record and switches the write state.
func (l *recordLayer) changeCipherSpec(next *cipherState) error {
	if err := l.writeRecord(RecordChangeCipherSpec, []byte{1}); err != nil {
		return err
	}
	l.out = next
	return nil
}
