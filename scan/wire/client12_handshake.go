package wire

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/cryptobyte"
)

// Session12 is what resuming a TLS 1.0–1.2 session needs. Its master secret
// is unexported: it never reaches an observation or a report.
type Session12 struct {
	Version uint16
	Suite   uint16
	ID      []byte // session_id the server assigned (may be empty)
	Ticket  []byte // RFC 5077 ticket, if the server issued one
	master  []byte
}

// Client12 is a minimal TLS 1.0–1.2 client that controls every byte: it
// runs full (RSA or ECDHE) and abbreviated handshakes, client-initiated
// renegotiation, and can send deliberately malformed ClientKeyExchange and
// CBC records for vulnerability probes. It does NOT authenticate the server
// (no certificate or ServerKeyExchange signature verification): it is for
// probing, never for protecting data. It sets no deadlines.
type Client12 struct {
	// Negotiated state, filled as the handshake proceeds.
	Version           uint16
	Suite             *Suite12
	ServerHello       *ServerHello
	Certificates      [][]byte // as sent, leaf first
	ServerKeyExchange *ServerKeyExchange
	// Resumed: the server accepted the offered session (abbreviated handshake).
	Resumed bool
	// Ticket and TicketLifetime come from a NewSessionTicket message.
	Ticket         []byte
	TicketLifetime uint32
	// ClientVerifyData and ServerVerifyData are the Finished contents of the
	// last handshake (RFC 5746 renegotiation_info needs them).
	ClientVerifyData, ServerVerifyData []byte
	// Handshakes counts completed handshakes on this connection.
	Handshakes int

	l          *recordLayer
	hello      *ClientHello
	offered    *Session12
	transcript []byte
	master     []byte
	nextIn     *cipherState
	nextOut    *cipherState
}

// NewClient12 returns a client on conn; rnd nil means crypto/rand.
func NewClient12(conn io.ReadWriter, rnd io.Reader) *Client12 {
	return &Client12{l: newRecordLayer(conn, rnd)}
}

// SetMaxTotal caps the bytes the client reads from the server (default 1 MiB).
func (c *Client12) SetMaxTotal(n int) { c.l.reader.MaxTotal = n }

// Handshake runs a complete handshake: full, or abbreviated when sess is not
// nil and the server accepts it.
func (c *Client12) Handshake(ch *ClientHello, sess *Session12) error {
	if err := c.Hello(ch, sess); err != nil {
		return err
	}
	return c.Finish()
}

// Hello sends ch (offering sess when not nil: by ticket if it has one, else
// by session ID) and reads the server's flight: up to ServerHelloDone for a
// full handshake, or the ServerHello alone when the server resumes.
func (c *Client12) Hello(ch *ClientHello, sess *Session12) error {
	ch = c.prepareHello(ch, sess)
	msg, err := ch.Marshal()
	if err != nil {
		return err
	}
	if c.Handshakes == 0 {
		c.l.version = ch.recordVersion()
	}
	if err := c.l.writeRecord(RecordHandshake, msg); err != nil {
		return err
	}
	c.hello, c.offered, c.transcript, c.Resumed = ch, sess, slices.Clone(msg), false
	m, err := c.next()
	for err == nil && m.Type == TypeHelloRequest && c.Handshakes > 0 {
		m, err = c.next()
	}
	if err != nil {
		return err
	}
	if m.Type != TypeServerHello {
		return decodeErr("handshake", "expected ServerHello, got %s", HandshakeName(m.Type))
	}
	sh, err := ParseServerHello(m.Body)
	if err != nil {
		return err
	}
	c.ServerHello = sh
	v := sh.Version
	if v < registry.VersionTLS10 || v > registry.VersionTLS12 || v > ch.Version {
		return decodeErr("server_hello", "version %s is not one Client12 offered or speaks", registry.Version(v).String())
	}
	s, ok := LookupSuite12(sh.CipherSuite)
	if !ok || !slices.Contains(ch.CipherSuites, sh.CipherSuite) || (s.TLS12Only && v < registry.VersionTLS12) {
		return decodeErr("server_hello", "suite 0x%04x was not offered or is not supported by Client12", sh.CipherSuite)
	}
	c.Version, c.Suite = v, s
	c.l.version = v
	if sess != nil && len(sh.SessionID) > 0 && bytes.Equal(sh.SessionID, ch.SessionID) {
		if sess.Suite != sh.CipherSuite || sess.Version != v {
			return decodeErr("server_hello", "server resumed the session with a different version or suite")
		}
		c.Resumed = true
		c.master = sess.master
		return nil
	}
	return c.readServerFlight()
}

