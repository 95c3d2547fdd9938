// Package starttls performs the plaintext part of application protocols that
// upgrade a connection to TLS in-band (STARTTLS and its relatives), up to the
// point where the client sends its TLS ClientHello.
//
// Upgrade knows SMTP and submission (RFC 3207), IMAP (RFC 3501, RFC 9051),
// POP3 (RFC 2595), FTP (RFC 4217), XMPP client and server streams
// (RFC 6120), LDAP (RFC 4511 StartTLS extended operation), PostgreSQL
// (SSLRequest), MySQL (SSLRequest after the v10 handshake), NNTP (RFC 4642)
// and ManageSieve (RFC 5804).
//
// Implicit-TLS ports need nothing from this package: the TLS handshake starts
// right after the TCP connection, so a target such as smtps://host (465),
// imaps (993), pop3s (995), ldaps (636), ftps (990), sips (5061),
// DNS over TLS (853) or HTTPS on 443/8443 is scanned like any TLS server
// (see ImplicitTLSPorts).
//
// Every read is bounded: lines by maxLine bytes, the whole exchange by
// maxTotal bytes, and time by the connection's deadline and the context's.
// A server that does not offer or refuses the upgrade gives an error naming
// the protocol and quoting (sanitised, shortened) what the server said.
package starttls

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

const (
	// maxLine caps one line of a text protocol (RFC 5321 allows 512 for
	// replies; servers send longer banners, so be lenient).
	maxLine = 4096
	// maxTotal caps everything read during one exchange.
	maxTotal = 64 << 10
	// maxLines caps the lines of one multi-line reply.
	maxLines = 256
	// clientName is what tlsaudit calls itself in EHLO and similar commands
	// (RFC 6761 reserves .invalid, so it names no real host).
	clientName = "tlsaudit.invalid"
)

// ErrNotOffered is wrapped by Upgrade's error when the server does not
// announce the upgrade (e.g. no STARTTLS in the EHLO reply).
var ErrNotOffered = errors.New("server does not offer STARTTLS")

// ErrRefused is wrapped by Upgrade's error when the server answered the
// upgrade command with a refusal.
var ErrRefused = errors.New("server refused the upgrade")

// protocols maps a protocol name to its exchange.
var protocols = map[string]struct {
	port    int
	upgrade func(s *session) error
}{
	"smtp":        {25, upgradeSMTP},
	"submission":  {587, upgradeSMTP},
	"imap":        {143, upgradeIMAP},
	"pop3":        {110, upgradePOP3},
	"ftp":         {21, upgradeFTP},
	"xmpp":        {5222, upgradeXMPPClient},
	"xmpp-server": {5269, upgradeXMPPServer},
	"ldap":        {389, upgradeLDAP},
	"postgres":    {5432, upgradePostgres},
	"mysql":       {3306, upgradeMySQL},
	"nntp":        {119, upgradeNNTP},
	"sieve":       {4190, upgradeSieve},
}

// Protocols lists the protocol names Upgrade accepts, sorted.
func Protocols() []string {
	return []string{"ftp", "imap", "ldap", "mysql", "nntp", "pop3", "postgres", "sieve", "smtp", "submission", "xmpp", "xmpp-server"}
}

// DefaultPort returns the standard port of a STARTTLS protocol, 0 if unknown.
func DefaultPort(proto string) int {
	return protocols[strings.ToLower(proto)].port
}

// ImplicitTLSPorts are well-known ports where TLS starts right after the TCP
// connection; they need no Upgrade. Values name the service.
var ImplicitTLSPorts = map[int]string{
	443:  "https",
	465:  "smtps (submissions, RFC 8314)",
	563:  "nntps",
	636:  "ldaps",
	853:  "dns-over-tls (RFC 7858)",
	990:  "ftps",
	993:  "imaps",
	995:  "pop3s",
	5061: "sips",
	5223: "xmpp-client over TLS (XEP-0368)",
	8443: "https-alt",
}

