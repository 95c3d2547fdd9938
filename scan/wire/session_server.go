package wire

import (
	"bytes"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/cryptobyte"
)

// Server12Config configures ServeConn12, the server side of Client12's
// record layer. It exists to build scripted test servers (including
// deliberately vulnerable ones) in scan/tlstest: RSA key exchange only, no
// session resumption.
type Server12Config struct {
	Certificates [][]byte // chain, leaf first
	Key          *rsa.PrivateKey
	// Suites in preference order; only RSA key-exchange suites of
	// LookupSuite12 work.
	Suites                 []uint16
	MinVersion, MaxVersion uint16 // default TLS 1.0 and TLS 1.2
	// DecryptPremaster, when set, replaces the RSA decryption of the
	// ClientKeyExchange: it returns the premaster secret to use, or a
	// non-zero alert to send at once (a Bleichenbacher oracle, for ROBOT
	// test servers). nil: PKCS#1 v1.5 with implicit rejection.
	DecryptPremaster func(encrypted []byte, clientVersion uint16) (pms []byte, alert uint8)
	// LaxPadding accepts CBC records whose padding bytes are wrong (the
	// POODLE-over-TLS bug).
	LaxPadding bool
	// BadRecord, when set, chooses the answer to a protected CBC record
	// with a bad MAC or bad padding after the handshake (padding-oracle test
	// servers); nil answers bad_record_mac.
	BadRecord func(CBCFault) BadRecordAnswer
	// AllowRenegotiation completes client-initiated renegotiations; when
	// false a renegotiating ClientHello gets a no_renegotiation warning.
	AllowRenegotiation bool
	// Respond maps a received application data record to the answer; nil
	// echoes it.
	Respond func([]byte) []byte
	Rand    io.Reader
}

// ClientHello12 is what ServeConn12 reads from a ClientHello.
type ClientHello12 struct {
	Version              uint16
	Random               []byte
	SessionID            []byte
	CipherSuites         []uint16
	Extensions           []Extension
	SecureRenegotiation  bool // renegotiation_info extension or SCSV
	RenegotiationInfo    []byte
	ExtendedMasterSecret bool
}

// ParseClientHello12 decodes a ClientHello body (RFC 5246 7.4.1.2).
func ParseClientHello12(body []byte) (*ClientHello12, error) {
	const m = "client_hello"
	ch := &ClientHello12{}
	s := cryptobyte.String(body)
	var random, sid, suites, comp cryptobyte.String
	if !s.ReadUint16(&ch.Version) || !s.ReadBytes((*[]byte)(&random), 32) ||
		!s.ReadUint8LengthPrefixed(&sid) || len(sid) > 32 ||
		!s.ReadUint16LengthPrefixed(&suites) || len(suites)%2 != 0 ||
		!s.ReadUint8LengthPrefixed(&comp) || comp.Empty() {
		return nil, decodeErr(m, "truncated or malformed")
	}
	ch.Random, ch.SessionID = bytes.Clone(random), bytes.Clone(sid)
	for !suites.Empty() {
		var id uint16
		suites.ReadUint16(&id)
		ch.CipherSuites = append(ch.CipherSuites, id)
		if id == SCSVRenegotiation {
			ch.SecureRenegotiation = true
		}
	}
	exts, err := parseExtensionBlock(m, s)
	if err != nil {
		return nil, err
	}
	ch.Extensions = exts
	for _, e := range exts {
		switch e.Type {
		case ExtRenegotiationInfo:
			d := cryptobyte.String(e.Data)
			var ri cryptobyte.String
			if !d.ReadUint8LengthPrefixed(&ri) || !d.Empty() {
				return nil, decodeErr(m, "malformed renegotiation_info")
			}
			ch.SecureRenegotiation, ch.RenegotiationInfo = true, bytes.Clone(ri)
		case ExtExtendedMasterSecret:
			ch.ExtendedMasterSecret = true
		}
	}
	return ch, nil
}