func (c *Client12) prepareHello(ch *ClientHello, sess *Session12) *ClientHello {
	cp := *ch
	cp.Random = nil
	if c.Handshakes > 0 {
		cp.SecureRenegotiation = true
		cp.RenegotiationInfo = c.ClientVerifyData
	}
	if sess != nil {
		if len(sess.Ticket) > 0 {
			cp.SessionTicket, cp.SessionTicketData = true, sess.Ticket
			cp.SessionID = make([]byte, 32)
			c.l.random(cp.SessionID)
		} else {
			cp.SessionID = sess.ID
		}
	}
	return &cp
}

// next reads a handshake message and adds it to the transcript.
func (c *Client12) next() (*Message, error) {
	m, err := c.l.readMessage()
	if err != nil {
		return nil, err
	}
	if m.Type != TypeHelloRequest {
		c.transcript = append(c.transcript, m.Raw...)
	}
	return m, nil
}

func (c *Client12) readServerFlight() error {
	for {
		m, err := c.next()
		if err != nil {
			return err
		}
		switch m.Type {
		case TypeCertificate:
			cert, err := ParseCertificate(m.Body, false)
			if err != nil {
				return err
			}
			c.Certificates = cert.Certificates
		case TypeCertificateStatus:
		case TypeServerKeyExchange:
			if c.ServerKeyExchange, err = ParseServerKeyExchange(m.Body, c.Suite.Kx, c.Version); err != nil {
				return err
			}
		case TypeCertificateRequest:
			return errors.New("wire: the server asks for a client certificate")
		case TypeServerHelloDone:
			return nil
		default:
			return decodeErr("handshake", "unexpected %s in the server flight", HandshakeName(m.Type))
		}
	}
}

// ServerRSAKey returns the RSA public key of the server's leaf certificate.
func (c *Client12) ServerRSAKey() (*rsa.PublicKey, error) {
	if len(c.Certificates) == 0 {
		return nil, errors.New("wire: the server sent no certificate")
	}
	cert, err := x509.ParseCertificate(c.Certificates[0])
	if err != nil {
		return nil, fmt.Errorf("wire: parsing the server certificate: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("wire: the server certificate key is %T, not RSA", cert.PublicKey)
	}
	return pub, nil
}

// KeyExchange builds a correct ClientKeyExchange body for the negotiated
// suite and the premaster secret it carries.
func (c *Client12) KeyExchange() (cke, pms []byte, err error) {
	switch c.Suite.Kx {
	case "RSA":
		pub, err := c.ServerRSAKey()
		if err != nil {
			return nil, nil, err
		}
		pms = make([]byte, 48)
		if err := c.l.random(pms[2:]); err != nil {
			return nil, nil, err
		}
		pms[0], pms[1] = byte(c.hello.Version>>8), byte(c.hello.Version)
		enc, err := rsa.EncryptPKCS1v15(c.l.rand, pub, pms)
		if err != nil {
			return nil, nil, fmt.Errorf("wire: RSA encryption of the premaster secret: %w", err)
		}
		return RSAKeyExchangeBody(enc), pms, nil
	case "ECDHE":
		ske := c.ServerKeyExchange
		if ske == nil {
			return nil, nil, decodeErr("handshake", "ECDHE suite without ServerKeyExchange")
		}
		share, priv, err := GenerateKeyShare(c.l.rand, ske.NamedCurve)
		if err != nil {
			return nil, nil, err
		}
		if pms, err = priv.SharedSecret(ske.Point); err != nil {
			return nil, nil, err
		}
		b := cryptobyte.NewBuilder(nil)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(share.Data) })
		return b.BytesOrPanic(), pms, nil
	}
	return nil, nil, fmt.Errorf("wire: key exchange %q not supported", c.Suite.Kx)
}

// RSAKeyExchangeBody wraps an RSA-encrypted premaster secret in a
// ClientKeyExchange body (TLS: 2-byte length prefix, RFC 5246 7.4.7.1).
func RSAKeyExchangeBody(encrypted []byte) []byte {
	return append([]byte{byte(len(encrypted) >> 8), byte(len(encrypted))}, encrypted...)
}

// Finish completes the handshake started by Hello: for a full handshake it
// sends a correct ClientKeyExchange, ChangeCipherSpec and Finished and reads
// the server's; for an abbreviated one it reads the server's ChangeCipherSpec
// and Finished and answers with its own.
func (c *Client12) Finish() error {
	if c.Resumed {
		if err := c.deriveKeys(); err != nil {
			return err
		}
		if err := c.ReadServerFinished(); err != nil {
			return err
		}
		return c.sendFinished()
	}
	cke, pms, err := c.KeyExchange()
	if err != nil {
		return err
	}
	if err := c.SendKeyExchange(cke, pms); err != nil {
		return err
	}
	return c.ReadServerFinished()
}

