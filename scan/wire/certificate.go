package wire

import (
	"bytes"

	"golang.org/x/crypto/cryptobyte"
)

// CertificateMsg is a decoded Certificate message.
type CertificateMsg struct {
	// Certificates are the DER certificates in the order sent, leaf first.
	Certificates [][]byte
	// OCSP holds, per entry, the OCSP response from a TLS 1.3 status_request
	// entry extension (nil when absent; always nil for TLS <= 1.2).
	OCSP [][]byte
	// SCTs holds, per entry, the SCTs of a TLS 1.3 signed_certificate_timestamp
	// entry extension.
	SCTs [][][]byte
	// Context is the TLS 1.3 certificate_request_context.
	Context []byte
}

// ParseCertificate decodes a Certificate body: RFC 5246 7.4.2 when tls13 is
// false, RFC 8446 4.4.2 when true.
func ParseCertificate(body []byte, tls13 bool) (*CertificateMsg, error) {
	const m = "certificate"
	s := cryptobyte.String(body)
	cm := &CertificateMsg{}
	if tls13 {
		var ctx cryptobyte.String
		if !s.ReadUint8LengthPrefixed(&ctx) {
			return nil, decodeErr(m, "truncated in certificate_request_context")
		}
		cm.Context = bytes.Clone(ctx)
	}
	var list cryptobyte.String
	if !s.ReadUint24LengthPrefixed(&list) {
		return nil, decodeErr(m, "truncated in certificate_list")
	}
	if !s.Empty() {
		return nil, decodeErr(m, "%d bytes of trailing data", len(s))
	}
	for !list.Empty() {
		var cert cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&cert) {
			return nil, decodeErr(m, "truncated in certificate %d", len(cm.Certificates))
		}
		if cert.Empty() {
			return nil, decodeErr(m, "empty certificate %d", len(cm.Certificates))
		}
		cm.Certificates = append(cm.Certificates, bytes.Clone(cert))
		if !tls13 {
			continue
		}
		var extBytes cryptobyte.String
		if !list.ReadUint16LengthPrefixed(&extBytes) {
			return nil, decodeErr(m, "truncated in extensions of certificate %d", len(cm.Certificates)-1)
		}
		var ocsp []byte
		var scts [][]byte
		seen := map[uint16]bool{}
		for !extBytes.Empty() {
			var t uint16
			var d cryptobyte.String
			if !extBytes.ReadUint16(&t) || !extBytes.ReadUint16LengthPrefixed(&d) {
				return nil, decodeErr(m, "truncated in extensions of certificate %d", len(cm.Certificates)-1)
			}
			if seen[t] {
				return nil, decodeErr(m, "duplicate extension %s in certificate %d", ExtensionName(t), len(cm.Certificates)-1)
			}
			seen[t] = true
			switch t {
			case ExtStatusRequest:
				resp, err := ParseCertificateStatus(d)
				if err != nil {
					return nil, decodeErr(m, "malformed status_request in certificate %d", len(cm.Certificates)-1)
				}
				ocsp = resp
			case ExtSCT:
				list, ok := parseSCTList(d)
				if !ok {
					return nil, decodeErr(m, "malformed signed_certificate_timestamp in certificate %d", len(cm.Certificates)-1)
				}
				scts = list
			}
		}
		cm.OCSP = append(cm.OCSP, ocsp)
		cm.SCTs = append(cm.SCTs, scts)
	}
	return cm, nil
}

// ParseCertificateStatus decodes a CertificateStatus body (RFC 6066 8) and
// returns the DER OCSPResponse.
func ParseCertificateStatus(body []byte) ([]byte, error) {
	const m = "certificate_status"
	s := cryptobyte.String(body)
	var typ uint8
	var resp cryptobyte.String
	if !s.ReadUint8(&typ) {
		return nil, decodeErr(m, "truncated in status_type")
	}
	if typ != 1 {
		return nil, decodeErr(m, "status_type %d is not ocsp(1)", typ)
	}
	if !s.ReadUint24LengthPrefixed(&resp) {
		return nil, decodeErr(m, "truncated in response")
	}
	if resp.Empty() {
		return nil, decodeErr(m, "empty OCSP response")
	}
	if !s.Empty() {
		return nil, decodeErr(m, "%d bytes of trailing data", len(s))
	}
	return bytes.Clone(resp), nil
}

// EncryptedExtensions is a decoded TLS 1.3 EncryptedExtensions message.
type EncryptedExtensions struct {
	Extensions []Extension
	ALPN       string
}

// ParseEncryptedExtensions decodes an EncryptedExtensions body (RFC 8446 4.3.1).
func ParseEncryptedExtensions(body []byte) (*EncryptedExtensions, error) {
	const m = "encrypted_extensions"
	if len(body) == 0 {
		return nil, decodeErr(m, "truncated in extensions")
	}
	exts, err := parseExtensionBlock(m, cryptobyte.String(body))
	if err != nil {
		return nil, err
	}
	ee := &EncryptedExtensions{Extensions: exts}
	for _, e := range exts {
		if e.Type == ExtALPN {
			alpn, ok := parseALPN(cryptobyte.String(e.Data))
			if !ok {
				return nil, decodeErr(m, "malformed application_layer_protocol_negotiation extension")
			}
			ee.ALPN = alpn
		}
	}
	return ee, nil
}

// CertificateVerify is a decoded TLS 1.3 CertificateVerify message.
type CertificateVerify struct {
	SigAlg    uint16
	Signature []byte
}

// ParseCertificateVerify decodes a CertificateVerify body (RFC 8446 4.4.3).
func ParseCertificateVerify(body []byte) (*CertificateVerify, error) {
	const m = "certificate_verify"
	s := cryptobyte.String(body)
	cv := &CertificateVerify{}
	var sig cryptobyte.String
	if !s.ReadUint16(&cv.SigAlg) {
		return nil, decodeErr(m, "truncated in algorithm")
	}
	if !s.ReadUint16LengthPrefixed(&sig) {
		return nil, decodeErr(m, "truncated in signature")
	}
	if !s.Empty() {
		return nil, decodeErr(m, "%d bytes of trailing data", len(s))
	}
	cv.Signature = bytes.Clone(sig)
	return cv, nil
}
