package wire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxCiphertext is the largest record payload accepted: TLSCiphertext may
// carry up to 2^14+2048 bytes (RFC 5246 6.2.3).
const MaxCiphertext = MaxPlaintext + 2048

// Record is one TLS record.
type Record struct {
	Type    uint8
	Version uint16
	Payload []byte
}

// ReadRecord reads one record. It refuses a length above MaxCiphertext
// without reading the payload, and returns a *NotTLSError (errors.Is
// ErrNotTLS) when the first bytes are not a TLS record header. A connection
// closed before the header gives io.EOF, in the middle of the record
// io.ErrUnexpectedEOF.
func ReadRecord(r io.Reader) (Record, error) {
	var hdr [5]byte
	n, err := io.ReadFull(r, hdr[:])
	if n > 0 {
		if nt := checkTLSHeader(hdr[:n]); nt != nil {
			return Record{}, nt
		}
	}
	if err != nil {
		return Record{}, err
	}
	rec := Record{Type: hdr[0], Version: uint16(hdr[1])<<8 | uint16(hdr[2])}
	length := int(hdr[3])<<8 | int(hdr[4])
	if length > MaxCiphertext {
		return Record{}, decodeErr("record", "too long (%d bytes, max %d)", length, MaxCiphertext)
	}
	rec.Payload = make([]byte, length)
	if _, err := io.ReadFull(r, rec.Payload); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Record{}, fmt.Errorf("record: reading %d-byte %s payload: %w", length, contentTypeName(rec.Type), err)
	}
	return rec, nil
}

func contentTypeName(t uint8) string {
	switch t {
	case RecordChangeCipherSpec:
		return "change_cipher_spec"
	case RecordAlert:
		return "alert"
	case RecordHandshake:
		return "handshake"
	case RecordApplicationData:
		return "application_data"
	case RecordHeartbeat:
		return "heartbeat"
	}
	return fmt.Sprintf("content_type(%d)", t)
}

// checkTLSHeader returns a *NotTLSError when p (the first 1-5 bytes of a
// record) cannot start a TLS record.
func checkTLSHeader(p []byte) error {
	ok := p[0] >= RecordChangeCipherSpec && p[0] <= RecordHeartbeat
	if ok && len(p) >= 2 {
		ok = p[1] == 3
	}
	if ok {
		return nil
	}
	return &NotTLSError{Hint: guessProtocol(p), Prefix: bytes.Clone(p)}
}

// guessProtocol names what a non-TLS answer looks like.
func guessProtocol(p []byte) string {
	prefixes := []struct{ prefix, name string }{
		{"HTTP/", "HTTP"},
		{"<", "HTML"},
		{"SSH-", "SSH"},
		{"220", "SMTP/FTP banner"},
		{"+OK", "POP3"},
		{"* OK", "IMAP"},
		{"* PREAUTH", "IMAP"},
		{"* BYE", "IMAP"},
		{"-ERR", "POP3/Redis"},
		{"RFB ", "VNC"},
		{"@RSYNCD", "rsync"},
		{"AMQP", "AMQP"},
	}
	for _, c := range prefixes {
		n := min(len(p), len(c.prefix))
		if n >= 3 || n == len(c.prefix) {
			if string(p[:n]) == c.prefix[:n] {
				return c.name
			}
		}
	}
	// SSLv2 record: 2-byte header with the high bit set, then
	// SERVER-HELLO (4) or ERROR (0).
	if len(p) >= 3 && p[0]&0x80 != 0 && (p[2] == 4 || p[2] == 0) {
		return "SSLv2"
	}
	if len(p) >= 2 && p[0] == 0 && p[1] == 0 {
		return "binary zeros"
	}
	printable := true
	for _, c := range p {
		if c < 0x20 && c != '\r' && c != '\n' && c != '\t' || c > 0x7e {
			printable = false
		}
	}
	if printable {
		return "plain text"
	}
	return "unknown"
}

// Default caps of a Reader.
const (
	DefaultMaxMessage     = 64 << 10
	DefaultMaxCertificate = 256 << 10
	DefaultMaxTotal       = 1 << 20
)

// Message is one handshake message.
type Message struct {
	Type uint8
	Body []byte
	Raw  []byte // 4-byte header + body
}

// Reader reads a server's handshake messages from a connection. It
// reassembles messages fragmented over records and splits records holding
// several messages; an alert record gives an *AlertError; a TLS 1.3
// compatibility ChangeCipherSpec is skipped; once SetTLS13Keys was called it
// decrypts application_data records. It never reads more than MaxTotal bytes
// and never buffers a message above its cap. Set the caps before the first
// read; zero values take the defaults.
type Reader struct {
	MaxMessage     int // cap on one handshake message other than Certificate (default 64 KiB)
	MaxCertificate int // cap on a Certificate message (default 256 KiB)
	MaxTotal       int // cap on all bytes read (default 1 MiB)

	// RecordVersion is the version field of the first record read.
	RecordVersion uint16
	// ChangeCipherSpecs counts the ChangeCipherSpec records skipped.
	ChangeCipherSpecs int
	// CCSEndsHandshake makes a ChangeCipherSpec record end reading with
	// ErrChangeCipherSpec (TLS <= 1.2, where what follows is encrypted)
	// instead of being skipped as a TLS 1.3 compatibility record.
	CCSEndsHandshake bool

	r       io.Reader
	total   int
	pending []byte // handshake bytes not yet returned
	keys    *TLS13Keys
	records int
}