// SendKeyExchange sends a ClientKeyExchange with body cke, then
// ChangeCipherSpec and a Finished protected with keys derived from pms.
// Probes pass a malformed cke and a pms the server cannot know, so that the
// Finished is wrong whatever the server decrypted.
func (c *Client12) SendKeyExchange(cke, pms []byte) error {
	msg := handshakeMessage(TypeClientKeyExchange, cke)
	if err := c.l.writeRecord(RecordHandshake, msg); err != nil {
		return err
	}
	c.transcript = append(c.transcript, msg...)
	ems := c.hello.ExtendedMasterSecret && c.ServerHello.ExtendedMasterSecret
	c.master = masterSecret12(c.Version, c.Suite, pms, c.hello.Random, c.ServerHello.Random, ems, c.transcript)
	if err := c.deriveKeys(); err != nil {
		return err
	}
	return c.sendFinished()
}

func (c *Client12) deriveKeys() error {
	var err error
	c.nextOut, c.nextIn, err = keyBlock12(c.Version, c.Suite, c.master, c.hello.Random, c.ServerHello.Random)
	return err
}

func (c *Client12) sendFinished() error {
	if err := c.l.changeCipherSpec(c.nextOut); err != nil {
		return err
	}
	c.ClientVerifyData = finished12(c.Version, c.Suite, c.master, true, c.transcript)
	msg := handshakeMessage(TypeFinished, c.ClientVerifyData)
	c.transcript = append(c.transcript, msg...)
	if err := c.l.writeRecord(RecordHandshake, msg); err != nil {
		return err
	}
	if c.Resumed {
		c.Handshakes++
	}
	return nil
}

// ReadServerFinished reads the server's optional NewSessionTicket, its
// ChangeCipherSpec and Finished, and checks the verify_data. An alert comes
// back as *AlertError.
func (c *Client12) ReadServerFinished() error {
	for {
		m, err := c.next()
		if errors.Is(err, errCCS) {
			break
		}
		if err != nil {
			return err
		}
		if m.Type != TypeNewSessionTicket {
			return decodeErr("handshake", "expected ChangeCipherSpec, got %s", HandshakeName(m.Type))
		}
		if err := c.parseTicket(m.Body); err != nil {
			return err
		}
	}
	c.l.in = c.nextIn
	want := finished12(c.Version, c.Suite, c.master, false, c.transcript)
	m, err := c.next()
	if err != nil {
		return err
	}
	if m.Type != TypeFinished {
		return decodeErr("handshake", "expected Finished, got %s", HandshakeName(m.Type))
	}
	if !bytes.Equal(m.Body, want) {
		return decodeErr("finished", "server verify_data does not match the transcript")
	}
	c.ServerVerifyData = want
	if !c.Resumed {
		c.Handshakes++
	}
	return nil
}

// parseTicket decodes a TLS 1.2 NewSessionTicket (RFC 5077 3.3).
func (c *Client12) parseTicket(body []byte) error {
	s := cryptobyte.String(body)
	var t cryptobyte.String
	if !s.ReadUint32(&c.TicketLifetime) || !s.ReadUint16LengthPrefixed(&t) || !s.Empty() {
		return decodeErr("new_session_ticket", "malformed")
	}
	c.Ticket = bytes.Clone(t)
	return nil
}

// Session returns the session to resume, after a completed handshake.
func (c *Client12) Session() *Session12 {
	if c.master == nil || c.ServerHello == nil {
		return nil
	}
	s := &Session12{Version: c.Version, Suite: c.Suite.ID, ID: bytes.Clone(c.ServerHello.SessionID), Ticket: c.Ticket, master: c.master}
	if c.Resumed && c.Ticket == nil && c.offered != nil {
		s.Ticket = c.offered.Ticket
	}
	return s
}

// Renegotiate starts a client-initiated renegotiation inside the protected
// channel (RFC 5746: renegotiation_info carries the client verify_data) and
// completes it.
func (c *Client12) Renegotiate(ch *ClientHello) error {
	if c.Handshakes == 0 {
		return errors.New("wire: renegotiation before a completed handshake")
	}
	c.Certificates, c.ServerKeyExchange = nil, nil
	return c.Handshake(ch, nil)
}

// Write sends p as application data.
func (c *Client12) Write(p []byte) error { return c.l.writeRecord(RecordApplicationData, p) }

// WriteCBC sends one record of type typ whose CBC protection is shaped by
// tw (bad padding, bad MAC, ...). With a GCM suite tw is ignored.
func (c *Client12) WriteCBC(typ uint8, content []byte, tw CBCRecord) error {
	if len(content) > MaxPlaintext {
		return errors.New("wire: WriteCBC content over one record")
	}
	return c.l.writeCBC(typ, content, tw)
}

// Read returns the next application data record; alerts come back as
// *AlertError, a handshake message as ErrUnexpectedHandshake.
func (c *Client12) Read() ([]byte, error) { return c.l.readApplication() }

// SendAlert sends an alert under the current protection.
func (c *Client12) SendAlert(level, desc uint8) error { return c.l.sendAlert(level, desc) }

func handshakeMessage(typ uint8, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}
