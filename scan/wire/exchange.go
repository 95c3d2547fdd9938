package wire

import (
	"errors"
	"fmt"
	"io"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// Stage says how far Exchange reads the server's flight.
type Stage int

const (
	// StopAfterServerHello stops at the ServerHello (or HelloRetryRequest).
	StopAfterServerHello Stage = iota
	// StopAfterCertificate stops after the Certificate (TLS <= 1.2: and the
	// CertificateStatus when both sides sent status_request; TLS 1.3:
	// EncryptedExtensions and Certificate are decrypted).
	StopAfterCertificate
	// StopAfterServerKeyExchange stops after the ServerKeyExchange (TLS
	// <= 1.2; suites without one stop at ServerHelloDone). In TLS 1.3 it
	// stops after CertificateVerify.
	StopAfterServerKeyExchange
	// StopAfterServerHelloDone reads the whole TLS <= 1.2 server flight; in
	// TLS 1.3 it is StopAfterFinished.
	StopAfterServerHelloDone
	// StopAfterFinished reads a TLS 1.3 flight through the server Finished
	// (checking its verify_data); in TLS <= 1.2 it is StopAfterServerHelloDone.
	StopAfterFinished
)

func (s Stage) String() string {
	switch s {
	case StopAfterServerHello:
		return "ServerHello"
	case StopAfterCertificate:
		return "Certificate"
	case StopAfterServerKeyExchange:
		return "ServerKeyExchange"
	case StopAfterServerHelloDone:
		return "ServerHelloDone"
	case StopAfterFinished:
		return "Finished"
	}
	return fmt.Sprintf("Stage(%d)", int(s))
}

// Flight is what the server sent in answer to one ClientHello.
type Flight struct {
	ServerHello         *ServerHello    // final ServerHello (or HRR when the exchange stopped there)
	HelloRetryRequest   *ServerHello    // if the server sent one
	Certificate         *CertificateMsg // TLS <= 1.2, or TLS 1.3 when decrypted
	ServerKeyExchange   []byte          // raw body (parse with the suite's kx)
	CertificateStatus   []byte          // OCSP staple (TLS <= 1.2 message, or TLS 1.3 from the leaf entry)
	EncryptedExtensions *EncryptedExtensions
	CertificateVerify   *CertificateVerify
	CertificateRequest  bool
	ServerHelloDone     bool
	// Finished: the TLS 1.3 server Finished was received and its verify_data
	// checked against the transcript.
	Finished bool
	// ChangeCipherSpec: a TLS <= 1.2 server switched to encryption right
	// after ServerHello (an abbreviated, resumed handshake).
	ChangeCipherSpec bool
	Alert            *AlertError // if the server answered with an alert
	Messages         []string    // names of the messages seen, in order (for debugging/reports)
	// Transcript holds the raw handshake messages (with headers) sent and
	// received, in order, starting with our ClientHello. HelloRequests are
	// not part of it (RFC 5246 7.4.1.1).
	Transcript [][]byte
	// HelloRequests counts the HelloRequest messages received; only the
	// first is named in Messages, and more than MaxHelloRequests end the
	// exchange, so memory stays bounded whatever a server repeats.
	HelloRequests int

	r *Reader
}

// ErrNoDecryptionKey is wrapped by Exchange's error when a TLS 1.3 server
// chose a key share we hold no private key for, so the flight beyond
// ServerHello cannot be read.
var ErrNoDecryptionKey = errors.New("no private key for the server's key share")

// ErrChangeCipherSpec is returned by a Reader with CCSEndsHandshake set when
// a ChangeCipherSpec record arrives.
var ErrChangeCipherSpec = errors.New("wire: server sent ChangeCipherSpec")

// Exchange writes ch's records to rw, then reads the server's flight until
// stop. For a TLS 1.3 ServerHello with a key share whose private key is in
// privs, it derives the handshake keys and decrypts EncryptedExtensions,
// Certificate, CertificateVerify and Finished as far as stop asks. An alert
// sets Flight.Alert and returns err == nil (an alert is an answer). A server
// closing the connection gives an error wrapping io.EOF. A HelloRetryRequest
// ends the exchange (see ContinueAfterRetry). Exchange sets no deadlines.
//
// On error the returned Flight, when not nil, holds what was read so far.
func Exchange(rw io.ReadWriter, ch *ClientHello, privs []*KeySharePrivate, stop Stage) (*Flight, error) {
	msg, err := ch.Marshal()
	if err != nil {
		return nil, err
	}
	if _, err := rw.Write(EncodeRecords(RecordHandshake, ch.recordVersion(), msg, 0)); err != nil {
		return nil, fmt.Errorf("wire: sending ClientHello: %w", err)
	}
	f := &Flight{r: NewReader(rw), Transcript: [][]byte{msg}}
	return f, f.read(ch, privs, stop, "ClientHello")
}

// ContinueAfterRetry sends ch2 (normally ch.ForRetry(hrr, share)) on the
// connection of a flight that ended with a HelloRetryRequest, and reads the
// second flight. The transcript carries over (RFC 8446 4.4.1).
func ContinueAfterRetry(rw io.Writer, prev *Flight, ch2 *ClientHello, privs []*KeySharePrivate, stop Stage) (*Flight, error) {
	if prev == nil || prev.HelloRetryRequest == nil || prev.r == nil {
		return nil, errors.New("wire: ContinueAfterRetry needs a flight that ended with a HelloRetryRequest")
	}
	msg, err := ch2.Marshal()
	if err != nil {
		return nil, err
	}
	// The second hello uses TLS 1.2 record version (RFC 8446 5.1 / D.4).
	if _, err := rw.Write(EncodeRecords(RecordHandshake, registry.VersionTLS12, msg, 0)); err != nil {
		return nil, fmt.Errorf("wire: sending the second ClientHello: %w", err)
	}
	f := &Flight{
		r:                 prev.r,
		HelloRetryRequest: prev.HelloRetryRequest,
		Messages:          append(append([]string(nil), prev.Messages...), "ClientHello"),
		Transcript:        append(append([][]byte(nil), prev.Transcript...), msg),
	}
	return f, f.read(ch2, privs, stop, "second ClientHello")
}

// next reads one message, recording it. An alert is stored in f.Alert and
// returned as errAlertSeen.
func (f *Flight) next(after string) (*Message, error) {
	m, err := f.r.ReadMessage()
	if err != nil {
		var a *AlertError
		if errors.As(err, &a) {
			f.Alert = a
			f.Messages = append(f.Messages, "Alert("+a.Name()+")")
			return nil, errAlertSeen
		}
		if errors.Is(err, ErrChangeCipherSpec) {
			f.ChangeCipherSpec = true
			f.Messages = append(f.Messages, "ChangeCipherSpec")
			return nil, err
		}
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("wire: server closed the connection after %s: %w", after, err)
		}
		return nil, err
	}
	if m.Type == TypeHelloRequest {
		// A server may send HelloRequest at any time and a client in a
		// handshake ignores it; it is kept out of the transcript.
		if f.HelloRequests++; f.HelloRequests == 1 {
			f.Messages = append(f.Messages, HandshakeName(m.Type))
		}
		if f.HelloRequests > MaxHelloRequests {
			return nil, decodeErr("handshake", "more than %d HelloRequest messages in one flight (a flood)", MaxHelloRequests)
		}
		return m, nil
	}
	f.Messages = append(f.Messages, HandshakeName(m.Type))
	f.Transcript = append(f.Transcript, m.Raw)
	return m, nil
}

