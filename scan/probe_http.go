package scan

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"strconv"
	"strings"

	ztls "github.com/zmap/zcrypto/tls"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// The HTTP probe sends one "GET <path> HTTP/1.1" over the audited TLS
// connection and records the status line and the raw security headers in
// obs.HTTP; checks/http judges them. Redirects are recorded, never
// followed. The opt-in plain-HTTP probe does the same on port 80 (no TLS) to
// see whether it redirects to HTTPS.
func init() {
	registerProbe("http", probeHTTP, func(o *obs.Observation, h *obs.HTTP) {
		if o.HTTP != nil {
			h.PlainHTTP = o.HTTP.PlainHTTP
		}
		o.HTTP = h
	})
	registerProbe("http_plain", probePlainHTTP, func(o *obs.Observation, ph *obs.PlainHTTP) {
		if ph == nil {
			return // not asked for
		}
		if o.HTTP == nil {
			o.HTTP = &obs.HTTP{}
		}
		o.HTTP.PlainHTTP = ph
	})
}

// Limits of the HTTP probes.
const (
	httpMaxHeader = 64 << 10 // status line + headers
	httpMaxBody   = 64 << 10 // body bytes read, then stop
	httpUserAgent = "tlsaudit/1.0 (TLS audit; +https://github.com/tlsaudit/tlsaudit)"
	// httpAcceptEncoding offers every common compression, to detect BREACH.
	httpAcceptEncoding = "gzip, deflate, br, zstd"
)

// HTTPOptions tune the HTTP probes (Options.HTTP).
type HTTPOptions struct {
	// Path requested over HTTPS (and plain HTTP); default "/".
	Path string
	// PlainRedirectCheck opts in to a GET over plain HTTP on PlainPort of
	// the same address, to check that it redirects to HTTPS.
	PlainRedirectCheck bool
	// PlainPort for PlainRedirectCheck; default 80.
	PlainPort int
}

// withDefaults returns o with the defaults filled in.
func (o HTTPOptions) withDefaults() HTTPOptions {
	if o.Path == "" || o.Path[0] != '/' {
		o.Path = "/" + strings.TrimPrefix(o.Path, "/")
	}
	o.Path = escapeRequestTarget(o.Path)
	if o.PlainPort <= 0 || o.PlainPort > 65535 {
		o.PlainPort = 80
	}
	return o
}

// escapeRequestTarget percent-encodes the bytes that would end or split
// the request line (controls, CR and LF among them, space, DEL): whatever
// the caller passed, the probe sends one request and its own headers.
func escapeRequestTarget(p string) string {
	if !strings.ContainsFunc(p, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// hostHeader returns the Host header value for the target on port
// (defaultPort omitted): the SNI name, else the host, IPv6 in brackets.
func hostHeader(t obs.Target, port, defaultPort int) string {
	host := t.SNI
	if host == "" {
		host = t.Host
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != defaultPort {
		host += ":" + strconv.Itoa(port)
	}
	return host
}

// httpRequest is the request the probes send.
func httpRequest(path, host string) []byte {
	return []byte("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + httpUserAgent +
		"\r\nAccept: text/html,*/*;q=0.8\r\nAccept-Encoding: " + httpAcceptEncoding + "\r\nConnection: close\r\n\r\n")
}

// tlsSession is an established TLS connection and what it negotiated.
type tlsSession struct {
	conn    net.Conn
	client  string // "crypto/tls" or "zcrypto"
	version uint16
	suite   uint16
	alpn    string
}

// goSuites are every TLS ≤1.2 suite crypto/tls implements, insecure ones
// included: the probe must reach old servers; trust is judged elsewhere.
func goSuites() []uint16 {
	var ids []uint16
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		ids = append(ids, s.ID)
	}
	return ids
}

// dialTLS opens a connection through the endpoint limit and completes a
// handshake offering protos by ALPN: crypto/tls first, then zcrypto (which
// also speaks DHE and old suites) with the suites discovery saw accepted.
func (e *probeEnv) dialTLS(ctx context.Context, protos []string) (*tlsSession, error) {
	s, goErr := e.dialGoTLS(ctx, protos)
	if goErr == nil {
		return s, nil
	}
	var de *DialError
	if errors.As(goErr, &de) || ctx.Err() != nil {
		return nil, goErr
	}
	s, zErr := e.dialZTLS(ctx, protos)
	if zErr != nil {
		return nil, fmt.Errorf("TLS handshake failed: crypto/tls: %v; zcrypto: %v", goErr, zErr)
	}
	return s, nil
}

func (e *probeEnv) dialGoTLS(ctx context.Context, protos []string) (*tlsSession, error) {
	c, err := e.ep.dial(ctx)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(c, &tls.Config{
		ServerName:         e.ep.sni,
		InsecureSkipVerify: true, // trust is judged by checks/cert
		NextProtos:         protos,
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       goSuites(),
	})
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, err
	}
	st := tc.ConnectionState()
	return &tlsSession{conn: tc, client: "crypto/tls", version: st.Version, suite: st.CipherSuite, alpn: st.NegotiatedProtocol}, nil
}

func (e *probeEnv) dialZTLS(ctx context.Context, protos []string) (*tlsSession, error) {
	var version uint16
	var suites []uint16
	for _, v := range []uint16{registry.VersionTLS12, registry.VersionTLS11, registry.VersionTLS10} {
		if p := e.supported(v); p.Supported && len(p.Suites) > 0 {
			version = v
			for _, s := range p.Suites {
				suites = append(suites, s.ID)
			}
			break
		}
	}
	if version == 0 {
		return nil, errors.New("no TLS 1.0-1.2 suite accepted to fall back on")
	}
	c, err := e.ep.dial(ctx)
	if err != nil {
		return nil, err
	}
	zc := ztls.Client(c, &ztls.Config{
		ServerName:         e.ep.sni,
		InsecureSkipVerify: true,
		NextProtos:         protos,
		MinVersion:         ztls.VersionTLS10,
		MaxVersion:         version,
		CipherSuites:       suites,
		ForceSuites:        true,
		ClientDSAEnabled:   true,
	})
	if err := zc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, err
	}
	st := zc.ConnectionState()
	return &tlsSession{conn: zc, client: "zcrypto", version: st.Version, suite: st.CipherSuite, alpn: st.NegotiatedProtocol}, nil
}

