package wire

import (
	"bytes"

	"golang.org/x/crypto/cryptobyte"
)

// helloRetryRequestRandom is the ServerHello.random of a HelloRetryRequest
// (RFC 8446 4.1.3).
var helloRetryRequestRandom = []byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// Downgrade sentinels in the last 8 bytes of ServerHello.random (RFC 8446 4.1.3).
var (
	downgradeTLS12 = []byte{0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01}
	downgradeTLS11 = []byte{0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00}
)

// ServerHello is a decoded ServerHello (or HelloRetryRequest).
type ServerHello struct {
	Raw         []byte // ParseServerHello: the body; Exchange: the whole message with its 4-byte header (for transcripts)
	Version     uint16 // legacy_version
	Random      []byte
	SessionID   []byte
	CipherSuite uint16
	Compression uint8
	Extensions  []Extension // in order received

	IsHelloRetryRequest  bool      // random == the HRR magic
	SupportedVersion     uint16    // from supported_versions, 0 if absent
	KeyShare             *KeyShare // TLS 1.3 server share (nil in HRR)
	SelectedGroup        uint16    // HRR key_share selected_group
	Cookie               []byte    // HRR cookie
	ALPN                 string
	SecureRenegotiation  bool // renegotiation_info present
	RenegotiationInfo    []byte
	ExtendedMasterSecret bool
	EncryptThenMAC       bool
	SessionTicket        bool
	StatusRequest        bool
	SCT                  bool
	SCTList              [][]byte // SCTs from the extension (TLS <= 1.2)
	Heartbeat            uint8    // heartbeat mode, 0 if absent
	ECPointFormats       []uint8
	Downgrade            string // "tls12"/"tls11" if the random carries the RFC 8446 4.1.3 sentinel
}

// NegotiatedVersion is SupportedVersion if set, else Version.
func (sh *ServerHello) NegotiatedVersion() uint16 {
	if sh.SupportedVersion != 0 {
		return sh.SupportedVersion
	}
	return sh.Version
}

// HasExtension reports whether the server sent extension t.
func (sh *ServerHello) HasExtension(t uint16) bool {
	for _, e := range sh.Extensions {
		if e.Type == t {
			return true
		}
	}
	return false
}

// parseExtensionBlock reads an optional extensions block (absent when s is
// empty), rejecting trailing data and duplicate types.
func parseExtensionBlock(msg string, s cryptobyte.String) ([]Extension, error) {
	if s.Empty() {
		return nil, nil
	}
	var block cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&block) {
		return nil, decodeErr(msg, "truncated in extensions")
	}
	if !s.Empty() {
		return nil, decodeErr(msg, "%d bytes of trailing data after extensions", len(s))
	}
	var exts []Extension
	seen := map[uint16]bool{}
	for !block.Empty() {
		var t uint16
		var data cryptobyte.String
		if !block.ReadUint16(&t) || !block.ReadUint16LengthPrefixed(&data) {
			return nil, decodeErr(msg, "truncated in extensions")
		}
		if seen[t] {
			return nil, decodeErr(msg, "duplicate extension %s", ExtensionName(t))
		}
		seen[t] = true
		exts = append(exts, Extension{Type: t, Data: bytes.Clone(data)})
	}
	return exts, nil
}

// ParseServerHello decodes a ServerHello body (without the 4-byte handshake
// header), RFC 8446 4.1.3 / RFC 5246 7.4.1.3. Known extensions are decoded
// into fields; unknown ones stay in Extensions only.
func ParseServerHello(body []byte) (*ServerHello, error) {
	const m = "server_hello"
	sh := &ServerHello{Raw: bytes.Clone(body)}
	s := cryptobyte.String(body)
	var random, sid []byte
	if !s.ReadUint16(&sh.Version) {
		return nil, decodeErr(m, "truncated in version")
	}
	if !s.ReadBytes(&random, 32) {
		return nil, decodeErr(m, "truncated in random")
	}
	if !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&sid)) {
		return nil, decodeErr(m, "truncated in session_id")
	}
	if len(sid) > 32 {
		return nil, decodeErr(m, "session_id of %d bytes", len(sid))
	}
	if !s.ReadUint16(&sh.CipherSuite) {
		return nil, decodeErr(m, "truncated in cipher_suite")
	}
	if !s.ReadUint8(&sh.Compression) {
		return nil, decodeErr(m, "truncated in compression_method")
	}
	sh.Random = bytes.Clone(random)
	sh.SessionID = bytes.Clone(sid)
	sh.IsHelloRetryRequest = bytes.Equal(random, helloRetryRequestRandom)
	switch {
	case bytes.Equal(random[24:], downgradeTLS12):
		sh.Downgrade = "tls12"
	case bytes.Equal(random[24:], downgradeTLS11):
		sh.Downgrade = "tls11"
	}
	exts, err := parseExtensionBlock(m, s)
	if err != nil {
		return nil, err
	}
	sh.Extensions = exts
	for _, e := range exts {
		if err := sh.decodeExtension(e); err != nil {
			return nil, err
		}
	}
	return sh, nil
}

