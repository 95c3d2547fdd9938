package starttls

import (
	"bytes"
	"errors"
	"fmt"
)

// oidStartTLS is the LDAP StartTLS extended operation (RFC 4511 4.14).
const oidStartTLS = "1.3.6.1.4.1.1466.20037"

// oidNoticeOfDisconnection is the unsolicited notification a server sends
// before closing (RFC 4511 4.4.1).
const oidNoticeOfDisconnection = "1.3.6.1.4.1.1466.20036"

// ldapStartTLSRequest is LDAPMessage{messageID 1, ExtendedRequest{requestName
// [0] "1.3.6.1.4.1.1466.20037"}} in BER.
var ldapStartTLSRequest = append([]byte{
	0x30, 0x1d, // LDAPMessage SEQUENCE
	0x02, 0x01, 0x01, // messageID 1
	0x77, 0x18, // [APPLICATION 23] ExtendedRequest
	0x80, 0x16, // [0] requestName
}, oidStartTLS...)

// upgradeLDAP sends the StartTLS ExtendedRequest and expects an
// ExtendedResponse with resultCode success (0).
func upgradeLDAP(s *session) error {
	if err := s.write("StartTLS ExtendedRequest", ldapStartTLSRequest); err != nil {
		return err
	}
	msg, err := s.readBERElement("StartTLS ExtendedResponse")
	if err != nil {
		return err
	}
	r, err := ParseLDAPExtendedResponse(msg)
	if err != nil {
		return s.errorf("StartTLS ExtendedResponse: %v", err)
	}
	if r.MessageID == 0 && r.ResponseName == oidNoticeOfDisconnection {
		return s.errorf("%w: the server disconnected: %s (resultCode %d)", ErrRefused, quote(r.Diagnostic), r.ResultCode)
	}
	if r.MessageID != 1 {
		return s.errorf("StartTLS ExtendedResponse has messageID %d, want 1", r.MessageID)
	}
	if r.ResultCode != 0 {
		// protocolError (2) is what servers without StartTLS answer; unavailable (52), ...
		return s.errorf("%w: StartTLS answered resultCode %d %s", ErrRefused, r.ResultCode, quote(r.Diagnostic))
	}
	return nil
}

// LDAPExtendedResponse is the part of an LDAP ExtendedResponse a StartTLS
// client needs.
type LDAPExtendedResponse struct {
	MessageID    int64
	ResultCode   int64
	MatchedDN    string
	Diagnostic   string
	ResponseName string // responseName [10], when present
}

// ParseLDAPExtendedResponse parses one BER LDAPMessage holding an
// ExtendedResponse ([APPLICATION 24]). BER's long length forms are accepted
// (some servers always use four length bytes); indefinite lengths are not.
func ParseLDAPExtendedResponse(msg []byte) (LDAPExtendedResponse, error) {
	var r LDAPExtendedResponse
	tag, body, rest, err := berNext(msg)
	if err != nil {
		return r, err
	}
	if tag != 0x30 || len(rest) != 0 {
		return r, fmt.Errorf("not an LDAPMessage (tag 0x%02x)", tag)
	}
	tag, id, body, err := berNext(body)
	if err != nil {
		return r, err
	}
	if tag != 0x02 {
		return r, fmt.Errorf("messageID has tag 0x%02x", tag)
	}
	if r.MessageID, err = berInt(id); err != nil {
		return r, fmt.Errorf("messageID: %w", err)
	}
	tag, op, _, err := berNext(body) // controls may follow
	if err != nil {
		return r, err
	}
	if tag != 0x78 {
		return r, fmt.Errorf("protocolOp is not an ExtendedResponse (tag 0x%02x)", tag)
	}
	tag, code, op, err := berNext(op)
	if err != nil {
		return r, err
	}
	if tag != 0x0a {
		return r, fmt.Errorf("resultCode has tag 0x%02x", tag)
	}
	if r.ResultCode, err = berInt(code); err != nil {
		return r, fmt.Errorf("resultCode: %w", err)
	}
	for _, dst := range []*string{&r.MatchedDN, &r.Diagnostic} {
		var v []byte
		if tag, v, op, err = berNext(op); err != nil {
			return r, err
		}
		if tag != 0x04 {
			return r, fmt.Errorf("LDAPResult string has tag 0x%02x", tag)
		}
		*dst = string(v)
	}
	for len(op) > 0 {
		var v []byte
		if tag, v, op, err = berNext(op); err != nil {
			return r, err
		}
		if tag == 0x8a {
			r.ResponseName = string(v)
		}
	}
	return r, nil
}

// berNext splits one TLV off b: a single-byte tag, a definite length.
func berNext(b []byte) (tag byte, value, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, errors.New("truncated BER element")
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, errors.New("BER high tag numbers are not supported")
	}
	n, hdr, err := berLength(b[1:])
	if err != nil {
		return 0, nil, nil, err
	}
	b = b[1+hdr:]
	if n > len(b) {
		return 0, nil, nil, fmt.Errorf("BER element of %d bytes, only %d present", n, len(b))
	}
	return tag, b[:n], b[n:], nil
}

// berLength decodes a definite length; hdr is the number of length bytes.
func berLength(b []byte) (n, hdr int, err error) {
	if len(b) == 0 {
		return 0, 0, errors.New("truncated BER length")
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, nil
	}
	k := int(b[0] & 0x7f)
	if k == 0 {
		return 0, 0, errors.New("BER indefinite length is not supported")
	}
	if k > 4 {
		return 0, 0, fmt.Errorf("BER length of %d bytes is too long", k)
	}
	if len(b) < 1+k {
		return 0, 0, errors.New("truncated BER length")
	}
	for _, c := range b[1 : 1+k] {
		n = n<<8 | int(c)
	}
	if n > maxTotal {
		return 0, 0, fmt.Errorf("BER element of %d bytes is too long", n)
	}
	return n, 1 + k, nil
}

// berInt decodes a two's complement INTEGER or ENUMERATED of up to 8 bytes.
func berInt(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 8 {
		return 0, fmt.Errorf("integer of %d bytes", len(b))
	}
	v := int64(int8(b[0]))
	for _, c := range b[1:] {
		v = v<<8 | int64(c)
	}
	return v, nil
}

// readBERElement reads one whole BER element (tag, length, value).
func (s *session) readBERElement(what string) ([]byte, error) {
	var hdr bytes.Buffer
	head := make([]byte, 2)
	if err := s.readFull(what, head); err != nil {
		return nil, err
	}
	hdr.Write(head)
	if head[0] != 0x30 {
		return nil, s.errorf("%s: not an LDAPMessage (first bytes %q: the server does not speak LDAP?)", what, head)
	}
	lenBytes := head[1:]
	if head[1] >= 0x80 && head[1] <= 0x84 {
		more := make([]byte, int(head[1]&0x7f))
		if err := s.readFull(what, more); err != nil {
			return nil, err
		}
		hdr.Write(more)
		lenBytes = append(lenBytes, more...)
	}
	n, _, err := berLength(lenBytes)
	if err != nil {
		return nil, s.errorf("%s: %v (first bytes %x)", what, err, hdr.Bytes())
	}
	body := make([]byte, n)
	if err := s.readFull(what, body); err != nil {
		return nil, err
	}
	return append(hdr.Bytes(), body...), nil
}
