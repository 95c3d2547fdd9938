package wire

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/cryptobyte"
)

// Extension is one raw extension: its type and its extension_data.
type Extension struct {
	Type uint16
	Data []byte
}

// KeyShare is one KeyShareEntry (RFC 8446 4.2.8).
type KeyShare struct {
	Group uint16
	Data  []byte
}

// ClientHello describes a ClientHello to put on the wire. Every field is sent
// as given, so probes can build deliberately unusual hellos. Marshal fills
// Random when it is nil (so a second Marshal sends the same bytes).
type ClientHello struct {
	RecordVersion           uint16 // record-layer version; 0 => 0x0301 (or Version if lower)
	Version                 uint16 // legacy_version
	Random                  []byte // 32 bytes; nil => drawn from Rand (and stored here)
	SessionID               []byte
	CipherSuites            []uint16
	CompressionMethods      []uint8 // nil => {0}
	ServerName              string  // server_name (omitted if empty)
	SupportedGroups         []uint16
	ECPointFormats          []uint8 // ec_point_formats (omitted if nil)
	SignatureAlgorithms     []uint16
	SignatureAlgorithmsCert []uint16
	SupportedVersions       []uint16   // supported_versions (omitted if nil)
	KeyShares               []KeyShare // key_share (omitted if nil; an empty non-nil slice sends an empty list)
	PSKModes                []uint8    // psk_key_exchange_modes (omitted if nil)
	ALPN                    []string
	SecureRenegotiation     bool // renegotiation_info carrying RenegotiationInfo (empty on initial)
	RenegotiationInfo       []byte
	SessionTicket           bool // session_ticket carrying SessionTicketData
	SessionTicketData       []byte
	StatusRequest           bool // status_request, type ocsp, no responders/extensions
	SCT                     bool // signed_certificate_timestamp
	ExtendedMasterSecret    bool
	EncryptThenMAC          bool
	Heartbeat               uint8  // 0: no extension; 1 peer_allowed_to_send; 2 peer_not_allowed_to_send
	Cookie                  []byte // cookie (RFC 8446 4.2.2), echoed from a HelloRetryRequest; omitted if nil
	PaddingTo               int    // RFC 7685 padding so the handshake message is at least this long; 0 none
	// GREASE adds RFC 8701 reserved values to suites, extensions (an empty one
	// first, a one-byte one last), groups, key_share, versions and sigalgs.
	GREASE          bool
	ExtraExtensions []Extension // appended verbatim, after the others
	Rand            io.Reader   // nil => crypto/rand
}

// grease returns GREASE values derived from the random, so a given random
// always gives the same hello.
func (ch *ClientHello) grease(i int) uint16 {
	return greaseValue(int(ch.Random[i%len(ch.Random)]))
}