func (sh *ServerHello) decodeExtension(e Extension) error {
	const m = "server_hello"
	d := cryptobyte.String(e.Data)
	bad := func() error { return decodeErr(m, "malformed %s extension", ExtensionName(e.Type)) }
	switch e.Type {
	case ExtSupportedVersions:
		if !d.ReadUint16(&sh.SupportedVersion) || !d.Empty() {
			return bad()
		}
	case ExtKeyShare:
		if sh.IsHelloRetryRequest {
			if !d.ReadUint16(&sh.SelectedGroup) || !d.Empty() {
				return bad()
			}
			break
		}
		var ks KeyShare
		var data cryptobyte.String
		if !d.ReadUint16(&ks.Group) || !d.ReadUint16LengthPrefixed(&data) || !d.Empty() || data.Empty() {
			return bad()
		}
		ks.Data = bytes.Clone(data)
		sh.KeyShare = &ks
	case ExtCookie:
		var c cryptobyte.String
		if !d.ReadUint16LengthPrefixed(&c) || !d.Empty() || c.Empty() {
			return bad()
		}
		sh.Cookie = bytes.Clone(c)
	case ExtALPN:
		alpn, ok := parseALPN(d)
		if !ok {
			return bad()
		}
		sh.ALPN = alpn
	case ExtRenegotiationInfo:
		var ri cryptobyte.String
		if !d.ReadUint8LengthPrefixed(&ri) || !d.Empty() {
			return bad()
		}
		sh.SecureRenegotiation = true
		sh.RenegotiationInfo = bytes.Clone(ri)
	case ExtExtendedMasterSecret:
		sh.ExtendedMasterSecret = true
	case ExtEncryptThenMAC:
		sh.EncryptThenMAC = true
	case ExtSessionTicket:
		sh.SessionTicket = true
	case ExtStatusRequest:
		sh.StatusRequest = true
	case ExtSCT:
		sh.SCT = true
		if d.Empty() {
			break // TLS <= 1.2 servers may send the list in the extension or not at all
		}
		list, ok := parseSCTList(d)
		if !ok {
			return bad()
		}
		sh.SCTList = list
	case ExtHeartbeat:
		if !d.ReadUint8(&sh.Heartbeat) || !d.Empty() {
			return bad()
		}
	case ExtECPointFormats:
		var f cryptobyte.String
		if !d.ReadUint8LengthPrefixed(&f) || !d.Empty() || f.Empty() {
			return bad()
		}
		sh.ECPointFormats = bytes.Clone(f)
	}
	return nil
}

// parseALPN reads a ProtocolNameList holding exactly one name (RFC 7301 3.1).
func parseALPN(d cryptobyte.String) (string, bool) {
	var list, proto cryptobyte.String
	if !d.ReadUint16LengthPrefixed(&list) || !d.Empty() {
		return "", false
	}
	if !list.ReadUint8LengthPrefixed(&proto) || proto.Empty() || !list.Empty() {
		return "", false
	}
	return string(proto), true
}

// parseSCTList reads a SignedCertificateTimestampList (RFC 6962 3.3).
func parseSCTList(d cryptobyte.String) ([][]byte, bool) {
	var list cryptobyte.String
	if !d.ReadUint16LengthPrefixed(&list) || !d.Empty() {
		return nil, false
	}
	var out [][]byte
	for !list.Empty() {
		var sct cryptobyte.String
		if !list.ReadUint16LengthPrefixed(&sct) || sct.Empty() {
			return nil, false
		}
		out = append(out, bytes.Clone(sct))
	}
	return out, true
}
