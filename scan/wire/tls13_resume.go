package wire

import (
	"bytes"
	"crypto/hkdf"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/cryptobyte"
)

// TLS 1.3 resumption with a PSK from a NewSessionTicket, and 0-RTT early
// data (RFC 8446 2.3, 4.2.10, 4.2.11, 7.1). The PSK and every secret stay
// unexported: they never reach an observation or a report.

// TLS13Resumption is a ticket ready to resume with.
type TLS13Resumption struct {
	Suite    uint16
	Ticket   *TLS13Ticket
	Received time.Time
	psk      []byte
}

// Resumption returns what resuming with ticket t (received by s at
// received) needs: the PSK is HKDF-Expand-Label(resumption_master_secret,
// "resumption", ticket_nonce) (RFC 8446 4.6.1).
func (s *TLS13Session) Resumption(t *TLS13Ticket, received time.Time) (*TLS13Resumption, error) {
	if t == nil || s.resMaster == nil {
		return nil, errors.New("wire: no ticket or no resumption secret to resume with")
	}
	newHash, _, _, err := suiteParams(s.suite)
	if err != nil {
		return nil, err
	}
	return &TLS13Resumption{Suite: s.suite, Ticket: t, Received: received,
		psk: expandLabel(newHash, s.resMaster, "resumption", t.Nonce, newHash().Size())}, nil
}

// EarlyDataOutcome is what a 0-RTT resumption attempt saw.
type EarlyDataOutcome struct {
	ServerHello *ServerHello
	// PSKAccepted: the ServerHello selected our PSK identity.
	PSKAccepted bool
	// EarlyDataAccepted: the EncryptedExtensions carried early_data.
	EarlyDataAccepted bool
	// Session reads the server's application data once the handshake
	// completed (nil when the server did not resume).
	Session *TLS13Session
}

// ParsePreSharedKeySH decodes the ServerHello pre_shared_key extension
// data: the selected identity (RFC 8446 4.2.11).
func ParsePreSharedKeySH(data []byte) (uint16, error) {
	s := cryptobyte.String(data)
	var id uint16
	if !s.ReadUint16(&id) || !s.Empty() {
		return 0, decodeErr("server_hello", "malformed pre_shared_key extension")
	}
	return id, nil
}

// pskExtensions returns the early_data (when early) and pre_shared_key
// extensions (pre_shared_key last, as RFC 8446 4.2.11 requires) with binder.
func pskExtensions(res *TLS13Resumption, binder []byte, now time.Time, early bool) []Extension {
	age := uint32(now.Sub(res.Received).Milliseconds()) + res.Ticket.AgeAdd
	b := cryptobyte.NewBuilder(nil)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(res.Ticket.Ticket) })
		b.AddUint32(age)
	})
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(binder) })
	})
	psk := Extension{Type: ExtPreSharedKey, Data: b.BytesOrPanic()}
	if !early {
		return []Extension{psk}
	}
	return []Extension{{Type: ExtEarlyData}, psk}
}

// tls13PSKSchedule holds the secrets of a PSK handshake.
type tls13PSKSchedule struct {
	newHash func() hash.Hash
	early   []byte
}

func newPSKSchedule(suite uint16, psk []byte) (*tls13PSKSchedule, error) {
	newHash, _, _, err := suiteParams(suite)
	if err != nil {
		return nil, err
	}
	early, err := hkdf.Extract(newHash, psk, make([]byte, newHash().Size()))
	if err != nil {
		return nil, err
	}
	return &tls13PSKSchedule{newHash: newHash, early: early}, nil
}

// derive is Derive-Secret (RFC 8446 7.1).
func (k *tls13PSKSchedule) derive(secret []byte, label string, msgs [][]byte) []byte {
	return expandLabel(k.newHash, secret, label, transcriptHash(k.newHash, msgs), k.newHash().Size())
}

// finishedMAC is the Finished (or binder) HMAC of base over msgs.
func (k *tls13PSKSchedule) finishedMAC(base []byte, msgs [][]byte) []byte {
	fk := expandLabel(k.newHash, base, "finished", nil, k.newHash().Size())
	return hmacSum(k.newHash, fk, transcriptHash(k.newHash, msgs))
}

