package tlstest

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"io"
)

// fakeXMPP: RFC 6120. The client's stream header must carry the namespace
// ns and to= the server's name; the features require STARTTLS.
func fakeXMPP(c *plainConn, o startTLSOptions, ns string) bool {
	d := xml.NewDecoder(c.r)
	var hdr xml.StartElement
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			hdr = se
			break
		}
	}
	attr := func(local string) string {
		for _, a := range hdr.Attr {
			if a.Name.Local == local && (a.Name.Space == "" || local == "xmlns") {
				return a.Value
			}
		}
		return ""
	}
	open := "<?xml version='1.0'?><stream:stream xmlns='" + ns + "' xmlns:stream='http://etherx.jabber.org/streams' id='fake1' from='" + o.name + "' version='1.0'>"
	streamError := func(cond string) bool {
		c.say(open + "<stream:error><" + cond + " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")
		return false
	}
	switch {
	case hdr.Name.Space != "http://etherx.jabber.org/streams" || hdr.Name.Local != "stream":
		return streamError("invalid-namespace")
	case attr("xmlns") != ns:
		return streamError("invalid-namespace")
	case attr("to") != o.name:
		return streamError("host-unknown")
	case attr("version") != "1.0":
		return streamError("unsupported-version")
	}
	features := "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
	if !o.refuse {
		features = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>" + features
	}
	if _, err := io.WriteString(c.Conn, open+"<stream:features>"+features+"</stream:features>"); err != nil {
		return false
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Space == "urn:ietf:params:xml:ns:xmpp-tls" && se.Name.Local == "starttls" && !o.refuse {
			_, err := io.WriteString(c.Conn, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
			return err == nil
		}
		if se.Name.Local == "starttls" {
			io.WriteString(c.Conn, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")
			return false
		}
		return streamError("unsupported-stanza-type")
	}
}

const ldapStartTLSOID = "1.3.6.1.4.1.1466.20037"

// fakeLDAP: RFC 4511. It reads one LDAPMessage and answers an ExtendedRequest
// for StartTLS, with four-byte BER lengths as Active Directory writes them.
func fakeLDAP(c *plainConn, o startTLSOptions) bool {
	msg, ok := readBER(c.r)
	if !ok || len(msg) < 5 || msg[0] != 0x02 {
		return false
	}
	idLen := int(msg[1])
	if idLen < 1 || idLen > 4 || len(msg) < 2+idLen+1 {
		return false
	}
	id := msg[2 : 2+idLen]
	op := msg[2+idLen:]
	code, diag := byte(0), ""
	switch {
	case op[0] != 0x77 || !bytes.Contains(op, []byte(ldapStartTLSOID)):
		code, diag = 2, "only the StartTLS extended operation is served"
	case o.refuse:
		code, diag = 2, "unsupported extended operation"
	}
	long := func(tag byte, body []byte) []byte {
		out := []byte{tag, 0x84, 0, 0, 0, 0}
		binary.BigEndian.PutUint32(out[2:], uint32(len(body)))
		return append(out, body...)
	}
	resp := []byte{0x0a, 0x01, code}
	resp = append(resp, long(0x04, nil)...)
	resp = append(resp, long(0x04, []byte(diag))...)
	if code == 0 {
		resp = append(resp, long(0x8a, []byte(ldapStartTLSOID))...)
	}
	body := append([]byte{0x02, byte(len(id))}, id...)
	body = append(body, long(0x78, resp)...)
	if _, err := c.Conn.Write(long(0x30, body)); err != nil {
		return false
	}
	return code == 0
}

// readBER reads one SEQUENCE and returns its contents.
func readBER(r io.Reader) ([]byte, bool) {
	h := make([]byte, 2)
	if _, err := io.ReadFull(r, h); err != nil || h[0] != 0x30 {
		return nil, false
	}
	n := int(h[1])
	if n >= 0x80 {
		k := n & 0x7f
		if k == 0 || k > 4 {
			return nil, false
		}
		lb := make([]byte, k)
		if _, err := io.ReadFull(r, lb); err != nil {
			return nil, false
		}
		n = 0
		for _, b := range lb {
			n = n<<8 | int(b)
		}
	}
	if n > goMaxRequest {
		return nil, false
	}
	body := make([]byte, n)
	_, err := io.ReadFull(r, body)
	return body, err == nil
}

// fakePostgres answers an SSLRequest with 'S' (or 'N' when refusing).
func fakePostgres(c *plainConn, o startTLSOptions) bool {
	req := make([]byte, 8)
	if _, err := io.ReadFull(c.r, req); err != nil || !bytes.Equal(req, []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}) {
		return false
	}
	answer := "S"
	if o.refuse {
		answer = "N"
	}
	_, err := io.WriteString(c.Conn, answer)
	return err == nil && !o.refuse
}

// MySQL capability bits used by fakeMySQL.
const (
	mysqlClientProtocol41 = 0x00000200
	mysqlClientSSL        = 0x00000800
	mysqlPluginAuth       = 0x00080000
)

// fakeMySQL sends a protocol v10 initial handshake (CLIENT_SSL unless
// refusing) and waits for the 32-byte SSLRequest with sequence id 1.
func fakeMySQL(c *plainConn, o startTLSOptions) bool {
	caps := uint32(0xf7ff | mysqlPluginAuth) // the usual low flags, without CLIENT_SSL
	if !o.refuse {
		caps |= mysqlClientSSL
	}
	var p bytes.Buffer
	p.WriteByte(10)
	p.WriteString("8.0.36-tlsaudit-fake\x00")
	binary.Write(&p, binary.LittleEndian, uint32(42)) // connection id
	p.WriteString("abcdefgh\x00")                     // auth-plugin-data part 1, filler
	binary.Write(&p, binary.LittleEndian, uint16(caps))
	p.WriteByte(255)                                 // charset utf8mb4_0900_ai_ci
	binary.Write(&p, binary.LittleEndian, uint16(2)) // status: autocommit
	binary.Write(&p, binary.LittleEndian, uint16(caps>>16))
	p.WriteByte(21)                   // auth-plugin-data length
	p.Write(make([]byte, 10))         // reserved
	p.WriteString("ijklmnopqrst\x00") // auth-plugin-data part 2
	p.WriteString("caching_sha2_password\x00")
	pkt := []byte{byte(p.Len()), byte(p.Len() >> 8), byte(p.Len() >> 16), 0}
	if _, err := c.Conn.Write(append(pkt, p.Bytes()...)); err != nil {
		return false
	}
	hdr := make([]byte, 4)
	if _, err := io.ReadFull(c.r, hdr); err != nil {
		return false
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	if n < 32 || n > 1024 || hdr[3] != 1 {
		return false
	}
	req := make([]byte, n)
	if _, err := io.ReadFull(c.r, req); err != nil {
		return false
	}
	got := binary.LittleEndian.Uint32(req)
	// An SSLRequest is exactly 32 bytes (a full handshake response would
	// carry a user name) and asks for CLIENT_SSL and protocol 4.1.
	return n == 32 && got&mysqlClientSSL != 0 && got&mysqlClientProtocol41 != 0 && !o.refuse
}
