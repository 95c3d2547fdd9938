package wire

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/cryptobyte"
)

// TLS13Keys are the server handshake traffic keys of a TLS 1.3 handshake
// (RFC 8446 7.1, 7.3).
type TLS13Keys struct {
	Suite uint16
	// ServerHandshakeSecret and ClientHandshakeSecret are the
	// [sender]_handshake_traffic_secret values. They only protect one
	// scanning connection, but keep them out of reports all the same.
	ServerHandshakeSecret []byte
	ClientHandshakeSecret []byte

	newHash func() hash.Hash
	aead    cipher.AEAD
	iv      []byte
	seq     uint64
}

// suiteHash returns the hash and AEAD constructor of a TLS 1.3 suite.
func suiteParams(suite uint16) (func() hash.Hash, int, func(key []byte) (cipher.AEAD, error), error) {
	gcm := func(key []byte) (cipher.AEAD, error) {
		b, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		return cipher.NewGCM(b)
	}
	switch suite {
	case TLS_AES_128_GCM_SHA256:
		return sha256.New, 16, gcm, nil
	case TLS_AES_256_GCM_SHA384:
		return sha512.New384, 32, gcm, nil
	case TLS_CHACHA20_POLY1305_SHA256:
		return sha256.New, chacha20poly1305.KeySize, chacha20poly1305.New, nil
	}
	return nil, 0, nil, fmt.Errorf("wire: TLS 1.3 decryption not supported for suite 0x%04x", suite)
}

// expandLabel is HKDF-Expand-Label (RFC 8446 7.1).
func expandLabel(h func() hash.Hash, secret []byte, label string, context []byte, length int) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint16(uint16(length))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("tls13 " + label)) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(context) })
	out, err := hkdf.Expand(h, secret, string(b.BytesOrPanic()), length)
	if err != nil {
		panic("wire: HKDF-Expand-Label: " + err.Error()) // only for absurd lengths
	}
	return out
}

// TranscriptHash hashes handshake messages (each with its 4-byte header) with
// the hash of suite, applying the HelloRetryRequest rule of RFC 8446 4.4.1:
// when a message is a HelloRetryRequest, everything before it (ClientHello1)
// is replaced by a synthetic message_hash message.
func TranscriptHash(suite uint16, msgs [][]byte) ([]byte, error) {
	newHash, _, _, err := suiteParams(suite)
	if err != nil {
		return nil, err
	}
	return transcriptHash(newHash, msgs), nil
}

func transcriptHash(newHash func() hash.Hash, msgs [][]byte) []byte {
	h := newHash()
	for _, m := range msgs {
		if isHelloRetryRequest(m) {
			d := h.Sum(nil)
			h.Reset()
			h.Write([]byte{TypeMessageHash, 0, 0, byte(len(d))})
			h.Write(d)
		}
		h.Write(m)
	}
	return h.Sum(nil)
}

// isHelloRetryRequest reports whether the raw handshake message m is a
// ServerHello carrying the HelloRetryRequest random.
func isHelloRetryRequest(m []byte) bool {
	return len(m) >= 4+2+32 && m[0] == TypeServerHello && bytes.Equal(m[6:38], helloRetryRequestRandom)
}

// DeriveTLS13HandshakeKeys computes the handshake traffic keys from the
// (EC)DHE/KEM shared secret and the transcript ClientHello..ServerHello (raw
// messages with headers, including ClientHello1 + HelloRetryRequest if any).
// Suites 0x1301, 0x1302 and 0x1303 are supported.
func DeriveTLS13HandshakeKeys(suite uint16, sharedSecret []byte, transcript [][]byte) (*TLS13Keys, error) {
	newHash, _, _, err := suiteParams(suite)
	if err != nil {
		return nil, err
	}
	early, err := hkdf.Extract(newHash, make([]byte, newHash().Size()), nil)
	if err != nil {
		return nil, err
	}
	k, _, err := handshakeKeySchedule(suite, early, sharedSecret, transcript)
	return k, err
}

// handshakeKeySchedule runs the TLS 1.3 key schedule (RFC 8446 7.1) from
// the early secret (of a PSK, or of none) and the (EC)DHE/KEM shared secret
// to the handshake traffic keys for the transcript ClientHello..ServerHello.
// It returns the keys and the handshake secret.
func handshakeKeySchedule(suite uint16, early, sharedSecret []byte, transcript [][]byte) (*TLS13Keys, []byte, error) {
	newHash, keyLen, newAEAD, err := suiteParams(suite)
	if err != nil {
		return nil, nil, err
	}
	hashLen := newHash().Size()
	derived := expandLabel(newHash, early, "derived", newHash().Sum(nil), hashLen)
	hs, err := hkdf.Extract(newHash, sharedSecret, derived)
	if err != nil {
		return nil, nil, err
	}
	th := transcriptHash(newHash, transcript)
	k := &TLS13Keys{
		Suite:                 suite,
		ServerHandshakeSecret: expandLabel(newHash, hs, "s hs traffic", th, hashLen),
		ClientHandshakeSecret: expandLabel(newHash, hs, "c hs traffic", th, hashLen),
		newHash:               newHash,
	}
	key := expandLabel(newHash, k.ServerHandshakeSecret, "key", nil, keyLen)
	k.iv = expandLabel(newHash, k.ServerHandshakeSecret, "iv", nil, 12)
	if k.aead, err = newAEAD(key); err != nil {
		return nil, nil, err
	}
	return k, hs, nil
}

// VerifyServerFinished checks a server Finished body against the transcript
// ClientHello..CertificateVerify (RFC 8446 4.4.4).
func (k *TLS13Keys) VerifyServerFinished(transcript [][]byte, verifyData []byte) bool {
	finishedKey := expandLabel(k.newHash, k.ServerHandshakeSecret, "finished", nil, k.newHash().Size())
	mac := hmac.New(k.newHash, finishedKey)
	mac.Write(transcriptHash(k.newHash, transcript))
	return hmac.Equal(mac.Sum(nil), verifyData)
}

// open decrypts one TLSCiphertext record (RFC 8446 5.2) and returns the
// inner content type and plaintext.
func (k *TLS13Keys) open(rec Record) (uint8, []byte, error) {
	if len(rec.Payload) > MaxPlaintext+256 {
		return 0, nil, decodeErr("record", "encrypted record too long (%d bytes)", len(rec.Payload))
	}
	if len(rec.Payload) < k.aead.Overhead()+1 {
		return 0, nil, decodeErr("record", "encrypted record too short (%d bytes)", len(rec.Payload))
	}
	nonce := bytes.Clone(k.iv)
	for i := 0; i < 8; i++ {
		nonce[len(nonce)-1-i] ^= byte(k.seq >> (8 * i))
	}
	ad := []byte{rec.Type, byte(rec.Version >> 8), byte(rec.Version), byte(len(rec.Payload) >> 8), byte(len(rec.Payload))}
	plain, err := k.aead.Open(nil, nonce, rec.Payload, ad)
	if err != nil {
		return 0, nil, fmt.Errorf("wire: decrypting TLS 1.3 record %d: %w (wrong keys or a broken server)", k.seq, err)
	}
	k.seq++
	return innerPlaintext(plain)
}

// innerPlaintext splits a decrypted TLSInnerPlaintext (content || type ||
// zeros, RFC 8446 5.2) into its content type and content.
func innerPlaintext(plain []byte) (uint8, []byte, error) {
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 {
		return 0, nil, decodeErr("record", "encrypted record with no content type")
	}
	return plain[i], plain[:i], nil
}