// probeHTTP returns the answer to GET over TLS.
func probeHTTP(ctx context.Context, e *probeEnv) (h *obs.HTTP) {
	opts := e.http
	t := e.target
	host := hostHeader(t, t.Port, 443)
	h = &obs.HTTP{URL: "https://" + host + opts.Path}
	if t.StartTLS != "" {
		h.Attempt = obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "STARTTLS (" + t.StartTLS + ") target: no HTTP over it"}
		return
	}
	h.ALPNOffered = []string{"h2", "http/1.1"}
	s, err := e.dialTLS(ctx, h.ALPNOffered)
	if err != nil {
		h.Attempt = obs.Attempt{Status: obs.AttemptError, Reason: err.Error(), Connections: 1}
		return
	}
	h.Attempt.Connections = 1
	h.ALPN = s.alpn
	if s.alpn != "" && s.alpn != "http/1.1" {
		// h2 (or something else) chosen: speak HTTP/1.1 on a new connection.
		s.conn.Close()
		h.Attempt.Connections++
		if s, err = e.dialTLS(ctx, []string{"http/1.1"}); err != nil {
			h.Attempt.Status, h.Attempt.Reason = obs.AttemptError, "second connection offering only http/1.1: "+err.Error()
			return
		}
	}
	defer s.conn.Close()
	h.TLSClient, h.TLSVersion, h.Suite = s.client, registry.Version(s.version).String(), registry.SuiteName(s.suite)
	resp, err := exchangeHTTP(s.conn, httpRequest(opts.Path, host))
	if err != nil {
		h.Attempt.Status, h.Attempt.Reason = httpAttemptStatus(err), err.Error()
		return
	}
	h.Attempt.Status = obs.AttemptCompleted
	resp.fill(h)
	return
}

// probePlainHTTP (opt-in) returns the answer to GET over plain HTTP; nil
// when not asked for.
func probePlainHTTP(ctx context.Context, e *probeEnv) (ph *obs.PlainHTTP) {
	opts := e.http
	if !opts.PlainRedirectCheck {
		return nil
	}
	t := e.target
	host := hostHeader(t, opts.PlainPort, 80)
	ph = &obs.PlainHTTP{URL: "http://" + host + opts.Path}
	ip, _, err := net.SplitHostPort(e.ep.addr)
	if err != nil {
		ph.Attempt = obs.Attempt{Status: obs.AttemptError, Reason: err.Error()}
		return
	}
	// Same address, other port, same connection limit and deadline.
	ep := &endpoint{addr: net.JoinHostPort(ip, strconv.Itoa(opts.PlainPort)), sni: e.ep.sni, connTimeout: e.ep.connTimeout, sem: e.ep.sem}
	defer func() { e.ep.conns.Add(ep.conns.Load()) }()
	c, err := ep.dial(ctx)
	if err != nil {
		ph.Attempt = obs.Attempt{Status: obs.AttemptError, Reason: err.Error(), Connections: 1}
		return
	}
	defer c.Close()
	resp, err := exchangeHTTP(c, httpRequest(opts.Path, host))
	if err != nil {
		ph.Attempt = obs.Attempt{Status: httpAttemptStatus(err), Reason: err.Error(), Connections: 1}
		return
	}
	ph.Attempt = obs.Attempt{Status: obs.AttemptCompleted, Connections: 1}
	ph.StatusCode = resp.code
	ph.Location = resp.values("location")
	ph.StrictTransportSecurity = resp.values("strict-transport-security")
	return
}

