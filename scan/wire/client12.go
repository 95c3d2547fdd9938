package wire

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"slices"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// Suite12 describes a TLS 1.0–1.2 cipher suite that Client12 and Server12 can
// protect records with: AES-CBC with HMAC (MAC-then-encrypt) or AES-GCM, with
// RSA or ECDHE key exchange.
type Suite12 struct {
	ID     uint16
	Kx     string // "RSA" or "ECDHE"
	Auth   string // "RSA" or "ECDSA"
	KeyLen int    // AES key bytes
	GCM    bool
	// MAC is the record MAC hash (CBC suites only).
	MAC func() hash.Hash
	// PRF is the TLS 1.2 PRF hash (SHA-256 unless the suite says SHA-384).
	PRF func() hash.Hash
	// TLS12Only: the suite is defined for TLS 1.2 only (SHA-256/384 and GCM).
	TLS12Only bool
}

// MACLen is the length of the record MAC (0 for GCM).
func (s *Suite12) MACLen() int {
	if s.GCM {
		return 0
	}
	return s.MAC().Size()
}

var suites12 = []Suite12{
	{ID: 0x002f, Kx: "RSA", Auth: "RSA", KeyLen: 16, MAC: sha1.New},
	{ID: 0x0035, Kx: "RSA", Auth: "RSA", KeyLen: 32, MAC: sha1.New},
	{ID: 0x003c, Kx: "RSA", Auth: "RSA", KeyLen: 16, MAC: sha256.New, TLS12Only: true},
	{ID: 0x003d, Kx: "RSA", Auth: "RSA", KeyLen: 32, MAC: sha256.New, TLS12Only: true},
	{ID: 0x009c, Kx: "RSA", Auth: "RSA", KeyLen: 16, GCM: true, TLS12Only: true},
	{ID: 0x009d, Kx: "RSA", Auth: "RSA", KeyLen: 32, GCM: true, PRF: sha512.New384, TLS12Only: true},
	{ID: 0xc013, Kx: "ECDHE", Auth: "RSA", KeyLen: 16, MAC: sha1.New},
	{ID: 0xc014, Kx: "ECDHE", Auth: "RSA", KeyLen: 32, MAC: sha1.New},
	{ID: 0xc027, Kx: "ECDHE", Auth: "RSA", KeyLen: 16, MAC: sha256.New, TLS12Only: true},
	{ID: 0xc028, Kx: "ECDHE", Auth: "RSA", KeyLen: 32, MAC: sha512.New384, PRF: sha512.New384, TLS12Only: true},
	{ID: 0xc02f, Kx: "ECDHE", Auth: "RSA", KeyLen: 16, GCM: true, TLS12Only: true},
	{ID: 0xc030, Kx: "ECDHE", Auth: "RSA", KeyLen: 32, GCM: true, PRF: sha512.New384, TLS12Only: true},
	{ID: 0xc009, Kx: "ECDHE", Auth: "ECDSA", KeyLen: 16, MAC: sha1.New},
	{ID: 0xc00a, Kx: "ECDHE", Auth: "ECDSA", KeyLen: 32, MAC: sha1.New},
	{ID: 0xc023, Kx: "ECDHE", Auth: "ECDSA", KeyLen: 16, MAC: sha256.New, TLS12Only: true},
	{ID: 0xc024, Kx: "ECDHE", Auth: "ECDSA", KeyLen: 32, MAC: sha512.New384, PRF: sha512.New384, TLS12Only: true},
	{ID: 0xc02b, Kx: "ECDHE", Auth: "ECDSA", KeyLen: 16, GCM: true, TLS12Only: true},
	{ID: 0xc02c, Kx: "ECDHE", Auth: "ECDSA", KeyLen: 32, GCM: true, PRF: sha512.New384, TLS12Only: true},
}

// LookupSuite12 returns the record-protection parameters of suite id, or
// false when Client12 cannot use it.
func LookupSuite12(id uint16) (*Suite12, bool) {
	for i := range suites12 {
		if suites12[i].ID == id {
			s := suites12[i]
			if s.PRF == nil {
				s.PRF = sha256.New
			}
			return &s, true
		}
	}
	return nil, false
}

// Suites12 lists the IDs of every suite LookupSuite12 knows that is valid in
// version v and matches keep (nil keeps all).
func Suites12(v uint16, keep func(*Suite12) bool) []uint16 {
	var out []uint16
	for i := range suites12 {
		s, _ := LookupSuite12(suites12[i].ID)
		if s.TLS12Only && v < registry.VersionTLS12 {
			continue
		}
		if keep == nil || keep(s) {
			out = append(out, s.ID)
		}
	}
	return out
}

// pHash is P_hash of RFC 5246 5.
func pHash(h func() hash.Hash, secret, seed []byte, n int) []byte {
	out := make([]byte, 0, n+64)
	mac := hmac.New(h, secret)
	mac.Write(seed)
	a := mac.Sum(nil)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(seed)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(a[:0])
	}
	return out[:n]
}

