package wire

import (
	"bytes"

	"golang.org/x/crypto/cryptobyte"
)

// RawClientHello is a ClientHello decoded without losing anything: the
// suites, compression methods and extensions keep their wire order
// (GREASE values included), and Marshal gives back the exact bytes parsed.
// The decoded fields below Extensions are read-only conveniences; edit
// Extensions (and the header fields) to change what Marshal sends.
type RawClientHello struct {
	Version            uint16 // legacy_version
	Random             []byte // 32 bytes
	SessionID          []byte
	CipherSuites       []uint16
	CompressionMethods []uint8
	// Extensions in wire order. ExtensionBlock is true when the message has
	// an extensions block (possibly empty), false for a bare SSLv3-style hello.
	Extensions     []Extension
	ExtensionBlock bool

	// Decoded from Extensions by ParseClientHello.
	ServerName          string     // host_name of server_name; "" if absent
	SupportedGroups     []uint16   // supported_groups
	KeyShares           []KeyShare // key_share entries
	SupportedVersions   []uint16   // supported_versions
	SignatureAlgorithms []uint16   // signature_algorithms
	ALPN                []string   // application_layer_protocol_negotiation
}

// maxClientHello bounds the ClientHello messages ParseClientHello accepts
// (a TLS handshake message length is 24 bits; real ones are a few kB).
const maxClientHello = 1 << 17

// ParseClientHello decodes a ClientHello handshake message (type(1) +
// length(3) + body, RFC 8446 4.1.2 / RFC 5246 7.4.1.2). Malformed
// server_name, supported_groups, key_share, supported_versions,
// signature_algorithms and ALPN extensions are errors; other extensions are
// kept opaque.
func ParseClientHello(msg []byte) (*RawClientHello, error) {
	const m = "client_hello"
	if len(msg) > maxClientHello {
		return nil, decodeErr(m, "message of %d bytes exceeds %d", len(msg), maxClientHello)
	}
	s := cryptobyte.String(msg)
	var typ uint8
	var body cryptobyte.String
	if !s.ReadUint8(&typ) || !s.ReadUint24LengthPrefixed(&body) {
		return nil, decodeErr(m, "truncated handshake header")
	}
	if typ != TypeClientHello {
		return nil, decodeErr(m, "handshake type %s, want ClientHello", HandshakeName(typ))
	}
	if !s.Empty() {
		return nil, decodeErr(m, "%d bytes after the message", len(s))
	}
	ch := &RawClientHello{}
	var random, sid, suites, comp cryptobyte.String
	if !body.ReadUint16(&ch.Version) || !body.ReadBytes((*[]byte)(&random), 32) ||
		!body.ReadUint8LengthPrefixed(&sid) || !body.ReadUint16LengthPrefixed(&suites) ||
		!body.ReadUint8LengthPrefixed(&comp) {
		return nil, decodeErr(m, "truncated before the extensions")
	}
	if len(sid) > 32 {
		return nil, decodeErr(m, "session_id of %d bytes", len(sid))
	}
	if len(suites)%2 != 0 || len(suites) == 0 {
		return nil, decodeErr(m, "cipher_suites of %d bytes", len(suites))
	}
	if comp.Empty() {
		return nil, decodeErr(m, "no compression method")
	}
	ch.Random, ch.SessionID, ch.CompressionMethods = bytes.Clone(random), bytes.Clone(sid), bytes.Clone(comp)
	ch.CipherSuites = make([]uint16, 0, len(suites)/2)
	for !suites.Empty() {
		var id uint16
		suites.ReadUint16(&id)
		ch.CipherSuites = append(ch.CipherSuites, id)
	}
	ch.ExtensionBlock = !body.Empty()
	exts, err := parseExtensionBlock(m, body)
	if err != nil {
		return nil, err
	}
	ch.Extensions = exts
	for _, e := range exts {
		if err := ch.decodeExtension(e); err != nil {
			return nil, err
		}
	}
	return ch, nil
}

