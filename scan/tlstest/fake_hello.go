package tlstest

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
)

// TLS record content types and handshake message types used by the scripted
// servers.
const (
	recordCCS       = 20
	recordAlert     = 21
	recordHandshake = 22

	hsClientHello       = 1
	hsServerHello       = 2
	hsCertificate       = 11
	hsServerKeyExchange = 12
	hsServerHelloDone   = 14
	hsClientKeyExchange = 16

	extServerName        = 0x0000
	extSupportedGroups   = 0x000a
	extECPointFormats    = 0x000b
	extSignatureAlgs     = 0x000d
	extSupportedVersions = 0x002b
	extKeyShare          = 0x0033
	extRenegotiationInfo = 0xff01

	suiteRenegotiationSCSV = 0x00ff
	suiteFallbackSCSV      = 0x5600

	maxRecordPayload = 16384 + 2048 // TLSCiphertext limit
)

// errNotHandshake is returned when the client's first record is not a
// handshake record (or an SSLv2 hello).
var errNotHandshake = errors.New("tlstest: client did not send a handshake record")

// clientHello is what the scripted servers need to know of a ClientHello.
type clientHello struct {
	V2      bool   // arrived in SSLv2 record format
	Version uint16 // client_version (legacy_version)
	// RecordVersion is the version in the record header (0 for SSLv2 format).
	RecordVersion uint16
	Random        []byte // 32 bytes (SSLv2 challenge, left-padded with zeros)
	SessionID     []byte
	Suites        []uint16 // TLS suites (from SSLv2 hellos: kinds 0x00XXXX)
	V2Kinds       []uint32 // SSLv2 cipher kinds (every 3-byte spec of an SSLv2 hello)
	Compression   []uint8
	Extensions    []uint16 // extension types in the order sent
	ServerName    string
	Groups        []uint16
	PointFormats  []uint8
	SigAlgs       []uint16
	// SupportedVersions lists the supported_versions extension, if sent.
	SupportedVersions []uint16
	KeyShares         []keyShare
	RenegInfo         bool // renegotiation_info extension or SCSV offered
	// Len is the length of the hello message (handshake body for TLS, the
	// whole SSLv2 message for SSLv2).
	Len int
}

type keyShare struct {
	Group uint16
	Data  []byte
}

func (ch *clientHello) hasSuite(id uint16) bool {
	for _, s := range ch.Suites {
		if s == id {
			return true
		}
	}
	return false
}

func (ch *clientHello) hasExtension(id uint16) bool {
	for _, e := range ch.Extensions {
		if e == id {
			return true
		}
	}
	return false
}

// maxVersion is the highest version the client offered: supported_versions
// when present (and understood), else client_version.
func (ch *clientHello) maxVersion() uint16 {
	m := ch.Version
	for _, v := range ch.SupportedVersions {
		if v&0x0f0f == 0x0a0a { // GREASE
			continue
		}
		if v > m {
			m = v
		}
	}
	return m
}

// parseClientHello parses a TLS ClientHello handshake body (without the 4-byte
// handshake header).
func parseClientHello(body []byte) (*clientHello, error) {
	ch := &clientHello{Len: len(body)}
	s := cryptobyte.String(body)
	var random, sid, suites, comp cryptobyte.String
	if !s.ReadUint16(&ch.Version) || !s.ReadBytes((*[]byte)(&random), 32) ||
		!s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16LengthPrefixed(&suites) ||
		!s.ReadUint8LengthPrefixed(&comp) {
		return nil, errors.New("tlstest: malformed ClientHello")
	}
	if len(sid) > 32 {
		return nil, errors.New("tlstest: ClientHello session_id longer than 32 bytes")
	}
	if len(suites)%2 != 0 || len(suites) == 0 {
		return nil, errors.New("tlstest: malformed ClientHello cipher_suites")
	}
	if len(comp) == 0 {
		return nil, errors.New("tlstest: ClientHello has no compression methods")
	}
	ch.Random = append([]byte(nil), random...)
	ch.SessionID = append([]byte(nil), sid...)
	for !suites.Empty() {
		var id uint16
		suites.ReadUint16(&id)
		ch.Suites = append(ch.Suites, id)
		if id == suiteRenegotiationSCSV {
			ch.RenegInfo = true
		}
	}
	ch.Compression = append([]byte(nil), comp...)
	if s.Empty() {
		return ch, nil // no extensions (SSLv3 style)
	}
	var exts cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&exts) || !s.Empty() {
		return nil, errors.New("tlstest: malformed ClientHello extensions")
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return nil, errors.New("tlstest: malformed ClientHello extension")
		}
		ch.Extensions = append(ch.Extensions, typ)
		if err := ch.parseExtension(typ, data); err != nil {
			return nil, err
		}
	}
	return ch, nil
}

