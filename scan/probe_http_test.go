package scan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// scanHTTP audits srv with the HTTP options and returns the observation and
// the findings of the real pipeline (scan → checks).
func scanHTTP(t *testing.T, srv *tlstest.Server, opts HTTPOptions, connTimeout time.Duration) (*obs.Observation, map[string]checks.Finding) {
	t.Helper()
	s := New(Options{ConnTimeout: connTimeout, Timeout: 60 * time.Second, HTTP: opts})
	o := s.Scan(context.Background(), Target{Input: srv.Addr, Host: srv.Host, Port: srv.Port, SNI: srv.Name})
	if o.Status != obs.StatusOK {
		t.Fatalf("status %s: %s", o.Status, o.Error)
	}
	if o.HTTP == nil {
		t.Fatal("no HTTP observation")
	}
	fs := map[string]checks.Finding{}
	for _, f := range all.Registry().Run(o, checks.Env{Now: time.Now(), Hostname: srv.Name}) {
		if f.Category == "http" {
			fs[f.CheckID] = f
		}
	}
	return o, fs
}

func wantFinding(t *testing.T, fs map[string]checks.Finding, id string, status checks.Status, detail string) {
	t.Helper()
	f, ok := fs[id]
	if !ok {
		t.Errorf("%s: no finding", id)
		return
	}
	if f.Status != status || !strings.Contains(f.Detail, detail) {
		t.Errorf("%s: %s %q, want %s containing %q", id, f.Status, f.Detail, status, detail)
	}
}

// TestHTTPNginxHSTSGzip is the "Done when" case: nginx with an HSTS header
// and gzip on, through the real scan → checks path.
func TestHTTPNginxHSTSGzip(t *testing.T) {
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{HSTS: "max-age=63072000; includeSubDomains; preload", Gzip: true})
	o, fs := scanHTTP(t, srv, HTTPOptions{}, 5*time.Second)
	h := o.HTTP
	if h.Attempt.Status != obs.AttemptCompleted || h.StatusCode != 200 || h.Proto != "HTTP/1.1" {
		t.Fatalf("HTTP %+v", h)
	}
	if !slices.Equal(h.StrictTransportSecurity, []string{"max-age=63072000; includeSubDomains; preload"}) {
		t.Errorf("HSTS %q", h.StrictTransportSecurity)
	}
	if !slices.Equal(h.ContentEncoding, []string{"gzip"}) {
		t.Errorf("Content-Encoding %q", h.ContentEncoding)
	}
	if len(h.Server) != 1 || !strings.HasPrefix(h.Server[0], "nginx/") {
		t.Errorf("Server %q", h.Server)
	}
	if h.URL != "https://"+srv.Name+":"+fmt.Sprint(srv.Port)+"/" || h.TLSClient != "crypto/tls" || h.BodyBytes == 0 {
		t.Errorf("URL %q client %q body %d", h.URL, h.TLSClient, h.BodyBytes)
	}
	wantFinding(t, fs, checks.IDHTTPHSTSMissing, checks.StatusPass, "max-age=63072000")
	wantFinding(t, fs, checks.IDHTTPHSTSInvalid, checks.StatusPass, "includeSubDomains, preload")
	wantFinding(t, fs, checks.IDHTTPHSTSShort, checks.StatusPass, "730 days")
	wantFinding(t, fs, "http.hsts_preload_ready", checks.StatusPass, "hstspreload.org requirements")
	wantFinding(t, fs, "http.breach", checks.StatusFail, "Content-Encoding: gzip")
	wantFinding(t, fs, "http.server_banner", checks.StatusFail, "nginx/")
	wantFinding(t, fs, checks.IDHTTPHPKPInvalid, checks.StatusNotApplicable, "no Public-Key-Pins header")
	wantFinding(t, fs, "http.no_redirect_80", checks.StatusNotApplicable, "opt-in")
}

// TestHTTPNginxNoHSTS: the same server without HSTS and gzip.
func TestHTTPNginxNoHSTS(t *testing.T) {
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{})
	o, fs := scanHTTP(t, srv, HTTPOptions{Path: "/x"}, 5*time.Second)
	if o.HTTP.StatusCode != 200 || len(o.HTTP.StrictTransportSecurity) != 0 || len(o.HTTP.ContentEncoding) != 0 {
		t.Errorf("HTTP %+v", o.HTTP)
	}
	if !strings.HasSuffix(o.HTTP.URL, "/x") {
		t.Errorf("URL %q", o.HTTP.URL)
	}
	wantFinding(t, fs, checks.IDHTTPHSTSMissing, checks.StatusFail, "no Strict-Transport-Security header")
	wantFinding(t, fs, checks.IDHTTPHSTSShort, checks.StatusNotApplicable, "no Strict-Transport-Security")
	wantFinding(t, fs, "http.breach", checks.StatusPass, "not compressed")
}

