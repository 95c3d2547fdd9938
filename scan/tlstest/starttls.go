package tlstest

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// StartTLSProtocols are the protocols NewStartTLSServer fakes.
var StartTLSProtocols = []string{"smtp", "submission", "imap", "pop3", "ftp", "xmpp", "xmpp-server", "ldap", "postgres", "mysql", "nntp", "sieve"}

// StartTLSOption configures NewStartTLSServer.
type StartTLSOption func(*startTLSOptions)

type startTLSOptions struct {
	name   string
	refuse bool
}

// StartTLSRefuse makes the server not offer the upgrade: no STARTTLS in its
// capabilities where it announces them, and a refusal of the command.
func StartTLSRefuse() StartTLSOption { return func(o *startTLSOptions) { o.refuse = true } }

// StartTLSName sets the server's name: the certificate's DNS name and the
// XMPP domain the client must address (default DefaultName).
func StartTLSName(name string) StartTLSOption { return func(o *startTLSOptions) { o.name = name } }

// NewStartTLSServer starts an in-process server on 127.0.0.1 that speaks the
// plaintext part of proto as its RFC describes (greeting, capabilities,
// upgrade command), then hands the connection to a crypto/tls server with
// cfg (cloned; without certificates an RSA-2048 leaf for the name is issued
// from SharedPKI()). After the TLS handshake it closes the connection. A
// client that deviates from the exchange gets the protocol's error answer
// and the connection is closed.
func NewStartTLSServer(proto string, cfg *tls.Config, opts ...StartTLSOption) (*Server, error) {
	o := startTLSOptions{name: DefaultName}
	for _, f := range opts {
		f(&o)
	}
	script, ok := startTLSScripts[proto]
	if !ok {
		return nil, fmt.Errorf("tlstest: no STARTTLS fake for %q", proto)
	}
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg = cfg.Clone()
	var pki *PKI
	if len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil {
		p, err := SharedPKI()
		if err != nil {
			return nil, err
		}
		l, err := p.IssueLeaf(LeafOptions{DNSNames: []string{o.name}})
		if err != nil {
			return nil, err
		}
		pki = p
		cfg.Certificates = []tls.Certificate{l.TLSCertificate()}
	}
	loop, err := startLoop(func(c net.Conn, done <-chan struct{}) {
		_ = c.SetDeadline(time.Now().Add(goHandshakeTimeout))
		pc := &plainConn{Conn: c, r: bufio.NewReader(io.LimitReader(c, goMaxRequest))}
		if !script(pc, o) {
			return
		}
		// Bytes the client sent early stay in pc's buffer for the handshake.
		_ = tls.Server(pc, cfg).Handshake()
	})
	if err != nil {
		return nil, err
	}
	srv := loop.server()
	srv.Name, srv.PKI = o.name, pki
	for _, c := range cfg.Certificates {
		srv.Chains = append(srv.Chains, c.Certificate)
	}
	srv.Chain = srv.Chains[0]
	srv.CertDER = srv.Chain[0]
	return srv, nil
}

// NewStartTLSServerT is NewStartTLSServer for tests: it fails t and closes
// the server in t.Cleanup.
func NewStartTLSServerT(t testing.TB, proto string, cfg *tls.Config, opts ...StartTLSOption) *Server {
	t.Helper()
	srv, err := NewStartTLSServer(proto, cfg, opts...)
	return cleanupT(t, "NewStartTLSServer "+proto, srv, err)
}

// plainConn is the server side of the plaintext phase: reads go through a
// buffer, which the TLS server then keeps reading from.
type plainConn struct {
	net.Conn
	r *bufio.Reader
	// rawCommand: commandLoop passes the first word as sent (an IMAP tag).
	rawCommand bool
}

func (c *plainConn) Read(b []byte) (int, error) {
	if c.r.Buffered() > 0 {
		return c.r.Read(b)
	}
	return c.Conn.Read(b)
}