// ResumeWithEarlyData resumes res on rw with ch (which must offer res.Suite,
// TLS 1.3 and key shares for privs; its PSK modes and extra extensions are
// replaced), sending early as 0-RTT application data right after the
// ClientHello (early nil: plain resumption, no early_data extension). It reads the server's flight, completes the handshake when
// the server resumed (EndOfEarlyData when it took the early data, then the
// client Finished) and returns what it saw. It sets no deadlines. A
// HelloRetryRequest or a full handshake ends it with PSKAccepted false.
func ResumeWithEarlyData(rw io.ReadWriter, ch *ClientHello, res *TLS13Resumption, privs []*KeySharePrivate, early []byte) (*EarlyDataOutcome, error) {
	if res == nil || res.psk == nil {
		return nil, errors.New("wire: ResumeWithEarlyData needs a resumption from Resumption")
	}
	ks, err := newPSKSchedule(res.Suite, res.psk)
	if err != nil {
		return nil, err
	}
	hashLen := ks.newHash().Size()
	cp := *ch
	cp.PSKModes = []uint8{1} // psk_dhe_ke
	cp.GREASE = false
	now := time.Now()
	cp.ExtraExtensions = pskExtensions(res, make([]byte, hashLen), now, early != nil)
	msg, err := cp.Marshal()
	if err != nil {
		return nil, err
	}
	// Binder over the ClientHello truncated before the binders list.
	truncated := msg[:len(msg)-(2+1+hashLen)]
	binderKey := ks.derive(ks.early, "res binder", nil)
	binder := ks.finishedMAC(binderKey, [][]byte{truncated})
	msg = append(bytes.Clone(truncated), msg[len(truncated):len(truncated)+3]...)
	msg = append(msg, binder...)

	cets := ks.derive(ks.early, "c e traffic", [][]byte{msg})
	earlyOut, err := newTLS13Traffic(res.Suite, cets)
	if err != nil {
		return nil, err
	}
	out := EncodeRecords(RecordHandshake, registry.VersionTLS10, msg, 0)
	out = append(out, RecordChangeCipherSpec, 3, 3, 0, 1, 1)
	if early != nil {
		out = append(out, earlyOut.seal(RecordApplicationData, early)...)
	}
	if _, err := rw.Write(out); err != nil {
		return nil, fmt.Errorf("wire: sending the 0-RTT ClientHello: %w", err)
	}

	r := NewReader(rw)
	transcript := [][]byte{msg}
	m, err := r.ReadMessage()
	if err != nil {
		return nil, err
	}
	if m.Type != TypeServerHello {
		return nil, decodeErr("handshake", "expected ServerHello, got %s", HandshakeName(m.Type))
	}
	sh, err := ParseServerHello(m.Body)
	if err != nil {
		return nil, err
	}
	o := &EarlyDataOutcome{ServerHello: sh}
	if sh.IsHelloRetryRequest || sh.NegotiatedVersion() != registry.VersionTLS13 {
		return o, nil
	}
	for _, e := range sh.Extensions {
		if e.Type == ExtPreSharedKey {
			id, err := ParsePreSharedKeySH(e.Data)
			if err != nil {
				return o, err
			}
			o.PSKAccepted = id == 0
		}
	}
	if !o.PSKAccepted {
		return o, nil
	}
	if sh.CipherSuite != res.Suite {
		return o, decodeErr("server_hello", "resumed with suite 0x%04x, not the ticket's 0x%04x", sh.CipherSuite, res.Suite)
	}
	transcript = append(transcript, m.Raw)
	return o, ks.finishResumption(rw, r, o, transcript, privs, earlyOut)
}

// finishResumption reads EncryptedExtensions and Finished under the PSK
// handshake keys and sends EndOfEarlyData (when accepted) and Finished.
func (ks *tls13PSKSchedule) finishResumption(w io.Writer, r *Reader, o *EarlyDataOutcome, transcript [][]byte, privs []*KeySharePrivate, earlyOut *tls13Traffic) error {
	sh := o.ServerHello
	if sh.KeyShare == nil {
		return decodeErr("server_hello", "resumption without key_share (psk_ke was not offered)")
	}
	priv := keySharePriv(privs, sh.KeyShare.Group)
	if priv == nil {
		return ErrNoDecryptionKey
	}
	shared, err := priv.SharedSecret(sh.KeyShare.Data)
	if err != nil {
		return err
	}
	// The server's suite is the ticket's (checked by the caller), so the
	// hash is ks's.
	keys, hs, err := handshakeKeySchedule(sh.CipherSuite, ks.early, shared, transcript)
	if err != nil {
		return err
	}
	hashLen := ks.newHash().Size()
	master, err := hkdf.Extract(ks.newHash, make([]byte, hashLen), expandLabel(ks.newHash, hs, "derived", ks.newHash().Sum(nil), hashLen))
	if err != nil {
		return err
	}
	cHS := keys.ClientHandshakeSecret
	r.SetTLS13Keys(keys)
	for {
		m, err := r.ReadMessage()
		if err != nil {
			return err
		}
		switch m.Type {
		case TypeEncryptedExtensions:
			ee, err := ParseEncryptedExtensions(m.Body)
			if err != nil {
				return err
			}
			for _, e := range ee.Extensions {
				o.EarlyDataAccepted = o.EarlyDataAccepted || e.Type == ExtEarlyData
			}
		case TypeFinished:
			if !keys.VerifyServerFinished(transcript, m.Body) {
				return decodeErr("finished", "server verify_data does not match the transcript")
			}
			transcript = append(transcript, m.Raw)
			return ks.sendClientFinished(w, r, o, transcript, master, cHS, earlyOut)
		default:
			return decodeErr("handshake", "unexpected %s in a resumed TLS 1.3 flight", HandshakeName(m.Type))
		}
		transcript = append(transcript, m.Raw)
	}
}

func (ks *tls13PSKSchedule) sendClientFinished(w io.Writer, r *Reader, o *EarlyDataOutcome, transcript [][]byte, master, cHS []byte, earlyOut *tls13Traffic) error {
	suite := o.ServerHello.CipherSuite
	sAP := ks.derive(master, "s ap traffic", transcript)
	var out []byte
	if o.EarlyDataAccepted {
		eoed := handshakeMessage(TypeEndOfEarlyData, nil)
		out = append(out, earlyOut.seal(RecordHandshake, eoed)...)
		transcript = append(transcript, eoed)
	}
	hsOut, err := newTLS13Traffic(suite, cHS)
	if err != nil {
		return err
	}
	out = append(out, hsOut.seal(RecordHandshake, handshakeMessage(TypeFinished, ks.finishedMAC(cHS, transcript)))...)
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("wire: sending the client Finished: %w", err)
	}
	in, err := newTLS13Traffic(suite, sAP)
	if err != nil {
		return err
	}
	o.Session = &TLS13Session{r: r, in: in, suite: suite}
	return nil
}

// keySharePriv returns the private key of privs for group, or nil.
func keySharePriv(privs []*KeySharePrivate, group uint16) *KeySharePrivate {
	var priv *KeySharePrivate
	for _, p := range privs {
		if p != nil && p.Group == group && p.HasSecret() {
			priv = p
		}
	}
	return priv
}