// TestHTTPGoServerHeaders: an in-process server with several HSTS headers,
// HPKP pinning its own key, cookies and a redirect to plain HTTP; ALPN h2
// forces a second connection speaking HTTP/1.1.
func TestHTTPGoServerHeaders(t *testing.T) {
	leaf := issueLeaf(t)
	cfg := &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}, NextProtos: []string{"h2", "http/1.1"}}
	srv := tlstest.NewGoServerT(t, cfg,
		tlstest.GoHeader("Strict-Transport-Security", "max-age=600"),
		tlstest.GoHeader("Strict-Transport-Security", "max-age=31536000"),
		tlstest.GoHeader("Public-Key-Pins", `pin-sha256="`+spkiPin(t, leaf.DER)+`"; max-age=10`),
		tlstest.GoHeader("Set-Cookie", "sid=secret-value; Secure; HttpOnly; SameSite=Strict"),
		tlstest.GoHeader("Set-Cookie", "pref=1"),
		tlstest.GoHeader("X-Powered-By", "PHP/8.2.1"),
		tlstest.GoHeader("X-Content-Type-Options", "nosniff"),
	)
	o, fs := scanHTTP(t, srv, HTTPOptions{}, 5*time.Second)
	h := o.HTTP
	if h.ALPN != "h2" || h.Attempt.Connections != 2 || h.StatusCode != 200 {
		t.Fatalf("ALPN %q, %d connections, status %d: %+v", h.ALPN, h.Attempt.Connections, h.StatusCode, h.Attempt)
	}
	if !slices.Equal(h.StrictTransportSecurity, []string{"max-age=600", "max-age=31536000"}) {
		t.Errorf("HSTS %q", h.StrictTransportSecurity)
	}
	want := []obs.Cookie{{Name: "sid", Secure: true, HTTPOnly: true, SameSite: "Strict"}, {Name: "pref"}}
	if !slices.Equal(h.Cookies, want) {
		t.Errorf("cookies %+v", h.Cookies)
	}
	if b, _ := json.Marshal(h); strings.Contains(string(b), "secret-value") {
		t.Error("a cookie value leaked into the observation")
	}
	wantFinding(t, fs, checks.IDHTTPHSTSInvalid, checks.StatusFail, "2 Strict-Transport-Security headers")
	wantFinding(t, fs, checks.IDHTTPHSTSShort, checks.StatusFail, "max-age=600")
	wantFinding(t, fs, checks.IDHTTPHPKPInvalid, checks.StatusFail, "only one pin")
	wantFinding(t, fs, "http.server_banner", checks.StatusFail, "X-Powered-By: PHP/8.2.1")
	wantFinding(t, fs, "http.security_headers", checks.StatusFail, "cookie pref without Secure, HttpOnly, SameSite")
}

// issueLeaf issues an RSA leaf for DefaultName from the shared test PKI.
func issueLeaf(t *testing.T) *tlstest.Leaf {
	t.Helper()
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{DNSNames: []string{tlstest.DefaultName}})
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