// PRF12 is the TLS PRF: RFC 2246 5 (MD5 xor SHA-1) for TLS 1.0/1.1, RFC 5246
// 5 (P_hash with the suite's hash) for TLS 1.2.
func PRF12(version uint16, h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	ls := append([]byte(label), seed...)
	if version >= registry.VersionTLS12 {
		return pHash(h, secret, ls, n)
	}
	half := (len(secret) + 1) / 2
	out := pHash(md5.New, secret[:half], ls, n)
	x := pHash(sha1.New, secret[len(secret)-half:], ls, n)
	for i := range out {
		out[i] ^= x[i]
	}
	return out
}

// transcriptHash12 hashes the handshake messages: MD5||SHA-1 before TLS 1.2,
// the PRF hash in TLS 1.2.
func transcriptHash12(version uint16, s *Suite12, transcript []byte) []byte {
	if version >= registry.VersionTLS12 {
		h := s.PRF()
		h.Write(transcript)
		return h.Sum(nil)
	}
	m, sh := md5.Sum(transcript), sha1.Sum(transcript)
	return append(m[:], sh[:]...)
}

// masterSecret12 derives the master secret (RFC 5246 8.1, or RFC 7627 4 when
// ems is set, with the session hash of the transcript through the
// ClientKeyExchange).
func masterSecret12(version uint16, s *Suite12, pms, clientRandom, serverRandom []byte, ems bool, transcript []byte) []byte {
	if ems {
		return PRF12(version, s.PRF, pms, "extended master secret", transcriptHash12(version, s, transcript), 48)
	}
	return PRF12(version, s.PRF, pms, "master secret", slices.Concat(clientRandom, serverRandom), 48)
}

// finished12 computes verify_data (RFC 5246 7.4.9).
func finished12(version uint16, s *Suite12, master []byte, client bool, transcript []byte) []byte {
	label := "server finished"
	if client {
		label = "client finished"
	}
	return PRF12(version, s.PRF, master, label, transcriptHash12(version, s, transcript), 12)
}

// cipherState protects records in one direction.
type cipherState struct {
	version uint16
	suite   *Suite12
	macKey  []byte
	block   cipher.Block
	iv      []byte // TLS 1.0: the chained CBC IV
	aead    cipher.AEAD
	salt    []byte // GCM implicit nonce part
	seq     uint64
}

// keyBlock12 derives both directions' states from the master secret (RFC
// 5246 6.3): client MAC, server MAC, client key, server key, client IV,
// server IV.
func keyBlock12(version uint16, s *Suite12, master, clientRandom, serverRandom []byte) (client, server *cipherState, err error) {
	macLen, ivLen := s.MACLen(), 0
	if s.GCM {
		ivLen = 4
	} else if version == registry.VersionTLS10 {
		ivLen = aes.BlockSize
	}
	n := 2*macLen + 2*s.KeyLen + 2*ivLen
	kb := PRF12(version, s.PRF, master, "key expansion", slices.Concat(serverRandom, clientRandom), n)
	take := func(k int) []byte { b := kb[:k:k]; kb = kb[k:]; return b }
	cm, sm := take(macLen), take(macLen)
	ck, sk := take(s.KeyLen), take(s.KeyLen)
	ci, si := take(ivLen), take(ivLen)
	if client, err = newCipherState(version, s, cm, ck, ci); err != nil {
		return nil, nil, err
	}
	server, err = newCipherState(version, s, sm, sk, si)
	return client, server, err
}

func newCipherState(version uint16, s *Suite12, macKey, key, iv []byte) (*cipherState, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	cs := &cipherState{version: version, suite: s, macKey: macKey}
	if s.GCM {
		if cs.aead, err = cipher.NewGCM(b); err != nil {
			return nil, err
		}
		cs.salt = iv
		return cs, nil
	}
	cs.block, cs.iv = b, iv
	return cs, nil
}

// mac computes the record MAC (RFC 5246 6.2.3.1).
func (cs *cipherState) mac(seq uint64, typ uint8, content []byte) []byte {
	m := hmac.New(cs.suite.MAC, cs.macKey)
	m.Write(cs.header(seq, typ, len(content)))
	m.Write(content)
	return m.Sum(nil)
}

// header is seq_num || type || version || length, the MAC input and GCM
// additional data prefix.
func (cs *cipherState) header(seq uint64, typ uint8, n int) []byte {
	h := make([]byte, 13)
	for i := 0; i < 8; i++ {
		h[i] = byte(seq >> (56 - 8*i))
	}
	h[8], h[9], h[10], h[11], h[12] = typ, byte(cs.version>>8), byte(cs.version), byte(n>>8), byte(n)
	return h
}