// extensions returns the extensions in wire order, without padding.
func (ch *ClientHello) extensions() ([]Extension, error) {
	var exts []Extension
	var buildErr error // the first extension too long for its length prefix
	add := func(t uint16, f func(b *cryptobyte.Builder)) {
		b := cryptobyte.NewBuilder(nil)
		if f != nil {
			f(b)
		}
		data, err := b.Bytes()
		if err != nil && buildErr == nil {
			buildErr = fmt.Errorf("wire: encoding extension %d: %w", t, err)
		}
		exts = append(exts, Extension{Type: t, Data: data})
	}
	u16list := func(vals []uint16, g uint16) func(b *cryptobyte.Builder) {
		return func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				if ch.GREASE {
					b.AddUint16(g)
				}
				for _, v := range vals {
					b.AddUint16(v)
				}
			})
		}
	}
	if ch.GREASE {
		add(ch.grease(1), nil)
	}
	if ch.ServerName != "" {
		// RFC 6066 3: ServerNameList of host_name(0).
		add(ExtServerName, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8(0)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddBytes([]byte(ch.ServerName))
				})
			})
		})
	}
	if ch.ExtendedMasterSecret {
		add(ExtExtendedMasterSecret, nil) // RFC 7627 5.1
	}
	if ch.SecureRenegotiation {
		// RFC 5746 3.2
		add(ExtRenegotiationInfo, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ch.RenegotiationInfo) })
		})
	}
	if ch.SupportedGroups != nil {
		add(ExtSupportedGroups, u16list(ch.SupportedGroups, ch.grease(2))) // RFC 8446 4.2.7
	}
	if ch.ECPointFormats != nil {
		// RFC 8422 5.1.2
		add(ExtECPointFormats, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ch.ECPointFormats) })
		})
	}
	if ch.SessionTicket {
		add(ExtSessionTicket, func(b *cryptobyte.Builder) { b.AddBytes(ch.SessionTicketData) }) // RFC 5077 3.2
	}
	if ch.ALPN != nil {
		// RFC 7301 3.1
		for _, p := range ch.ALPN {
			if len(p) == 0 || len(p) > 255 {
				return nil, fmt.Errorf("wire: ALPN protocol name of %d bytes", len(p))
			}
		}
		add(ExtALPN, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, p := range ch.ALPN {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(p)) })
				}
			})
		})
	}
	if ch.StatusRequest {
		// RFC 6066 8: status_type ocsp(1), empty responder_id_list and request_extensions.
		add(ExtStatusRequest, func(b *cryptobyte.Builder) {
			b.AddUint8(1)
			b.AddUint16(0)
			b.AddUint16(0)
		})
	}
	if ch.SignatureAlgorithms != nil {
		add(ExtSignatureAlgorithms, u16list(ch.SignatureAlgorithms, ch.grease(3))) // RFC 8446 4.2.3
	}
	if ch.SCT {
		add(ExtSCT, nil) // RFC 6962 3.3.1
	}
	if ch.KeyShares != nil {
		// RFC 8446 4.2.8
		add(ExtKeyShare, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				if ch.GREASE {
					b.AddUint16(ch.grease(2))
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
				}
				for _, ks := range ch.KeyShares {
					b.AddUint16(ks.Group)
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ks.Data) })
				}
			})
		})
	}
	if ch.PSKModes != nil {
		// RFC 8446 4.2.9
		add(ExtPSKKeyExchangeModes, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ch.PSKModes) })
		})
	}
	if ch.SupportedVersions != nil {
		// RFC 8446 4.2.1
		add(ExtSupportedVersions, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
				if ch.GREASE {
					b.AddUint16(ch.grease(4))
				}
				for _, v := range ch.SupportedVersions {
					b.AddUint16(v)
				}
			})
		})
	}
	if ch.Cookie != nil {
		// RFC 8446 4.2.2
		add(ExtCookie, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ch.Cookie) })
		})
	}
	if ch.SignatureAlgorithmsCert != nil {
		add(ExtSignatureAlgorithmsCert, u16list(ch.SignatureAlgorithmsCert, ch.grease(3))) // RFC 8446 4.2.3
	}
	if ch.EncryptThenMAC {
		add(ExtEncryptThenMAC, nil) // RFC 7366 2
	}
	if ch.Heartbeat != 0 {
		add(ExtHeartbeat, func(b *cryptobyte.Builder) { b.AddUint8(ch.Heartbeat) }) // RFC 6520 2
	}
	if ch.GREASE {
		g := ch.grease(5)
		if g == ch.grease(1) {
			g ^= 0x1010
		}
		add(g, func(b *cryptobyte.Builder) { b.AddUint8(0) })
	}
	return exts, buildErr
}