func (ch *clientHello) parseExtension(typ uint16, data cryptobyte.String) error {
	bad := func() error { return fmt.Errorf("tlstest: malformed ClientHello extension 0x%04x", typ) }
	switch typ {
	case extServerName:
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) {
			return bad()
		}
		for !list.Empty() {
			var nameType uint8
			var name cryptobyte.String
			if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) {
				return bad()
			}
			if nameType == 0 && ch.ServerName == "" {
				ch.ServerName = string(name)
			}
		}
	case extSupportedGroups:
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) || len(list)%2 != 0 {
			return bad()
		}
		for !list.Empty() {
			var g uint16
			list.ReadUint16(&g)
			ch.Groups = append(ch.Groups, g)
		}
	case extECPointFormats:
		var list cryptobyte.String
		if !data.ReadUint8LengthPrefixed(&list) {
			return bad()
		}
		ch.PointFormats = append([]byte(nil), list...)
	case extSignatureAlgs:
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) || len(list)%2 != 0 {
			return bad()
		}
		for !list.Empty() {
			var a uint16
			list.ReadUint16(&a)
			ch.SigAlgs = append(ch.SigAlgs, a)
		}
	case extSupportedVersions:
		var list cryptobyte.String
		if !data.ReadUint8LengthPrefixed(&list) || len(list)%2 != 0 {
			return bad()
		}
		for !list.Empty() {
			var v uint16
			list.ReadUint16(&v)
			ch.SupportedVersions = append(ch.SupportedVersions, v)
		}
	case extKeyShare:
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) {
			return bad()
		}
		for !list.Empty() {
			var ks keyShare
			var kx cryptobyte.String
			if !list.ReadUint16(&ks.Group) || !list.ReadUint16LengthPrefixed(&kx) {
				return bad()
			}
			ks.Data = append([]byte(nil), kx...)
			ch.KeyShares = append(ch.KeyShares, ks)
		}
	case extRenegotiationInfo:
		ch.RenegInfo = true
	}
	return nil
}

// parseSSLv2ClientHello parses an SSLv2 CLIENT-HELLO message (the record body,
// starting with the message type byte 1).
func parseSSLv2ClientHello(msg []byte) (*clientHello, error) {
	s := cryptobyte.String(msg)
	var typ uint8
	var specLen, sidLen, chalLen uint16
	ch := &clientHello{V2: true, Len: len(msg)}
	if !s.ReadUint8(&typ) || typ != 1 || !s.ReadUint16(&ch.Version) ||
		!s.ReadUint16(&specLen) || !s.ReadUint16(&sidLen) || !s.ReadUint16(&chalLen) {
		return nil, errors.New("tlstest: malformed SSLv2 CLIENT-HELLO")
	}
	var specs, sid, chal []byte
	if specLen%3 != 0 || specLen == 0 || !s.ReadBytes(&specs, int(specLen)) ||
		!s.ReadBytes(&sid, int(sidLen)) || !s.ReadBytes(&chal, int(chalLen)) || !s.Empty() {
		return nil, errors.New("tlstest: malformed SSLv2 CLIENT-HELLO lengths")
	}
	if chalLen < 16 || chalLen > 32 || sidLen > 32 {
		return nil, errors.New("tlstest: SSLv2 CLIENT-HELLO challenge or session id of bad length")
	}
	for i := 0; i < len(specs); i += 3 {
		kind := uint32(specs[i])<<16 | uint32(specs[i+1])<<8 | uint32(specs[i+2])
		ch.V2Kinds = append(ch.V2Kinds, kind)
		if specs[i] == 0 {
			id := uint16(kind)
			ch.Suites = append(ch.Suites, id)
			if id == suiteRenegotiationSCSV {
				ch.RenegInfo = true
			}
		}
	}
	ch.SessionID = append([]byte(nil), sid...)
	ch.Random = make([]byte, 32)
	copy(ch.Random[32-len(chal):], chal)
	ch.Compression = []byte{0}
	return ch, nil
}

// readRecord reads one TLS record, refusing payloads above maxRecordPayload.
func readRecord(r io.Reader) (typ uint8, vers uint16, payload []byte, err error) {
	var hdr [5]byte
	if _, err = io.ReadFull(r, hdr[:]); err != nil {
		return 0, 0, nil, err
	}
	n := int(hdr[3])<<8 | int(hdr[4])
	if n > maxRecordPayload {
		return 0, 0, nil, fmt.Errorf("tlstest: record of %d bytes is too long", n)
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return 0, 0, nil, err
	}
	return hdr[0], uint16(hdr[1])<<8 | uint16(hdr[2]), payload, nil
}

// readClientHello reads a ClientHello in TLS or SSLv2 record format from r.
// A TLS hello may be fragmented over several records; ChangeCipherSpec
// records before it are skipped (TLS 1.3 compatibility mode). maxLen caps the
// handshake message size.
func readClientHello(r io.Reader, maxLen int) (*clientHello, error) {
	var first [2]byte
	if _, err := io.ReadFull(r, first[:]); err != nil {
		return nil, err
	}
	if first[0]&0x80 != 0 {
		// SSLv2 two-byte header, no padding.
		n := int(first[0]&0x7f)<<8 | int(first[1])
		if n > maxLen {
			return nil, fmt.Errorf("tlstest: SSLv2 hello of %d bytes is too long", n)
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(r, msg); err != nil {
			return nil, err
		}
		return parseSSLv2ClientHello(msg)
	}
	rr := io.MultiReader(bytes.NewReader(first[:]), r)
	var msg []byte
	var recVers uint16
	for {
		typ, vers, payload, err := readRecord(rr)
		if err != nil {
			return nil, err
		}
		if typ == recordCCS && len(msg) == 0 {
			continue
		}
		if typ != recordHandshake {
			return nil, errNotHandshake
		}
		if recVers == 0 {
			recVers = vers
		}
		msg = append(msg, payload...)
		if len(msg) < 4 {
			continue
		}
		if msg[0] != hsClientHello {
			return nil, fmt.Errorf("tlstest: expected ClientHello, got handshake type %d", msg[0])
		}
		n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
		if n > maxLen {
			return nil, fmt.Errorf("tlstest: ClientHello of %d bytes is too long", n)
		}
		if len(msg) >= 4+n {
			ch, err := parseClientHello(msg[4 : 4+n])
			if err != nil {
				return nil, err
			}
			ch.RecordVersion = recVers
			return ch, nil
		}
	}
}