// spkiPin is the HPKP pin of a DER certificate.
func spkiPin(t *testing.T, der []byte) string {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// TestHTTPTLS10DHEFallback: crypto/tls cannot negotiate DHE; the zcrypto
// fallback carries the request.
func TestHTTPTLS10DHEFallback(t *testing.T) {
	// nginx rather than s_server: s_server serves one connection at a time,
	// so a probe holding a connection would starve this one.
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1", Ciphers: "DHE-RSA-AES128-SHA", DHGroup: "ffdhe2048"})
	// A generous connection timeout: zcrypto's DHE key exchange is slow
	// under -race on a loaded machine.
	o, _ := scanHTTP(t, srv, HTTPOptions{}, 20*time.Second)
	h := o.HTTP
	if h.Attempt.Status != obs.AttemptCompleted || h.TLSClient != "zcrypto" || h.TLSVersion != "TLSv1.0" || h.StatusCode != 200 {
		t.Fatalf("HTTP %+v", h)
	}
}

// TestHTTPPlainRedirect: the opt-in plain-HTTP check against a loopback
// server redirecting to HTTPS, and against a closed port.
func TestHTTPPlainRedirect(t *testing.T) {
	srv := tlstest.NewGoServerT(t, nil, tlstest.GoHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"))
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+r.Host+r.URL.Path, http.StatusMovedPermanently)
	}))
	t.Cleanup(plain.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(plain.URL, "http://"))
	var p int
	fmt.Sscan(port, &p)
	o, fs := scanHTTP(t, srv, HTTPOptions{PlainRedirectCheck: true, PlainPort: p}, 5*time.Second)
	ph := o.HTTP.PlainHTTP
	if ph == nil || ph.Attempt.Status != obs.AttemptCompleted || ph.StatusCode != 301 {
		t.Fatalf("plain HTTP %+v", ph)
	}
	if want := "https://" + srv.Name + ":" + port + "/"; !slices.Equal(ph.Location, []string{want}) {
		t.Errorf("Location %q, want %q", ph.Location, want)
	}
	wantFinding(t, fs, "http.no_redirect_80", checks.StatusPass, "redirects to https://"+srv.Name)
	wantFinding(t, fs, "http.hsts_preload_ready", checks.StatusPass, "plain HTTP redirects to HTTPS")

	plain.Close()
	o, fs = scanHTTP(t, srv, HTTPOptions{PlainRedirectCheck: true, PlainPort: p}, 5*time.Second)
	if ph := o.HTTP.PlainHTTP; ph == nil || ph.Attempt.Status != obs.AttemptError || !strings.Contains(ph.Attempt.Reason, "refused") {
		t.Fatalf("closed port: %+v", o.HTTP.PlainHTTP)
	}
	wantFinding(t, fs, "http.no_redirect_80", checks.StatusNotApplicable, "did not answer")
}

// tlsListener is a loopback crypto/tls server that hands every connection
// whose handshake completes to serve, then closes it.
func tlsListener(t *testing.T, serve func(c net.Conn)) *tlstest.Server {
	t.Helper()
	leaf := issueLeaf(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if c.(*tls.Conn).Handshake() == nil {
					serve(c)
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	addr := ln.Addr().(*net.TCPAddr)
	return &tlstest.Server{Addr: addr.String(), Host: "127.0.0.1", Port: addr.Port, Name: tlstest.DefaultName}
}

// TestHTTPHostileAnswers: after the handshake the server says something
// that is not HTTP, says nothing, or floods headers: a clear error, no hang.
func TestHTTPHostileAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		serve  func(c net.Conn)
		status string
		reason string
	}{
		{"not http", func(c net.Conn) { io.WriteString(c, "SSH-2.0-OpenSSH_9.2\r\n") }, obs.AttemptInconclusive, "not an HTTP/1.x response"},
		{"binary", func(c net.Conn) { c.Write([]byte{0, 1, 2, 3}) }, obs.AttemptInconclusive, "not an HTTP/1.x response"},
		{"silent", func(c net.Conn) { time.Sleep(3 * time.Second) }, obs.AttemptError, "timeout"},
		{"close", func(c net.Conn) {}, obs.AttemptError, "unexpected EOF"},
		{"header flood", func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\n")
			for i := 0; i < 10000; i++ {
				if _, err := fmt.Fprintf(c, "X-Filler-%d: %s\r\n", i, strings.Repeat("a", 100)); err != nil {
					return
				}
			}
		}, obs.AttemptError, "larger than 65536 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tlsListener(t, tc.serve)
			o, _ := scanHTTP(t, srv, HTTPOptions{}, 2*time.Second)
			if o.HTTP.Attempt.Status != tc.status || !strings.Contains(o.HTTP.Attempt.Reason, tc.reason) {
				t.Errorf("attempt %+v, want %s with %q", o.HTTP.Attempt, tc.status, tc.reason)
			}
		})
	}
}