// Marshal returns the ClientHello handshake message: type(1) + length(3) + body.
func (ch *ClientHello) Marshal() ([]byte, error) {
	if ch.Random == nil {
		r := ch.Rand
		if r == nil {
			r = rand.Reader
		}
		ch.Random = make([]byte, 32)
		if _, err := io.ReadFull(r, ch.Random); err != nil {
			return nil, fmt.Errorf("wire: drawing the client random: %w", err)
		}
	}
	if len(ch.Random) != 32 {
		return nil, fmt.Errorf("wire: client random of %d bytes, want 32", len(ch.Random))
	}
	exts, err := ch.extensions()
	if err != nil {
		return nil, err
	}
	build := func(exts []Extension) ([]byte, error) {
		// RFC 8446 4.1.2 / RFC 5246 7.4.1.2
		size := 4 + 2 + 32 + 1 + len(ch.SessionID) + 2 + 2 + 2*len(ch.CipherSuites) + 1 + 1 + len(ch.CompressionMethods) + 2
		for _, e := range exts {
			size += 4 + len(e.Data)
		}
		b := cryptobyte.NewBuilder(make([]byte, 0, size))
		b.AddUint8(TypeClientHello)
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16(ch.Version)
			b.AddBytes(ch.Random)
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ch.SessionID) })
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				if ch.GREASE {
					b.AddUint16(ch.grease(0))
				}
				suites := make([]byte, 2*len(ch.CipherSuites))
				for i, s := range ch.CipherSuites {
					binary.BigEndian.PutUint16(suites[2*i:], s)
				}
				b.AddBytes(suites)
			})
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
				if ch.CompressionMethods == nil {
					b.AddUint8(0)
				} else {
					b.AddBytes(ch.CompressionMethods)
				}
			})
			if len(exts) > 0 {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					for _, e := range exts {
						b.AddUint16(e.Type)
						b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.Data) })
					}
				})
			}
		})
		out, err := b.Bytes()
		if err != nil {
			return nil, fmt.Errorf("wire: encoding ClientHello: %w", err)
		}
		return out, nil
	}
	all := append(exts, ch.ExtraExtensions...)
	msg, err := build(all)
	if err != nil || ch.PaddingTo <= len(msg) {
		return msg, err
	}
	// RFC 7685: a padding extension (before the extra extensions, which may
	// have to stay last, e.g. pre_shared_key) brings the message to PaddingTo.
	n := ch.PaddingTo - len(msg) - 4
	if len(all) == 0 {
		n -= 2 // the extensions block length
	}
	if n < 0 {
		n = 0
	}
	padded := append(append(exts[:len(exts):len(exts)], Extension{Type: ExtPadding, Data: make([]byte, n)}), ch.ExtraExtensions...)
	return build(padded)
}

// MaxPlaintext is the largest TLSPlaintext fragment (RFC 8446 5.1).
const MaxPlaintext = 16384

// EncodeRecords splits payload into records of content type typ and at most
// fragment bytes each (MaxPlaintext when fragment <= 0). An empty payload
// gives one empty record.
func EncodeRecords(typ uint8, version uint16, payload []byte, fragment int) []byte {
	if fragment <= 0 {
		fragment = MaxPlaintext
	}
	out := make([]byte, 0, len(payload)+5*(len(payload)/fragment+1))
	for first := true; first || len(payload) > 0; first = false {
		n := min(len(payload), fragment)
		out = append(out, typ, byte(version>>8), byte(version), byte(n>>8), byte(n))
		out = append(out, payload[:n]...)
		payload = payload[n:]
	}
	return out
}

// recordVersion is the record-layer version to send the hello with.
func (ch *ClientHello) recordVersion() uint16 {
	if ch.RecordVersion != 0 {
		return ch.RecordVersion
	}
	if ch.Version != 0 && ch.Version < registry.VersionTLS10 {
		return ch.Version
	}
	return registry.VersionTLS10
}

// MarshalRecords returns the ClientHello in handshake records, fragmented at
// 16384 bytes.
func (ch *ClientHello) MarshalRecords() ([]byte, error) {
	msg, err := ch.Marshal()
	if err != nil {
		return nil, err
	}
	return EncodeRecords(RecordHandshake, ch.recordVersion(), msg, 0), nil
}

// ForRetry returns the second ClientHello answering a HelloRetryRequest (RFC
// 8446 4.1.2): the same hello with key_share replaced by share and the
// cookie echoed. The caller generates share for hrr.SelectedGroup.
func (ch *ClientHello) ForRetry(hrr *ServerHello, share KeyShare) *ClientHello {
	c := *ch
	c.KeyShares = []KeyShare{share}
	c.Cookie = hrr.Cookie
	return &c
}