// server12 is one server connection.
type server12 struct {
	cfg        *Server12Config
	l          *recordLayer
	version    uint16
	suite      *Suite12
	handshakes int
	clientVD   []byte
	serverVD   []byte
}

// errAlertSent ends a connection after the server sent a fatal alert.
var errAlertSent = errors.New("wire: fatal alert sent")

// ServeConn12 serves one connection: handshake, then application data
// (answered by cfg.Respond), renegotiations as configured, until the client
// closes or an error. It sets no deadlines: the caller does.
func ServeConn12(conn io.ReadWriter, cfg *Server12Config) error {
	s := &server12{cfg: cfg, l: newRecordLayer(conn, cfg.Rand)}
	m, err := s.l.readMessage()
	if err != nil {
		return err
	}
	if err := s.handshake(m); err != nil {
		return s.fail(err)
	}
	read := s.l.readApplication
	if cfg.BadRecord != nil {
		read = s.readApplicationHooked
	}
	for {
		data, err := read()
		switch {
		case errors.Is(err, ErrUnexpectedHandshake):
			m, err := s.l.readMessage()
			if err != nil {
				return s.fail(err)
			}
			if !cfg.AllowRenegotiation {
				if err := s.l.sendAlert(AlertLevelWarning, AlertNoRenegotiation); err != nil {
					return err
				}
				continue
			}
			if err := s.handshake(m); err != nil {
				return s.fail(err)
			}
		case err != nil:
			var a *AlertError
			if errors.As(err, &a) && a.Description == AlertCloseNotify {
				s.l.sendAlert(AlertLevelWarning, AlertCloseNotify)
				return nil
			}
			return s.fail(err)
		default:
			resp := data
			if cfg.Respond != nil {
				resp = cfg.Respond(data)
			}
			if resp != nil {
				if err := s.l.writeRecord(RecordApplicationData, resp); err != nil {
					return err
				}
			}
		}
	}
}

// fail sends the alert an error calls for.
func (s *server12) fail(err error) error {
	var desc uint8
	var de *DecodeError
	switch {
	case errors.Is(err, errAlertSent), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return err
	case errors.Is(err, ErrBadRecordMAC):
		desc = AlertBadRecordMAC
	case errors.As(err, &de):
		desc = AlertDecodeError
	default:
		var a *AlertError
		if errors.As(err, &a) {
			return err
		}
		desc = AlertHandshakeFailure
	}
	s.l.sendAlert(AlertLevelFatal, desc)
	return err
}

func (s *server12) alert(desc uint8, format string, args ...any) error {
	s.l.sendAlert(AlertLevelFatal, desc)
	return fmt.Errorf("%w: "+format, append([]any{errAlertSent}, args...)...)
}