// MaxHelloRequests is the number of HelloRequest messages one flight may
// carry before the exchange fails: a client ignores them during a
// handshake, a server repeating them is flooding.
const MaxHelloRequests = 16

var errAlertSeen = errors.New("alert")

func (f *Flight) read(ch *ClientHello, privs []*KeySharePrivate, stop Stage, sent string) error {
	err := f.readFlight(ch, privs, stop, sent)
	if err == errAlertSeen || err == ErrChangeCipherSpec {
		return nil
	}
	return err
}

func (f *Flight) readFlight(ch *ClientHello, privs []*KeySharePrivate, stop Stage, sent string) error {
	var m *Message
	var err error
	for {
		if m, err = f.next(sent); err != nil {
			return err
		}
		if m.Type != TypeHelloRequest {
			break
		}
	}
	if m.Type != TypeServerHello {
		return decodeErr("handshake", "expected ServerHello, got %s", HandshakeName(m.Type))
	}
	sh, err := ParseServerHello(m.Body)
	if err != nil {
		return err
	}
	sh.Raw = m.Raw
	f.ServerHello = sh
	if sh.IsHelloRetryRequest {
		if f.HelloRetryRequest != nil {
			return decodeErr("server_hello", "second HelloRetryRequest")
		}
		f.HelloRetryRequest = sh
		return nil
	}
	if stop <= StopAfterServerHello {
		return nil
	}
	if sh.NegotiatedVersion() == registry.VersionTLS13 {
		return f.readTLS13(sh, privs, stop)
	}
	return f.readTLS12(ch, sh, stop)
}

