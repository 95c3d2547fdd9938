package wire

import (
	"errors"
	"fmt"
)

// Alert levels.
const (
	AlertLevelWarning uint8 = 1
	AlertLevelFatal   uint8 = 2
)

// Alert descriptions (IANA TLS Alerts registry).
const (
	AlertCloseNotify                  uint8 = 0
	AlertUnexpectedMessage            uint8 = 10
	AlertBadRecordMAC                 uint8 = 20
	AlertDecryptionFailed             uint8 = 21
	AlertRecordOverflow               uint8 = 22
	AlertDecompressionFailure         uint8 = 30
	AlertHandshakeFailure             uint8 = 40
	AlertNoCertificate                uint8 = 41
	AlertBadCertificate               uint8 = 42
	AlertUnsupportedCertificate       uint8 = 43
	AlertCertificateRevoked           uint8 = 44
	AlertCertificateExpired           uint8 = 45
	AlertCertificateUnknown           uint8 = 46
	AlertIllegalParameter             uint8 = 47
	AlertUnknownCA                    uint8 = 48
	AlertAccessDenied                 uint8 = 49
	AlertDecodeError                  uint8 = 50
	AlertDecryptError                 uint8 = 51
	AlertTooManyCIDsRequested         uint8 = 52
	AlertExportRestriction            uint8 = 60
	AlertProtocolVersion              uint8 = 70
	AlertInsufficientSecurity         uint8 = 71
	AlertInternalError                uint8 = 80
	AlertInappropriateFallback        uint8 = 86
	AlertUserCanceled                 uint8 = 90
	AlertNoRenegotiation              uint8 = 100
	AlertMissingExtension             uint8 = 109
	AlertUnsupportedExtension         uint8 = 110
	AlertCertificateUnobtainable      uint8 = 111
	AlertUnrecognizedName             uint8 = 112
	AlertBadCertificateStatusResponse uint8 = 113
	AlertBadCertificateHashValue      uint8 = 114
	AlertUnknownPSKIdentity           uint8 = 115
	AlertCertificateRequired          uint8 = 116
	AlertGeneralError                 uint8 = 117
	AlertNoApplicationProtocol        uint8 = 120
	AlertECHRequired                  uint8 = 121
)

var alertNames = map[uint8]string{
	AlertCloseNotify:                  "close_notify",
	AlertUnexpectedMessage:            "unexpected_message",
	AlertBadRecordMAC:                 "bad_record_mac",
	AlertDecryptionFailed:             "decryption_failed",
	AlertRecordOverflow:               "record_overflow",
	AlertDecompressionFailure:         "decompression_failure",
	AlertHandshakeFailure:             "handshake_failure",
	AlertNoCertificate:                "no_certificate",
	AlertBadCertificate:               "bad_certificate",
	AlertUnsupportedCertificate:       "unsupported_certificate",
	AlertCertificateRevoked:           "certificate_revoked",
	AlertCertificateExpired:           "certificate_expired",
	AlertCertificateUnknown:           "certificate_unknown",
	AlertIllegalParameter:             "illegal_parameter",
	AlertUnknownCA:                    "unknown_ca",
	AlertAccessDenied:                 "access_denied",
	AlertDecodeError:                  "decode_error",
	AlertDecryptError:                 "decrypt_error",
	AlertTooManyCIDsRequested:         "too_many_cids_requested",
	AlertExportRestriction:            "export_restriction",
	AlertProtocolVersion:              "protocol_version",
	AlertInsufficientSecurity:         "insufficient_security",
	AlertInternalError:                "internal_error",
	AlertInappropriateFallback:        "inappropriate_fallback",
	AlertUserCanceled:                 "user_canceled",
	AlertNoRenegotiation:              "no_renegotiation",
	AlertMissingExtension:             "missing_extension",
	AlertUnsupportedExtension:         "unsupported_extension",
	AlertCertificateUnobtainable:      "certificate_unobtainable",
	AlertUnrecognizedName:             "unrecognized_name",
	AlertBadCertificateStatusResponse: "bad_certificate_status_response",
	AlertBadCertificateHashValue:      "bad_certificate_hash_value",
	AlertUnknownPSKIdentity:           "unknown_psk_identity",
	AlertCertificateRequired:          "certificate_required",
	AlertGeneralError:                 "general_error",
	AlertNoApplicationProtocol:        "no_application_protocol",
	AlertECHRequired:                  "ech_required",
}

// AlertName names an alert description ("handshake_failure"), or "alert(N)".
func AlertName(d uint8) string {
	if n, ok := alertNames[d]; ok {
		return n
	}
	return fmt.Sprintf("alert(%d)", d)
}

// AlertError is an alert received from the server.
type AlertError struct {
	Level       uint8
	Description uint8
}

// Error returns e.g. "remote alert: handshake_failure (40)"; warning-level
// alerts say so.
func (e *AlertError) Error() string {
	s := fmt.Sprintf("remote alert: %s (%d)", AlertName(e.Description), e.Description)
	if e.Level == AlertLevelWarning {
		s += " [warning]"
	} else if e.Level != AlertLevelFatal {
		s += fmt.Sprintf(" [level %d]", e.Level)
	}
	return s
}

// Name is AlertName(e.Description).
func (e *AlertError) Name() string { return AlertName(e.Description) }

// ParseAlert decodes an alert record payload (RFC 8446 6: level, description).
// A payload holding more than one alert is decoded by its first alert.
func ParseAlert(payload []byte) (*AlertError, error) {
	if len(payload) < 2 {
		return nil, &DecodeError{Msg: "alert", Field: fmt.Sprintf("truncated (%d bytes)", len(payload))}
	}
	if len(payload)%2 != 0 {
		return nil, &DecodeError{Msg: "alert", Field: fmt.Sprintf("odd length (%d bytes)", len(payload))}
	}
	return &AlertError{Level: payload[0], Description: payload[1]}, nil
}

// DecodeError reports a malformed message from the server: Msg names the
// message ("server_hello"), Field what was wrong or where ("truncated in
// extensions").
type DecodeError struct {
	Msg   string
	Field string
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return e.Msg + ": malformed"
	}
	return e.Msg + ": " + e.Field
}

func decodeErr(msg, format string, args ...any) error {
	return &DecodeError{Msg: msg, Field: fmt.Sprintf(format, args...)}
}

// ErrNotTLS is returned (wrapped in a *NotTLSError) when the server's first
// bytes are not a TLS record.
var ErrNotTLS = errors.New("not TLS")

// NotTLSError says what the non-TLS answer looked like.
type NotTLSError struct {
	// Hint is a guess at the protocol: "HTTP", "SSH", "SMTP", "SSLv2", ...,
	// or "unknown".
	Hint string
	// Prefix holds the first bytes seen (up to 16).
	Prefix []byte
}

func (e *NotTLSError) Error() string {
	return fmt.Sprintf("not TLS: the server answered with %s data (first bytes %q)", e.Hint, e.Prefix)
}

// Unwrap makes errors.Is(err, ErrNotTLS) true.
func (e *NotTLSError) Unwrap() error { return ErrNotTLS }
