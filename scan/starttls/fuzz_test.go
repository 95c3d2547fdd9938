package starttls

import (
	"bytes"
	"encoding/xml"
	"testing"
)

// The reply parsers must end with a result or an error on any input, never
// panic or read past the byte budget.

func FuzzSMTPReply(f *testing.F) {
	f.Add([]byte("220-mail.example ESMTP\r\n220 ready\r\n"))
	f.Add([]byte("250-mail.example\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"))
	f.Add([]byte("220-ftp\r\n free text\r\n220 done\r\n"))
	f.Add([]byte("554\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newReaderSession(bytes.NewReader(data))
		r, err := s.readReply("reply")
		if err != nil {
			return
		}
		if r.Code < 100 || r.Code > 999 || len(r.Lines) == 0 || len(r.Lines) > maxLines+1 {
			t.Fatalf("bad reply %+v", r)
		}
		smtpOffersSTARTTLS(r)
	})
}

func FuzzIMAPTagged(f *testing.F) {
	f.Add([]byte("* CAPABILITY IMAP4rev1 STARTTLS\r\na001 OK done\r\n"))
	f.Add([]byte("* OK [CAPABILITY IMAP4rev1] {5}\r\nhello\r\na001 NO nope\r\n"))
	f.Add([]byte("a001 BAD {99999999}\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newReaderSession(bytes.NewReader(data))
		r, err := s.readIMAPTagged("a001", "reply")
		if err == nil && len(r.Untagged) > maxLines {
			t.Fatalf("%d untagged lines", len(r.Untagged))
		}
		imapGreetingCaps(string(data))
		s = newReaderSession(bytes.NewReader(data))
		s.readSieveResponse("reply")
	})
}

func FuzzXMPPFeatures(f *testing.F) {
	f.Add([]byte("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"))
	f.Add([]byte("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"))
	f.Add([]byte("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><stream:features/>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newReaderSession(bytes.NewReader(data))
		feat, err := readXMPPFeatures(xml.NewDecoder(s.r))
		if err == nil && len(feat.Names) > maxLines+1 {
			t.Fatalf("%d features", len(feat.Names))
		}
		if s.lr.N < 0 {
			t.Fatal("read past the byte budget")
		}
	})
}

func FuzzLDAPExtendedResponse(f *testing.F) {
	f.Add([]byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00})
	f.Add([]byte{0x30, 0x84, 0, 0, 0, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x84, 0, 0, 0, 0x07, 0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00})
	f.Add(append([]byte{0x30, 0x24, 0x02, 0x01, 0x00, 0x78, 0x1f, 0x0a, 0x01, 0x34, 0x04, 0x00, 0x04, 0x00, 0x8a, 0x16}, oidNoticeOfDisconnection...))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseLDAPExtendedResponse(data)
		s := newReaderSession(bytes.NewReader(data))
		if msg, err := s.readBERElement("response"); err == nil && len(msg) > len(data) {
			t.Fatalf("element of %d bytes from %d bytes", len(msg), len(data))
		}
	})
}

func FuzzMySQLHandshake(f *testing.F) {
	f.Add([]byte("\x0a8.0.36\x00\x2a\x00\x00\x00abcdefgh\x00\xff\xf7\xff\x02\x00\xff\xc1\x15\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00ijklmnopqrst\x00caching_sha2_password\x00"))
	f.Add([]byte("\xff\x69\x04#HY000Host is not allowed"))
	f.Add([]byte("\x0a5.0\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseMySQLHandshake(data)
		if err == nil && len(h.ServerVersion) >= len(data) {
			t.Fatalf("server version %q longer than the packet", h.ServerVersion)
		}
	})
}