func (f *Flight) readTLS12(ch *ClientHello, sh *ServerHello, stop Stage) error {
	f.r.CCSEndsHandshake = true
	wantStatus := ch.StatusRequest && sh.StatusRequest
	for {
		m, err := f.next(HandshakeName(TypeServerHello))
		if err != nil {
			return err
		}
		reached := StopAfterServerHello
		switch m.Type {
		case TypeCertificate:
			if f.Certificate, err = ParseCertificate(m.Body, false); err != nil {
				return err
			}
			reached = StopAfterCertificate
			if wantStatus {
				reached = StopAfterServerHello // the CertificateStatus follows
			}
		case TypeCertificateStatus:
			if f.CertificateStatus, err = ParseCertificateStatus(m.Body); err != nil {
				return err
			}
			reached = StopAfterCertificate
		case TypeServerKeyExchange:
			f.ServerKeyExchange = m.Body
			reached = StopAfterServerKeyExchange
		case TypeCertificateRequest:
			f.CertificateRequest = true
			reached = StopAfterServerKeyExchange
		case TypeServerHelloDone:
			f.ServerHelloDone = true
			return nil
		case TypeHelloRequest:
		default:
			return decodeErr("handshake", "unexpected %s in the TLS 1.2 server flight", HandshakeName(m.Type))
		}
		if reached >= stop {
			return nil
		}
	}
}

func (f *Flight) readTLS13(sh *ServerHello, privs []*KeySharePrivate, stop Stage) error {
	if sh.KeyShare == nil {
		return decodeErr("server_hello", "TLS 1.3 ServerHello without key_share")
	}
	var priv *KeySharePrivate
	for _, p := range privs {
		if p != nil && p.Group == sh.KeyShare.Group && p.HasSecret() {
			priv = p
		}
	}
	if priv == nil {
		return fmt.Errorf("wire: server chose group 0x%04x: %w", sh.KeyShare.Group, ErrNoDecryptionKey)
	}
	secret, err := priv.SharedSecret(sh.KeyShare.Data)
	if err != nil {
		return err
	}
	keys, err := DeriveTLS13HandshakeKeys(sh.CipherSuite, secret, f.Transcript)
	if err != nil {
		return err
	}
	f.r.SetTLS13Keys(keys)
	if stop == StopAfterServerHelloDone {
		stop = StopAfterFinished
	}
	for {
		m, err := f.next(HandshakeName(TypeServerHello))
		if err != nil {
			return err
		}
		reached := StopAfterServerHello
		switch m.Type {
		case TypeEncryptedExtensions:
			if f.EncryptedExtensions, err = ParseEncryptedExtensions(m.Body); err != nil {
				return err
			}
		case TypeCertificateRequest:
			f.CertificateRequest = true
		case TypeCertificate:
			if f.Certificate, err = ParseCertificate(m.Body, true); err != nil {
				return err
			}
			if len(f.Certificate.OCSP) > 0 {
				f.CertificateStatus = f.Certificate.OCSP[0]
			}
			reached = StopAfterCertificate
		case TypeCertificateVerify:
			if f.CertificateVerify, err = ParseCertificateVerify(m.Body); err != nil {
				return err
			}
			reached = StopAfterServerKeyExchange
		case TypeFinished:
			if !keys.VerifyServerFinished(f.Transcript[:len(f.Transcript)-1], m.Body) {
				return decodeErr("finished", "server verify_data does not match the transcript")
			}
			f.Finished = true
			return nil
		default:
			return decodeErr("handshake", "unexpected %s in the TLS 1.3 server flight", HandshakeName(m.Type))
		}
		if reached >= stop {
			return nil
		}
	}
}