func (ch *RawClientHello) decodeExtension(e Extension) error {
	d := cryptobyte.String(e.Data)
	bad := func() error { return decodeErr("client_hello", "malformed %s extension", ExtensionName(e.Type)) }
	switch e.Type {
	case ExtServerName:
		// RFC 6066 3: an empty extension is allowed (server side); else a list.
		if d.Empty() {
			return nil
		}
		var list cryptobyte.String
		if !d.ReadUint16LengthPrefixed(&list) || !d.Empty() {
			return bad()
		}
		for !list.Empty() {
			var typ uint8
			var name cryptobyte.String
			if !list.ReadUint8(&typ) || !list.ReadUint16LengthPrefixed(&name) {
				return bad()
			}
			if typ == 0 && ch.ServerName == "" {
				ch.ServerName = string(name)
			}
		}
	case ExtSupportedGroups:
		v, ok := readU16List(&d, 2)
		if !ok || !d.Empty() {
			return bad()
		}
		ch.SupportedGroups = v
	case ExtSignatureAlgorithms:
		v, ok := readU16List(&d, 2)
		if !ok || !d.Empty() {
			return bad()
		}
		ch.SignatureAlgorithms = v
	case ExtSupportedVersions:
		v, ok := readU16List(&d, 1)
		if !ok || !d.Empty() {
			return bad()
		}
		ch.SupportedVersions = v
	case ExtKeyShare:
		var list cryptobyte.String
		if !d.ReadUint16LengthPrefixed(&list) || !d.Empty() {
			return bad()
		}
		ch.KeyShares = []KeyShare{}
		for !list.Empty() {
			var ks KeyShare
			var data cryptobyte.String
			if !list.ReadUint16(&ks.Group) || !list.ReadUint16LengthPrefixed(&data) {
				return bad()
			}
			ks.Data = bytes.Clone(data)
			ch.KeyShares = append(ch.KeyShares, ks)
		}
	case ExtALPN:
		var list cryptobyte.String
		if !d.ReadUint16LengthPrefixed(&list) || !d.Empty() {
			return bad()
		}
		ch.ALPN = []string{}
		for !list.Empty() {
			var p cryptobyte.String
			if !list.ReadUint8LengthPrefixed(&p) || p.Empty() {
				return bad()
			}
			ch.ALPN = append(ch.ALPN, string(p))
		}
	}
	return nil
}

// readU16List reads a list of uint16 values with a lenBytes (1 or 2) length prefix.
func readU16List(d *cryptobyte.String, lenBytes int) ([]uint16, bool) {
	var list cryptobyte.String
	ok := false
	if lenBytes == 1 {
		ok = d.ReadUint8LengthPrefixed(&list)
	} else {
		ok = d.ReadUint16LengthPrefixed(&list)
	}
	if !ok || len(list)%2 != 0 {
		return nil, false
	}
	out := make([]uint16, 0, len(list)/2)
	for !list.Empty() {
		var v uint16
		list.ReadUint16(&v)
		out = append(out, v)
	}
	return out, true
}

// Extension returns the data of the first extension of type t.
func (ch *RawClientHello) Extension(t uint16) ([]byte, bool) {
	for _, e := range ch.Extensions {
		if e.Type == t {
			return e.Data, true
		}
	}
	return nil, false
}

// Marshal encodes the hello as a handshake message, in exactly the order
// held: for a message from ParseClientHello it returns the bytes parsed
// (except that an empty extensions block is left out).
func (ch *RawClientHello) Marshal() ([]byte, error) {
	if len(ch.Random) != 32 {
		return nil, decodeErr("client_hello", "client random of %d bytes, want 32", len(ch.Random))
	}
	return ch.ClientHello(0).Marshal()
}

// ClientHello returns a ClientHello that Exchange sends byte for byte as
// this raw hello: every extension goes verbatim, in order, through
// ExtraExtensions. (A hello whose extensions block is present but empty is
// sent without the block.) recordVersion is the record-layer version; 0
// keeps the ClientHello default.
func (ch *RawClientHello) ClientHello(recordVersion uint16) *ClientHello {
	comp := ch.CompressionMethods
	if comp == nil {
		comp = []uint8{}
	}
	exts := make([]Extension, len(ch.Extensions))
	copy(exts, ch.Extensions)
	return &ClientHello{
		RecordVersion:      recordVersion,
		Version:            ch.Version,
		Random:             bytes.Clone(ch.Random),
		SessionID:          bytes.Clone(ch.SessionID),
		CipherSuites:       append([]uint16{}, ch.CipherSuites...),
		CompressionMethods: comp,
		ExtraExtensions:    exts,
	}
}