// NewReader returns a Reader reading from r with the default caps.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r}
}

// ErrLimit is wrapped by the errors returned when a Reader cap is hit.
var ErrLimit = errors.New("size limit exceeded")

// BytesRead returns the number of bytes read so far.
func (r *Reader) BytesRead() int { return r.total }

// ReadRecord reads one raw record, counted against MaxTotal (no decryption,
// no alert handling). Use it only when not mixing with buffered messages.
func (r *Reader) ReadRecord() (Record, error) {
	maxTotal := r.MaxTotal
	if maxTotal <= 0 {
		maxTotal = DefaultMaxTotal
	}
	if r.total >= maxTotal {
		return Record{}, fmt.Errorf("wire: the server sent more than %d bytes: %w", maxTotal, ErrLimit)
	}
	lr := &countingReader{r: r.r, n: &r.total, max: maxTotal}
	rec, err := ReadRecord(lr)
	if err != nil {
		if lr.hit {
			return Record{}, fmt.Errorf("wire: the server sent more than %d bytes: %w", maxTotal, ErrLimit)
		}
		return Record{}, err
	}
	if r.records == 0 {
		r.RecordVersion = rec.Version
	}
	r.records++
	return rec, nil
}

type countingReader struct {
	r   io.Reader
	n   *int
	max int
	hit bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if *c.n >= c.max {
		c.hit = true
		return 0, io.ErrUnexpectedEOF
	}
	if len(p) > c.max-*c.n {
		p = p[:c.max-*c.n]
	}
	n, err := c.r.Read(p)
	*c.n += n
	return n, err
}

// SetTLS13Keys makes the Reader decrypt application_data records with the
// server handshake traffic keys k (from the next record on).
func (r *Reader) SetTLS13Keys(k *TLS13Keys) {
	r.keys = k
}

func (r *Reader) capFor(t uint8) int {
	if t == TypeCertificate || t == TypeCompressedCert {
		if r.MaxCertificate > 0 {
			return r.MaxCertificate
		}
		return DefaultMaxCertificate
	}
	if r.MaxMessage > 0 {
		return r.MaxMessage
	}
	return DefaultMaxMessage
}

// Buffered reports whether handshake bytes are waiting (a partial message or
// more messages from the last record).
func (r *Reader) Buffered() int { return len(r.pending) }

// ReadMessage returns the next handshake message.
func (r *Reader) ReadMessage() (*Message, error) {
	for {
		if len(r.pending) >= 4 {
			t := r.pending[0]
			n := int(r.pending[1])<<16 | int(r.pending[2])<<8 | int(r.pending[3])
			if c := r.capFor(t); n > c {
				return nil, fmt.Errorf("wire: %s message of %d bytes exceeds the %d-byte cap: %w", HandshakeName(t), n, c, ErrLimit)
			}
			if len(r.pending) >= 4+n {
				raw := bytes.Clone(r.pending[:4+n])
				r.pending = r.pending[4+n:]
				return &Message{Type: t, Body: raw[4:], Raw: raw}, nil
			}
		}
		rec, err := r.ReadRecord()
		if err != nil {
			if errors.Is(err, io.EOF) && len(r.pending) > 0 {
				err = fmt.Errorf("wire: connection closed inside a handshake message: %w", io.ErrUnexpectedEOF)
			}
			return nil, err
		}
		typ, payload := rec.Type, rec.Payload
		if r.keys != nil && typ == RecordApplicationData {
			typ, payload, err = r.keys.open(rec)
			if err != nil {
				return nil, err
			}
		}
		switch typ {
		case RecordHandshake:
			if r.keys != nil && rec.Type == RecordHandshake {
				return nil, decodeErr("record", "plaintext handshake record after the TLS 1.3 ServerHello")
			}
			r.pending = append(r.pending, payload...)
		case RecordAlert:
			a, err := ParseAlert(payload)
			if err != nil {
				return nil, err
			}
			return nil, a
		case RecordChangeCipherSpec:
			if len(payload) != 1 || payload[0] != 1 || len(r.pending) > 0 {
				return nil, decodeErr("change_cipher_spec", "unexpected or malformed record")
			}
			r.ChangeCipherSpecs++
			if r.CCSEndsHandshake {
				return nil, ErrChangeCipherSpec
			}
		default:
			return nil, decodeErr("record", "unexpected %s record while reading the handshake", contentTypeName(typ))
		}
	}
}
