package starttls

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

const (
	nsStreams = "http://etherx.jabber.org/streams"
	nsTLS     = "urn:ietf:params:xml:ns:xmpp-tls"
)

func upgradeXMPPClient(s *session) error { return upgradeXMPP(s, "jabber:client") }
func upgradeXMPPServer(s *session) error { return upgradeXMPP(s, "jabber:server") }

// upgradeXMPP: RFC 6120 5.4. Open a stream to host with the client or server
// namespace, read the stream features, which must hold
// <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>, send <starttls/> and
// expect <proceed/>.
func upgradeXMPP(s *session, ns string) error {
	var host strings.Builder
	xml.EscapeText(&host, []byte(s.host))
	header := "<?xml version='1.0'?><stream:stream xmlns='" + ns + "' xmlns:stream='" + nsStreams +
		"' to='" + host.String() + "' version='1.0'>"
	if err := s.send("stream header", header); err != nil {
		return err
	}
	// s.r is an io.ByteReader, so the decoder reads no further than it needs.
	d := xml.NewDecoder(s.r)
	f, err := readXMPPFeatures(d)
	if err != nil {
		return s.xmlErr("stream features", err)
	}
	if !f.StartTLS {
		return s.errorf("%w (stream features: %s)", ErrNotOffered, quote(strings.Join(f.Names, " ")))
	}
	if err := s.send("starttls", "<starttls xmlns='"+nsTLS+"'/>"); err != nil {
		return err
	}
	el, err := nextElement(d)
	if err != nil {
		return s.xmlErr("answer to starttls", err)
	}
	if el.Name.Space == nsTLS && el.Name.Local == "proceed" {
		return nil
	}
	return s.errorf("%w: starttls answered <%s xmlns='%s'>", ErrRefused, el.Name.Local, el.Name.Space)
}

// xmlErr wraps an error of the XML decoder (which hides read errors).
func (s *session) xmlErr(what string, err error) error {
	var se *streamError
	if errors.As(err, &se) {
		return s.errorf("stream error while reading %s: %s", what, quote(se.cond))
	}
	var syn *xml.SyntaxError
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || s.lr.N <= 0 ||
		errors.As(err, &syn) && syn.Msg == "unexpected EOF" {
		return s.readErr(what, io.ErrUnexpectedEOF)
	}
	return s.errorf("reading %s: %w", what, err)
}

// XMPPFeatures are the stream features a server announced.
type XMPPFeatures struct {
	Names    []string // local names of the features, in order
	StartTLS bool     // <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> is among them
}

// streamError is a <stream:error> received instead of what was expected.
type streamError struct{ cond string }

func (e *streamError) Error() string { return "stream error: " + e.cond }

// readXMPPFeatures reads the server's stream header and its <stream:features>.
func readXMPPFeatures(d *xml.Decoder) (XMPPFeatures, error) {
	var f XMPPFeatures
	el, err := nextElement(d)
	if err != nil {
		return f, err
	}
	if el.Name.Space != nsStreams || el.Name.Local != "stream" {
		return f, errors.New("expected <stream:stream>, got <" + el.Name.Local + ">")
	}
	el, err = nextElement(d)
	if err != nil {
		return f, err
	}
	if el.Name.Space != nsStreams || el.Name.Local != "features" {
		return f, errors.New("expected <stream:features>, got <" + el.Name.Local + ">")
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return f, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			f.Names = append(f.Names, t.Name.Local)
			if t.Name.Space == nsTLS && t.Name.Local == "starttls" {
				f.StartTLS = true
			}
			if len(f.Names) > maxLines {
				return f, errors.New("too many stream features")
			}
			if err := d.Skip(); err != nil {
				return f, err
			}
		case xml.EndElement:
			return f, nil // </stream:features>
		}
	}
}

// nextElement returns the next start element, skipping character data,
// comments and processing instructions. A <stream:error> becomes a
// *streamError naming its condition.
func nextElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == nsStreams && t.Name.Local == "error" {
				return t, readStreamError(d)
			}
			return t, nil
		case xml.EndElement:
			return xml.StartElement{}, errors.New("the server closed the stream (</" + t.Name.Local + ">)")
		}
	}
}

// readStreamError reads the children of <stream:error> and names them.
func readStreamError(d *xml.Decoder) error {
	var conds []string
	for {
		tok, err := d.Token()
		if err != nil {
			return &streamError{cond: strings.Join(conds, " ")}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			conds = append(conds, t.Name.Local)
			if err := d.Skip(); err != nil || len(conds) > 8 {
				return &streamError{cond: strings.Join(conds, " ")}
			}
		case xml.EndElement:
			return &streamError{cond: strings.Join(conds, " ")}
		}
	}
}