// line reads one command line without its line ending.
func (c *plainConn) line() (string, bool) {
	l, err := c.r.ReadString('\n')
	if err != nil {
		return "", false
	}
	return strings.TrimRight(l, "\r\n"), true
}

// say writes text lines, each ended by CR LF.
func (c *plainConn) say(lines ...string) bool {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l + "\r\n")
	}
	_, err := io.WriteString(c.Conn, b.String())
	return err == nil
}

// startTLSScripts run the plaintext phase; true means "start TLS now".
var startTLSScripts = map[string]func(c *plainConn, o startTLSOptions) bool{
	"smtp":        fakeSMTP,
	"submission":  fakeSMTP,
	"imap":        fakeIMAP,
	"pop3":        fakePOP3,
	"ftp":         fakeFTP,
	"xmpp":        func(c *plainConn, o startTLSOptions) bool { return fakeXMPP(c, o, "jabber:client") },
	"xmpp-server": func(c *plainConn, o startTLSOptions) bool { return fakeXMPP(c, o, "jabber:server") },
	"ldap":        fakeLDAP,
	"postgres":    fakePostgres,
	"mysql":       fakeMySQL,
	"nntp":        fakeNNTP,
	"sieve":       fakeSieve,
}

// commandLoop answers command lines with answer until it returns done, and
// returns whether TLS starts now. The first word of a line is upper-cased
// (unless rawCommand) and the rest passed as arg. At most 10 commands are
// served.
func (c *plainConn) commandLoop(answer func(cmd, arg string) (reply []string, done, startTLS bool)) bool {
	for range 10 {
		l, ok := c.line()
		if !ok {
			return false
		}
		cmd, arg, _ := strings.Cut(l, " ")
		if !c.rawCommand {
			cmd = strings.ToUpper(cmd)
		}
		reply, done, start := answer(cmd, arg)
		if !c.say(reply...) {
			return false
		}
		if done {
			return start
		}
	}
	return false
}

// fakeSMTP: RFC 5321 / RFC 3207, with a multi-line greeting.
func fakeSMTP(c *plainConn, o startTLSOptions) bool {
	if !c.say("220-"+o.name+" ESMTP tlsaudit fake", "220 no UCE") {
		return false
	}
	ehlo := false
	return c.commandLoop(func(cmd, arg string) ([]string, bool, bool) {
		switch {
		case (cmd == "EHLO" || cmd == "HELO") && arg != "":
			ehlo = true
			ext := []string{"250-" + o.name + " greets " + arg, "250-PIPELINING", "250-SIZE 10240000"}
			if !o.refuse {
				ext = append(ext, "250-STARTTLS")
			}
			return append(ext, "250 8BITMIME"), false, false
		case cmd == "STARTTLS" && arg == "" && ehlo && !o.refuse:
			return []string{"220 2.0.0 Ready to start TLS"}, true, true
		case cmd == "STARTTLS":
			return []string{"502 5.5.1 STARTTLS not available"}, false, false
		case cmd == "QUIT":
			return []string{"221 2.0.0 Bye"}, true, false
		}
		return []string{"500 5.5.2 command unrecognized"}, false, false
	})
}

// fakeIMAP: RFC 3501 / RFC 9051. The greeting carries no capabilities, so
// the client must ask.
func fakeIMAP(c *plainConn, o startTLSOptions) bool {
	if !c.say("* OK tlsaudit fake IMAP4rev1 server ready") {
		return false
	}
	c.rawCommand = true
	caps := "IMAP4rev1 LITERAL+ SASL-IR LOGINDISABLED"
	if !o.refuse {
		caps = "IMAP4rev1 STARTTLS LITERAL+ SASL-IR LOGINDISABLED"
	}
	return c.commandLoop(func(tag, rest string) ([]string, bool, bool) {
		cmd := strings.ToUpper(rest)
		switch {
		case cmd == "CAPABILITY":
			return []string{"* CAPABILITY " + caps, tag + " OK CAPABILITY completed"}, false, false
		case cmd == "STARTTLS" && !o.refuse:
			return []string{tag + " OK Begin TLS negotiation now"}, true, true
		case cmd == "LOGOUT":
			return []string{"* BYE logging out", tag + " OK LOGOUT completed"}, true, false
		}
		return []string{tag + " BAD command unknown or arguments invalid"}, false, false
	})
}

