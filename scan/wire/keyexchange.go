package wire

import (
	"bytes"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/cryptobyte"
)

// ServerKeyExchange is a decoded TLS <= 1.2 ServerKeyExchange.
type ServerKeyExchange struct {
	Raw []byte
	// Params are the signed parameter bytes (everything before the signature).
	Params []byte
	// ECDHE: CurveType 3 named_curve.
	NamedCurve uint16
	Point      []byte
	// DHE
	P, G, Ys []byte
	// RSA export (RFC 2246 7.4.3): the temporary RSA key.
	Modulus, Exponent []byte
	// PSK suites: psk_identity_hint (RFC 4279 2).
	PSKIdentityHint []byte
	SigAlg          uint16 // TLS 1.2 SignatureAndHashAlgorithm; 0 when absent (TLS <= 1.1, anonymous)
	Signature       []byte
}

// kxKind normalises a key-exchange name ("ECDHE_RSA", "DHE-DSS",
// "RSA_EXPORT", ...) to the ServerKeyExchange layout it implies.
func kxKind(kx string) string {
	k := strings.ToUpper(strings.ReplaceAll(kx, "-", "_"))
	switch {
	case strings.HasSuffix(k, "_PSK") || k == "PSK":
		switch {
		case strings.HasPrefix(k, "ECDHE"):
			return "ECDHE_PSK"
		case strings.HasPrefix(k, "DHE"):
			return "DHE_PSK"
		}
		return "PSK" // PSK, RSA_PSK: only the hint
	case strings.HasPrefix(k, "ECDH_ANON"):
		return "ECDH_anon"
	case strings.HasPrefix(k, "DH_ANON"):
		return "DH_anon"
	case strings.HasPrefix(k, "ECDHE"):
		return "ECDHE"
	case strings.HasPrefix(k, "DHE"), strings.HasPrefix(k, "EDH"):
		return "DHE"
	case strings.HasPrefix(k, "RSA"):
		return "RSA"
	}
	return ""
}

// ParseServerKeyExchange decodes a ServerKeyExchange body. kx names the
// suite's key exchange: "ECDHE" (RFC 8422 5.4), "DHE" (RFC 5246 7.4.3),
// "RSA" (export RSA), "DH_anon"/"ECDH_anon" (no signature), "PSK",
// "DHE_PSK", "ECDHE_PSK" (RFC 4279, RFC 5489); suffixes like "_RSA" or
// "_ECDSA" are accepted. version decides whether the signature carries a
// SignatureAndHashAlgorithm (TLS 1.2) or not.
func ParseServerKeyExchange(body []byte, kx string, version uint16) (*ServerKeyExchange, error) {
	const m = "server_key_exchange"
	ske := &ServerKeyExchange{Raw: bytes.Clone(body)}
	s := cryptobyte.String(body)
	kind := kxKind(kx)
	read16 := func(dst *[]byte, field string) error {
		var v cryptobyte.String
		if !s.ReadUint16LengthPrefixed(&v) {
			return decodeErr(m, "truncated in %s", field)
		}
		if v.Empty() && field != "psk_identity_hint" {
			return decodeErr(m, "empty %s", field)
		}
		*dst = bytes.Clone(v)
		return nil
	}
	readEC := func() error {
		var curveType uint8
		if !s.ReadUint8(&curveType) {
			return decodeErr(m, "truncated in curve_type")
		}
		if curveType != 3 {
			return decodeErr(m, "curve_type %d (explicit curve parameters) not supported", curveType)
		}
		var point cryptobyte.String
		if !s.ReadUint16(&ske.NamedCurve) {
			return decodeErr(m, "truncated in named_curve")
		}
		if !s.ReadUint8LengthPrefixed(&point) {
			return decodeErr(m, "truncated in public point")
		}
		if point.Empty() {
			return decodeErr(m, "empty public point")
		}
		ske.Point = bytes.Clone(point)
		return nil
	}
	readDH := func() error {
		if err := read16(&ske.P, "dh_p"); err != nil {
			return err
		}
		if err := read16(&ske.G, "dh_g"); err != nil {
			return err
		}
		return read16(&ske.Ys, "dh_Ys")
	}
	var err error
	signed := true
	switch kind {
	case "ECDHE", "ECDH_anon":
		err = readEC()
		signed = kind == "ECDHE"
	case "DHE", "DH_anon":
		err = readDH()
		signed = kind == "DHE"
	case "RSA":
		if err = read16(&ske.Modulus, "rsa_modulus"); err == nil {
			err = read16(&ske.Exponent, "rsa_exponent")
		}
	case "PSK", "DHE_PSK", "ECDHE_PSK":
		signed = false
		err = read16(&ske.PSKIdentityHint, "psk_identity_hint")
		if err == nil && kind == "DHE_PSK" {
			err = readDH()
		} else if err == nil && kind == "ECDHE_PSK" {
			err = readEC()
		}
	default:
		return nil, decodeErr(m, "unsupported key exchange %q", kx)
	}
	if err != nil {
		return nil, err
	}
	ske.Params = ske.Raw[:len(body)-len(s)]
	if signed {
		if version >= registry.VersionTLS12 && !s.ReadUint16(&ske.SigAlg) {
			return nil, decodeErr(m, "truncated in signature algorithm")
		}
		var sig cryptobyte.String
		if !s.ReadUint16LengthPrefixed(&sig) {
			return nil, decodeErr(m, "truncated in signature")
		}
		ske.Signature = bytes.Clone(sig)
	}
	if !s.Empty() {
		return nil, decodeErr(m, "%d bytes of trailing data", len(s))
	}
	return ske, nil
}