// httpAttemptStatus classifies a failed exchange: an answer that is not
// HTTP is inconclusive, anything else (timeout, reset) an error.
func httpAttemptStatus(err error) string {
	if errors.Is(err, errNotHTTP) {
		return obs.AttemptInconclusive
	}
	return obs.AttemptError
}

// exchangeHTTP writes req on c and reads the response (the connection's
// deadline bounds both).
func exchangeHTTP(c net.Conn, req []byte) (*httpResponse, error) {
	if _, err := c.Write(req); err != nil {
		return nil, fmt.Errorf("send request: %w", err)
	}
	return readHTTPResponse(c, httpMaxHeader, httpMaxBody)
}

// errNotHTTP: the server answered, but not with an HTTP/1.x response.
var errNotHTTP = errors.New("the answer is not an HTTP/1.x response")

// httpField is one header line, name as sent.
type httpField struct{ name, value string }

// httpResponse is a parsed HTTP/1.x response head plus how much body was read.
type httpResponse struct {
	proto         string
	code          int
	text          string
	fields        []httpField
	headerBytes   int
	bodyBytes     int
	bodyTruncated bool
}

// values returns the values of the header lines named name (lower case), in order.
func (r *httpResponse) values(name string) []string {
	var out []string
	for _, f := range r.fields {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

// fill copies the status line and the security headers into h.
func (r *httpResponse) fill(h *obs.HTTP) {
	h.Proto, h.StatusCode, h.StatusText = r.proto, r.code, r.text
	h.HeaderBytes, h.BodyBytes, h.BodyTruncated = r.headerBytes, r.bodyBytes, r.bodyTruncated
	for _, f := range []struct {
		dst  *[]string
		name string
	}{
		{&h.StrictTransportSecurity, "strict-transport-security"},
		{&h.PublicKeyPins, "public-key-pins"},
		{&h.PublicKeyPinsReportOnly, "public-key-pins-report-only"},
		{&h.ContentEncoding, "content-encoding"},
		{&h.Location, "location"},
		{&h.Server, "server"},
		{&h.XPoweredBy, "x-powered-by"},
		{&h.ContentSecurityPolicy, "content-security-policy"},
		{&h.ContentSecurityPolicyRO, "content-security-policy-report-only"},
		{&h.XFrameOptions, "x-frame-options"},
		{&h.XContentTypeOptions, "x-content-type-options"},
		{&h.ReferrerPolicy, "referrer-policy"},
		{&h.PermissionsPolicy, "permissions-policy"},
		{&h.ExpectCT, "expect-ct"},
		{&h.CrossOriginOpenerPolicy, "cross-origin-opener-policy"},
		{&h.CrossOriginEmbedderPolicy, "cross-origin-embedder-policy"},
	} {
		*f.dst = r.values(f.name)
	}
	for _, v := range r.values("set-cookie") {
		h.Cookies = append(h.Cookies, cookieSummary(v))
	}
}

// cookieSummary reads the name and the security attributes of one
// Set-Cookie value; the cookie's value is never kept.
func cookieSummary(v string) obs.Cookie {
	parts := strings.Split(v, ";")
	name, _, _ := strings.Cut(parts[0], "=")
	c := obs.Cookie{Name: strings.TrimSpace(name)}
	for _, attr := range parts[1:] {
		k, val, _ := strings.Cut(attr, "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "secure":
			c.Secure = true
		case "httponly":
			c.HTTPOnly = true
		case "samesite":
			c.SameSite = strings.TrimSpace(val)
		}
	}
	return c
}

// readHTTPResponse reads one HTTP/1.x response from r: the head, at most
// maxHeader bytes (interim 1xx responses are skipped, within the same
// budget), then at most maxBody bytes of body (Content-Length, chunked or
// until EOF). A body cut short by the server is not an error: the head is
// what matters.
//
// The head is parsed here rather than by net/http.ReadResponse because the
// probe must read what a browser reads: ReadResponse rejects the whole
// response on one malformed header line ("no colon", a name with a space),
// where browsers ignore the line and still apply the HSTS header next to
// it; and it gives no count of the head's bytes. The body is decoded with
// net/http/httputil's chunked reader.
func readHTTPResponse(r io.Reader, maxHeader, maxBody int) (*httpResponse, error) {
	lr := &io.LimitedReader{R: r, N: int64(maxHeader)}
	br := bufio.NewReaderSize(lr, 4096)
	var resp *httpResponse
	for {
		var err error
		resp, err = readHead(br, lr)
		if err != nil {
			return nil, err
		}
		if resp.code >= 200 || resp.code == 101 {
			break
		}
	}
	resp.headerBytes = maxHeader - int(lr.N) - br.Buffered()
	// The body: what is buffered, then the connection without the header cap.
	body := io.MultiReader(bytes.NewReader(peekBuffered(br)), r)
	resp.bodyBytes, resp.bodyTruncated = readBody(resp, body, maxBody)
	return resp, nil
}

func peekBuffered(br *bufio.Reader) []byte {
	b, _ := br.Peek(br.Buffered())
	return b
}

// readHead reads a status line and header lines up to the empty line.
func readHead(br *bufio.Reader, lr *io.LimitedReader) (*httpResponse, error) {
	line, err := readLine(br, lr)
	if err != nil {
		if len(line) > 0 && !strings.HasPrefix("HTTP/", string(line[:min(len(line), 5)])) {
			return nil, fmt.Errorf("%w: starts with %q", errNotHTTP, truncate(line, 32))
		}
		return nil, fmt.Errorf("read status line: %w", err)
	}
	resp, err := parseStatusLine(line)
	if err != nil {
		return nil, err
	}
	for {
		line, err := readLine(br, lr)
		if err != nil {
			return nil, fmt.Errorf("read headers: %w", err)
		}
		if len(line) == 0 {
			return resp, nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			// obs-fold: a continuation of the previous value (RFC 7230 3.2.4).
			if n := len(resp.fields); n > 0 {
				resp.fields[n-1].value = strings.TrimSpace(resp.fields[n-1].value + " " + strings.TrimSpace(string(line)))
			}
			continue
		}
		name, value, ok := strings.Cut(string(line), ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			continue // not a header line: ignored, as browsers do
		}
		resp.fields = append(resp.fields, httpField{name: name, value: strings.Trim(value, " \t")})
	}
}

// readLine returns one line without its CRLF (or bare LF).
func readLine(br *bufio.Reader, lr *io.LimitedReader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	for errors.Is(err, bufio.ErrBufferFull) {
		// Longer than the buffer: keep reading (the header cap bounds it).
		var more []byte
		line = append([]byte(nil), line...)
		more, err = br.ReadSlice('\n')
		line = append(line, more...)
	}
	if err != nil {
		if errors.Is(err, io.EOF) && lr.N <= 0 {
			return line, fmt.Errorf("response head larger than %d bytes", httpMaxHeader)
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return line, err
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	return line, nil
}

// parseStatusLine parses "HTTP/1.x SSS reason".
func parseStatusLine(line []byte) (*httpResponse, error) {
	s := string(line)
	proto, rest, _ := strings.Cut(s, " ")
	if len(proto) != 8 || !strings.HasPrefix(proto, "HTTP/1.") || proto[7] < '0' || proto[7] > '9' {
		return nil, fmt.Errorf("%w: status line %q", errNotHTTP, truncate(line, 64))
	}
	codeStr, text, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(codeStr)
	if err != nil || len(codeStr) != 3 || code < 100 {
		return nil, fmt.Errorf("%w: bad status code in %q", errNotHTTP, truncate(line, 64))
	}
	return &httpResponse{proto: proto, code: code, text: strings.TrimSpace(text)}, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// readBody reads at most max bytes of the body of resp from r and reports
// how many it read and whether there was more.
func readBody(resp *httpResponse, r io.Reader, max int) (int, bool) {
	if resp.code == 204 || resp.code == 304 || resp.code == 101 {
		return 0, false
	}
	te := strings.ToLower(strings.Join(resp.values("transfer-encoding"), ","))
	switch {
	case strings.HasSuffix(strings.TrimSpace(te), "chunked"):
		r = httputil.NewChunkedReader(r)
	case len(resp.values("content-length")) > 0:
		n, err := strconv.ParseInt(strings.TrimSpace(resp.values("content-length")[0]), 10, 64)
		if err == nil && n >= 0 {
			r = io.LimitReader(r, n)
		}
	}
	n, _ := io.Copy(io.Discard, io.LimitReader(r, int64(max)+1))
	if n > int64(max) {
		return max, true
	}
	return int(n), false
}