// fakePOP3: RFC 1939 / RFC 2595.
func fakePOP3(c *plainConn, o startTLSOptions) bool {
	if !c.say("+OK tlsaudit fake POP3 server ready") {
		return false
	}
	return c.commandLoop(func(cmd, arg string) ([]string, bool, bool) {
		switch {
		case cmd == "CAPA":
			caps := []string{"+OK Capability list follows", "USER", "UIDL"}
			if !o.refuse {
				caps = append(caps, "STLS")
			}
			return append(caps, "."), false, false
		case cmd == "STLS" && !o.refuse:
			return []string{"+OK Begin TLS negotiation"}, true, true
		case cmd == "QUIT":
			return []string{"+OK bye"}, true, false
		}
		return []string{"-ERR unknown command"}, false, false
	})
}

// fakeFTP: RFC 959 / RFC 4217, with a multi-line greeting whose middle
// line does not repeat the code (allowed by RFC 959).
func fakeFTP(c *plainConn, o startTLSOptions) bool {
	if !c.say("220-tlsaudit fake FTP server", "  only for tests", "220 ready") {
		return false
	}
	return c.commandLoop(func(cmd, arg string) ([]string, bool, bool) {
		switch {
		case cmd == "AUTH" && strings.EqualFold(arg, "TLS") && !o.refuse:
			return []string{"234 AUTH TLS successful"}, true, true
		case cmd == "AUTH":
			return []string{"504 Security mechanism not understood"}, false, false
		case cmd == "FEAT":
			return []string{"211-Features:", " UTF8", "211 End"}, false, false
		case cmd == "QUIT":
			return []string{"221 Goodbye"}, true, false
		}
		return []string{"500 Unknown command"}, false, false
	})
}

// fakeNNTP: RFC 3977 / RFC 4642.
func fakeNNTP(c *plainConn, o startTLSOptions) bool {
	if !c.say("200 tlsaudit fake NNTP service ready, posting allowed") {
		return false
	}
	return c.commandLoop(func(cmd, arg string) ([]string, bool, bool) {
		switch {
		case cmd == "STARTTLS" && !o.refuse:
			return []string{"382 Continue with TLS negotiation"}, true, true
		case cmd == "CAPABILITIES":
			caps := []string{"101 Capability list:", "VERSION 2", "READER"}
			if !o.refuse {
				caps = append(caps, "STARTTLS")
			}
			return append(caps, "."), false, false
		case cmd == "QUIT":
			return []string{"205 closing connection"}, true, false
		}
		return []string{"502 Command unavailable"}, false, false
	})
}

// fakeSieve: RFC 5804. Capabilities are sent on connect.
func fakeSieve(c *plainConn, o startTLSOptions) bool {
	caps := []string{`"IMPLEMENTATION" "tlsaudit fake ManageSieve"`, `"SASL" ""`, `"SIEVE" "fileinto vacation"`}
	if !o.refuse {
		caps = append(caps, `"STARTTLS"`)
	}
	if !c.say(append(caps, `"VERSION" "1.0"`, `OK "ready"`)...) {
		return false
	}
	return c.commandLoop(func(cmd, arg string) ([]string, bool, bool) {
		switch {
		case cmd == "STARTTLS" && !o.refuse:
			return []string{`OK "Begin TLS negotiation now"`}, true, true
		case cmd == "LOGOUT":
			return []string{`OK "bye"`}, true, false
		}
		return []string{`NO "unknown command"`}, false, false
	})
}