func (s *server12) handshake(m *Message) error {
	cfg := s.cfg
	if m.Type != TypeClientHello {
		return s.alert(AlertUnexpectedMessage, "expected ClientHello, got %s", HandshakeName(m.Type))
	}
	ch, err := ParseClientHello12(m.Body)
	if err != nil {
		return err
	}
	transcript := slices.Clone(m.Raw)
	minV, maxV := cmp0(cfg.MinVersion, registry.VersionTLS10), cmp0(cfg.MaxVersion, registry.VersionTLS12)
	v := min(ch.Version, maxV)
	if v < minV || (s.handshakes > 0 && v != s.version) {
		return s.alert(AlertProtocolVersion, "client version %s", registry.Version(ch.Version).String())
	}
	if s.handshakes > 0 && !bytes.Equal(ch.RenegotiationInfo, s.clientVD) {
		return s.alert(AlertHandshakeFailure, "renegotiation_info does not carry the client verify_data")
	}
	var suite *Suite12
	for _, id := range cfg.Suites {
		if st, ok := LookupSuite12(id); ok && st.Kx == "RSA" && slices.Contains(ch.CipherSuites, id) && (!st.TLS12Only || v >= registry.VersionTLS12) {
			suite = st
			break
		}
	}
	if suite == nil {
		return s.alert(AlertHandshakeFailure, "no shared cipher suite")
	}
	s.version, s.suite = v, suite
	s.l.version = v

	// ServerHello, Certificate, ServerHelloDone.
	random, sid := make([]byte, 32), make([]byte, 32)
	if err := s.l.random(random); err != nil {
		return err
	}
	s.l.random(sid)
	b := cryptobyte.NewBuilder(nil)
	b.AddUint16(v)
	b.AddBytes(random)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sid) })
	b.AddUint16(suite.ID)
	b.AddUint8(0)
	if ch.SecureRenegotiation {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16(ExtRenegotiationInfo)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.clientVD); b.AddBytes(s.serverVD) })
			})
		})
	}
	flight := handshakeMessage(TypeServerHello, b.BytesOrPanic())
	cb := cryptobyte.NewBuilder(nil)
	cb.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, c := range cfg.Certificates {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c) })
		}
	})
	flight = append(flight, handshakeMessage(TypeCertificate, cb.BytesOrPanic())...)
	flight = append(flight, handshakeMessage(TypeServerHelloDone, nil)...)
	transcript = append(transcript, flight...)
	if err := s.l.writeRecord(RecordHandshake, flight); err != nil {
		return err
	}

	// ClientKeyExchange.
	m, err = s.l.readMessage()
	if err != nil {
		return err
	}
	if m.Type != TypeClientKeyExchange {
		return s.alert(AlertUnexpectedMessage, "expected ClientKeyExchange, got %s", HandshakeName(m.Type))
	}
	transcript = append(transcript, m.Raw...)
	body := cryptobyte.String(m.Body)
	var enc cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&enc) || !body.Empty() {
		return decodeErr("client_key_exchange", "malformed")
	}
	pms, err := s.premaster(enc, ch.Version)
	if err != nil {
		return err
	}
	master := masterSecret12(v, suite, pms, ch.Random, random, false, nil)
	clientState, serverState, err := keyBlock12(v, suite, master, ch.Random, random)
	if err != nil {
		return err
	}
	if _, err := s.l.readMessage(); !errors.Is(err, errCCS) {
		if err == nil {
			return s.alert(AlertUnexpectedMessage, "expected ChangeCipherSpec")
		}
		return err
	}
	s.l.in = clientState
	s.l.laxPadding = cfg.LaxPadding
	want := finished12(v, suite, master, true, transcript)
	if m, err = s.l.readMessage(); err != nil {
		return err
	}
	if m.Type != TypeFinished {
		return s.alert(AlertUnexpectedMessage, "expected Finished, got %s", HandshakeName(m.Type))
	}
	if !bytes.Equal(m.Body, want) {
		return s.alert(AlertDecryptError, "client Finished does not verify")
	}
	transcript = append(transcript, m.Raw...)
	if err := s.l.changeCipherSpec(serverState); err != nil {
		return err
	}
	s.clientVD, s.serverVD = want, finished12(v, suite, master, false, transcript)
	if err := s.l.writeRecord(RecordHandshake, handshakeMessage(TypeFinished, s.serverVD)); err != nil {
		return err
	}
	s.handshakes++
	return nil
}

// premaster decrypts the RSA-encrypted premaster secret.
func (s *server12) premaster(enc []byte, clientVersion uint16) ([]byte, error) {
	if s.cfg.DecryptPremaster != nil {
		pms, alert := s.cfg.DecryptPremaster(enc, clientVersion)
		if alert != 0 {
			return nil, s.alert(alert, "premaster secret rejected")
		}
		return pms, nil
	}
	// RFC 5246 7.4.7.1: on any failure continue with a random premaster.
	pms := make([]byte, 48)
	if err := s.l.random(pms); err != nil {
		return nil, err
	}
	_ = rsa.DecryptPKCS1v15SessionKey(nil, s.cfg.Key, enc, pms) // on error pms stays random
	return pms, nil
}

func cmp0(v, def uint16) uint16 {
	if v == 0 {
		return def
	}
	return v
}