// Upgrade runs the plaintext exchange of proto on c, up to the point where
// the TLS ClientHello is to be sent. host is the name the client wants to
// reach (used where the protocol names it, e.g. the XMPP stream's "to"); an
// empty host falls back to the remote address.
//
// The exchange ends by the context's deadline (which Upgrade sets on c) or,
// when ctx has none, by the deadline the caller set on c; cancelling ctx
// aborts it. Errors name the protocol; a refusal wraps ErrNotOffered or
// ErrRefused.
func Upgrade(ctx context.Context, c net.Conn, proto, host string) error {
	p, ok := protocols[strings.ToLower(proto)]
	if !ok {
		return fmt.Errorf("starttls: unknown protocol %q (want one of %s)", proto, strings.Join(Protocols(), ", "))
	}
	if host == "" {
		if h, _, err := net.SplitHostPort(c.RemoteAddr().String()); err == nil {
			host = h
		}
	}
	if d, ok := ctx.Deadline(); ok {
		c.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	s := newSession(c, strings.ToLower(proto), host)
	err := p.upgrade(s)
	if !stop() && errors.Is(ctx.Err(), context.Canceled) {
		// The deadline was forced into the past by the cancellation.
		if err != nil {
			return fmt.Errorf("%s: %w (%v)", s.proto, ctx.Err(), err)
		}
		return fmt.Errorf("%s: %w", s.proto, ctx.Err())
	}
	if err == nil && s.r.Buffered() > 0 {
		err = s.errorf("server sent %d unexpected bytes after its answer to the upgrade command", s.r.Buffered())
	}
	return err
}

// session is one exchange: a bounded buffered reader on the connection.
type session struct {
	c     net.Conn
	r     *bufio.Reader
	lr    *io.LimitedReader
	proto string
	host  string
}

func newSession(c net.Conn, proto, host string) *session {
	lr := &io.LimitedReader{R: c, N: maxTotal}
	return &session{c: c, r: bufio.NewReaderSize(lr, 512), lr: lr, proto: proto, host: host}
}

// newReaderSession is a session over a byte stream (fuzzing and unit tests).
func newReaderSession(r io.Reader) *session {
	lr := &io.LimitedReader{R: r, N: maxTotal}
	return &session{r: bufio.NewReaderSize(lr, 512), lr: lr, proto: "test", host: "example.com"}
}

func (s *session) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: "+format, append([]any{s.proto}, args...)...)
}

// readErr wraps a read error with what was being read; running out of the
// byte budget is named as such.
func (s *session) readErr(what string, err error) error {
	if s.lr.N <= 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
		return s.errorf("reading %s: the server sent more than %d bytes", what, maxTotal)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return s.errorf("reading %s: the server closed the connection: %w", what, io.ErrUnexpectedEOF)
	}
	return s.errorf("reading %s: %w", what, err)
}

// send writes a command.
func (s *session) send(what, cmd string) error {
	return s.write(what, []byte(cmd))
}

func (s *session) write(what string, b []byte) error {
	if _, err := s.c.Write(b); err != nil {
		return s.errorf("sending %s: %w", what, err)
	}
	return nil
}

// readLine reads one line ending in LF (CR LF or bare LF), without the line
// ending, at most maxLine bytes.
func (s *session) readLine(what string) (string, error) {
	var b []byte
	for {
		frag, err := s.r.ReadSlice('\n')
		b = append(b, frag...)
		if len(b) > maxLine {
			return "", s.errorf("reading %s: line longer than %d bytes", what, maxLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return "", s.readErr(what, err)
		}
		break
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// readFull reads exactly len(b) bytes.
func (s *session) readFull(what string, b []byte) error {
	if _, err := io.ReadFull(s.r, b); err != nil {
		return s.readErr(what, err)
	}
	return nil
}

// quote makes server text safe and short for an error message.
func quote(s string) string {
	const max = 200
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(" | ")
		case r < 0x20 || r == 0x7f || r == 0xfffd:
			// drop control characters and invalid bytes
		default:
			b.WriteRune(r)
		}
		if b.Len() > max {
			return fmt.Sprintf("%q…", b.String()[:max])
		}
	}
	return fmt.Sprintf("%q", b.String())
}