// readerCases are raw server answers and what readHTTPResponse makes of them.
var readerCases = []struct {
	name      string
	in        string
	code      int
	fields    int
	body      int
	truncated bool
	err       string
}{
	{name: "simple", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello", code: 200, fields: 2, body: 5},
	{name: "bare LF", in: "HTTP/1.0 301 Moved\nLocation: https://a/\n\n", code: 301, fields: 1},
	{name: "no reason phrase", in: "HTTP/1.1 204\r\n\r\n", code: 204},
	{name: "interim 100 and 103 skipped", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\n", code: 200, fields: 1},
	{name: "chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", code: 200, fields: 1, body: 11},
	{name: "content-length caps", in: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhello", code: 200, fields: 1, body: 2},
	{name: "body to EOF", in: "HTTP/1.1 200 OK\r\n\r\n" + strings.Repeat("x", 100), code: 200, body: 100},
	{name: "body truncated at cap", in: "HTTP/1.1 200 OK\r\n\r\n" + strings.Repeat("x", 2000), code: 200, body: 1024, truncated: true},
	{name: "short body is fine", in: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", code: 200, fields: 1, body: 3},
	{name: "obs-fold joined", in: "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1;\r\n includeSubDomains\r\n\r\n", code: 200, fields: 1},
	{name: "malformed header line ignored", in: "HTTP/1.1 200 OK\r\nno colon here\r\nBad Name: x\r\nGood: y\r\n\r\n", code: 200, fields: 1},
	{name: "long header line", in: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 9000) + "\r\n\r\n", code: 200, fields: 1},
	{name: "header too large", in: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 5000) + "\r\n\r\n", err: "larger than"},
	{name: "not http", in: "SSH-2.0-OpenSSH\r\n", err: "not an HTTP/1.x response"},
	{name: "binary, no newline", in: "\x00\x01\x02", err: "not an HTTP/1.x response"},
	{name: "HTTP/2 preface", in: "HTTP/2 200\r\n\r\n", err: "not an HTTP/1.x response"},
	{name: "bad code", in: "HTTP/1.1 2x0 OK\r\n\r\n", err: "bad status code"},
	{name: "empty", in: "", err: "unexpected EOF"},
	{name: "cut in headers", in: "HTTP/1.1 200 OK\r\nA: b\r\n", err: "read headers: unexpected EOF"},
	{name: "endless 100s", in: strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 1000), err: "larger than"},
}

func TestReadHTTPResponse(t *testing.T) {
	for _, tc := range readerCases {
		t.Run(tc.name, func(t *testing.T) {
			max := 4096
			if tc.name == "long header line" {
				max = 16384
			}
			r, err := readHTTPResponse(strings.NewReader(tc.in), max, 1024)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.code != tc.code || len(r.fields) != tc.fields || r.bodyBytes != tc.body || r.bodyTruncated != tc.truncated {
				t.Errorf("code %d fields %d body %d truncated %v; want %d %d %d %v", r.code, len(r.fields), r.bodyBytes, r.bodyTruncated,
					tc.code, tc.fields, tc.body, tc.truncated)
			}
		})
	}
	head := "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1;\r\n\tincludeSubDomains\r\nSet-Cookie: a=b; secure; SAMESITE=Lax\r\n\r\n"
	r, err := readHTTPResponse(strings.NewReader(head+"body"), 4096, 0)
	if err != nil {
		t.Fatal(err)
	}
	var h obs.HTTP
	r.fill(&h)
	if !slices.Equal(h.StrictTransportSecurity, []string{"max-age=1; includeSubDomains"}) || r.headerBytes != len(head) || !r.bodyTruncated {
		t.Errorf("obs-fold: %q, header bytes %d", h.StrictTransportSecurity, r.headerBytes)
	}
	if !slices.Equal(h.Cookies, []obs.Cookie{{Name: "a", Secure: true, SameSite: "Lax"}}) {
		t.Errorf("cookies %+v", h.Cookies)
	}
}

func TestHostHeader(t *testing.T) {
	for _, tc := range []struct {
		t    obs.Target
		port int
		want string
	}{
		{obs.Target{Host: "example.com", SNI: "example.com"}, 443, "example.com"},
		{obs.Target{Host: "127.0.0.1", SNI: "www.example.com"}, 8443, "www.example.com:8443"},
		{obs.Target{Host: "::1"}, 443, "[::1]"},
		{obs.Target{Host: "192.0.2.1"}, 80, "192.0.2.1:80"},
	} {
		if got := hostHeader(tc.t, tc.port, 443); got != tc.want {
			t.Errorf("hostHeader(%+v, %d) = %q, want %q", tc.t, tc.port, got, tc.want)
		}
	}
}

// FuzzReadHTTPResponse: any server answer yields a response or an error,
// within the caps, without panicking.
func FuzzReadHTTPResponse(f *testing.F) {
	for _, tc := range readerCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := readHTTPResponse(bytes.NewReader(data), 2048, 512)
		if err != nil {
			return
		}
		if r.headerBytes > 2048 || r.bodyBytes > 512 || r.code < 100 || r.code > 999 {
			t.Fatalf("out of bounds: %+v", r)
		}
		var h obs.HTTP
		r.fill(&h)
	})
}