// CBCRecord describes a deliberately malformed CBC record for padding-oracle
// probes. The zero value gives a correct record.
type CBCRecord struct {
	// Padding, when not nil, replaces the whole padding block (including the
	// final length byte); its last byte must say len(Padding)-1 for the MAC
	// to be found where the receiver looks for it.
	Padding []byte
	// MAC, when not nil, replaces the computed MAC (any length).
	MAC []byte
	// FlipMAC inverts the first bit of the computed MAC.
	FlipMAC bool
	// NoMAC sends the content without a MAC (Lucky Minus 20 style records).
	NoMAC bool
}

// sealCBC encrypts content as a CBC record payload.
func (cs *cipherState) sealCBC(typ uint8, content []byte, tw CBCRecord, rnd func([]byte) error) ([]byte, error) {
	var mac []byte
	switch {
	case tw.NoMAC:
	case tw.MAC != nil:
		mac = tw.MAC
	default:
		mac = cs.mac(cs.seq, typ, content)
		if tw.FlipMAC {
			mac[0] ^= 0x80
		}
	}
	plain := slices.Concat(content, mac)
	pad := tw.Padding
	if pad == nil {
		n := aes.BlockSize - len(plain)%aes.BlockSize
		pad = make([]byte, n)
		for i := range pad {
			pad[i] = byte(n - 1)
		}
	}
	plain = append(plain, pad...)
	if len(plain)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("wire: CBC record of %d bytes is not a whole number of blocks", len(plain))
	}
	iv := cs.iv
	var out []byte
	if cs.version >= registry.VersionTLS11 {
		iv = make([]byte, aes.BlockSize)
		if err := rnd(iv); err != nil {
			return nil, err
		}
		out = append(out, iv...)
	}
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(cs.block, iv).CryptBlocks(ct, plain)
	if cs.version < registry.VersionTLS11 {
		cs.iv = slices.Clone(ct[len(ct)-aes.BlockSize:])
	}
	cs.seq++
	return append(out, ct...), nil
}

// sealGCM encrypts content as a GCM record payload (RFC 5288 3); the
// explicit nonce is the sequence number.
func (cs *cipherState) sealGCM(typ uint8, content []byte) []byte {
	explicit := cs.header(cs.seq, 0, 0)[:8]
	nonce := slices.Concat(cs.salt, explicit)
	out := cs.aead.Seal(slices.Clone(explicit), nonce, content, cs.header(cs.seq, typ, len(content)))
	cs.seq++
	return out
}

// ErrBadRecordMAC is returned when a received record does not decrypt or
// authenticate.
var ErrBadRecordMAC = fmt.Errorf("wire: record failed to decrypt or authenticate (bad_record_mac)")

// open decrypts and authenticates a record payload. laxPadding accepts any
// padding bytes as long as the length byte fits (the POODLE-over-TLS bug;
// only scripted vulnerable servers set it).
func (cs *cipherState) open(typ uint8, payload []byte, laxPadding bool) ([]byte, error) {
	if cs.suite.GCM {
		if len(payload) < 8+cs.aead.Overhead() {
			return nil, ErrBadRecordMAC
		}
		nonce := slices.Concat(cs.salt, payload[:8])
		n := len(payload) - 8 - cs.aead.Overhead()
		plain, err := cs.aead.Open(nil, nonce, payload[8:], cs.header(cs.seq, typ, n))
		if err != nil {
			return nil, ErrBadRecordMAC
		}
		cs.seq++
		return plain, nil
	}
	iv := cs.iv
	if cs.version >= registry.VersionTLS11 {
		if len(payload) < aes.BlockSize {
			return nil, ErrBadRecordMAC
		}
		iv, payload = payload[:aes.BlockSize], payload[aes.BlockSize:]
	}
	macLen := cs.suite.MACLen()
	if len(payload) == 0 || len(payload)%aes.BlockSize != 0 || len(payload) < macLen+1 {
		return nil, ErrBadRecordMAC
	}
	plain := make([]byte, len(payload))
	cipher.NewCBCDecrypter(cs.block, iv).CryptBlocks(plain, payload)
	if cs.version < registry.VersionTLS11 {
		cs.iv = slices.Clone(payload[len(payload)-aes.BlockSize:])
	}
	padLen := int(plain[len(plain)-1])
	if padLen+1+macLen > len(plain) {
		return nil, ErrBadRecordMAC
	}
	if !laxPadding {
		for _, b := range plain[len(plain)-1-padLen:] {
			if int(b) != padLen {
				return nil, ErrBadRecordMAC
			}
		}
	}
	body := plain[:len(plain)-1-padLen]
	content, mac := body[:len(body)-macLen], body[len(body)-macLen:]
	if !hmac.Equal(mac, cs.mac(cs.seq, typ, content)) {
		return nil, ErrBadRecordMAC
	}
	cs.seq++
	return content, nil
}
