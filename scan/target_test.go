package scan

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

func TestParseTarget(t *testing.T) {
	v4 := netip.MustParseAddr("192.0.2.7")
	v6 := netip.MustParseAddr("2001:db8::1")
	lo6 := netip.MustParseAddr("::1")
	tests := []struct {
		in   string
		want Target
	}{
		{"example.com", Target{Host: "example.com", Port: 443}},
		{"Example.COM.", Target{Host: "example.com", Port: 443}},
		{"  example.com  ", Target{Host: "example.com", Port: 443}},
		{"example.com:8443", Target{Host: "example.com", Port: 8443}},
		{"localhost:1", Target{Host: "localhost", Port: 1}},
		{"a-b_c.example:65535", Target{Host: "a-b_c.example", Port: 65535}},
		{"https://example.com", Target{Host: "example.com", Port: 443}},
		{"https://example.com/", Target{Host: "example.com", Port: 443}},
		{"HTTPS://example.com:8443/path?q=1#frag", Target{Host: "example.com", Port: 8443, Path: "/path?q=1"}},
		{"https://example.com?x", Target{Host: "example.com", Port: 443, Path: "/?x"}},
		{"https://example.com/a/b/", Target{Host: "example.com", Port: 443, Path: "/a/b/"}},
		{"https://example.com#top", Target{Host: "example.com", Port: 443}},
		{"192.0.2.7", Target{Host: "192.0.2.7", IP: v4, Port: 443}},
		{"192.0.2.7:993", Target{Host: "192.0.2.7", IP: v4, Port: 993}},
		{"2001:db8::1", Target{Host: "2001:db8::1", IP: v6, Port: 443}},
		{"2001:DB8:0::1", Target{Host: "2001:db8::1", IP: v6, Port: 443}},
		{"::1", Target{Host: "::1", IP: lo6, Port: 443}},
		{"[::1]", Target{Host: "::1", IP: lo6, Port: 443}},
		{"[2001:db8::1]:8443", Target{Host: "2001:db8::1", IP: v6, Port: 8443}},
		{"https://[2001:db8::1]:8443/", Target{Host: "2001:db8::1", IP: v6, Port: 8443}},
		{"tls://example.com:853", Target{Host: "example.com", Port: 853}},
		// Implicit TLS.
		{"smtps://mail.example", Target{Host: "mail.example", Port: 465}},
		{"imaps://mail.example", Target{Host: "mail.example", Port: 993}},
		{"pop3s://mail.example", Target{Host: "mail.example", Port: 995}},
		{"ldaps://dir.example", Target{Host: "dir.example", Port: 636}},
		{"ftps://ftp.example", Target{Host: "ftp.example", Port: 990}},
		// STARTTLS.
		{"smtp://mail.example", Target{Host: "mail.example", Port: 25, StartTLS: "smtp"}},
		{"smtp://mail.example:2525", Target{Host: "mail.example", Port: 2525, StartTLS: "smtp"}},
		{"submission://mail.example", Target{Host: "mail.example", Port: 587, StartTLS: "smtp"}},
		{"imap://mail.example", Target{Host: "mail.example", Port: 143, StartTLS: "imap"}},
		{"pop3://mail.example", Target{Host: "mail.example", Port: 110, StartTLS: "pop3"}},
		{"ftp://ftp.example", Target{Host: "ftp.example", Port: 21, StartTLS: "ftp"}},
		{"xmpp://chat.example", Target{Host: "chat.example", Port: 5222, StartTLS: "xmpp"}},
		{"xmpp-server://chat.example", Target{Host: "chat.example", Port: 5269, StartTLS: "xmpp-server"}},
		{"ldap://dir.example", Target{Host: "dir.example", Port: 389, StartTLS: "ldap"}},
		{"postgres://db.example", Target{Host: "db.example", Port: 5432, StartTLS: "postgres"}},
		{"postgresql://db.example/app", Target{Host: "db.example", Port: 5432, StartTLS: "postgres"}},
		{"mysql://db.example", Target{Host: "db.example", Port: 3306, StartTLS: "mysql"}},
		{"nntp://news.example", Target{Host: "news.example", Port: 119, StartTLS: "nntp"}},
		{"sieve://mail.example", Target{Host: "mail.example", Port: 4190, StartTLS: "sieve"}},
		{"smtp://[::1]", Target{Host: "::1", IP: lo6, Port: 25, StartTLS: "smtp"}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTarget(tc.in)
			if err != nil {
				t.Fatalf("ParseTarget(%q): %v", tc.in, err)
			}
			tc.want.Input = tc.in
			if got != tc.want {
				t.Errorf("ParseTarget(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseTargetErrors(t *testing.T) {
	tests := []struct {
		in, reason string
	}{
		{"", "empty target"},
		{"   ", "empty target"},
		{"x:99999", "port out of range"},
		{"x:0", "port out of range"},
		{"x:65536", "port out of range"},
		{"x:", "missing port after ':'"},
		{"x:abc", `invalid port "abc"`},
		{"x:-1", `invalid port "-1"`},
		{"x:+443", `invalid port "+443"`},
		{":443", "missing host"},
		{"gopher://example.com", `unknown scheme "gopher"`},
		{"://example.com", `unknown scheme ""`},
		{"https://", "missing host"},
		{"https:///path", "missing host"},
		{"https://user:pw@example.com/", "user information in a URL is not supported"},
		{"example.com/path", "unexpected character in host (use a URL such as https://host/path)"},
		{"exa mple.com", "contains a space or control character"},
		{"example.com\x00", "contains a space or control character"},
		{"[::1", "missing ']' after IPv6 address"},
		{"[::1]x", `unexpected "x" after ']'`},
		{"[::1]:", "missing port after ':'"},
		{"[::1]:70000", "port out of range"},
		{"[example.com]:443", `invalid IPv6 address "example.com"`},
		{"[192.0.2.1]:443", `invalid IPv6 address "192.0.2.1"`},
		{"1:2:3", "too many colons (write an IPv6 address with a port as [addr]:port)"},
		{"2001:db8::1:443x", "too many colons (write an IPv6 address with a port as [addr]:port)"},
		{"a..b", `empty label in host name "a..b"`},
		{".", "missing host"},
		{"-bad.example", `label starts or ends with '-' in host name "-bad.example"`},
		{"bad-.example", `label starts or ends with '-' in host name "bad-.example"`},
		{"ex!ample.com", `invalid character '!' in host name "ex!ample.com"`},
		{"bücher.example", `invalid character 'ü' in host name "bücher.example"`},
		{"256.1.1.1", `invalid IP address "256.1.1.1"`},
		{"1.2.3", `invalid IP address "1.2.3"`},
		{strings.Repeat("a", 64) + ".example", "label longer than 63 characters in host name \"" + strings.Repeat("a", 64) + ".example\""},
		{strings.Repeat("abcdefghi.", 26) + "com", "host name longer than 253 characters"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTarget(tc.in)
			if err == nil {
				t.Fatalf("ParseTarget(%q) = %+v, want error %q", tc.in, got, tc.reason)
			}
			var te *TargetError
			if !errors.As(err, &te) {
				t.Fatalf("ParseTarget(%q) error %T, want *TargetError", tc.in, err)
			}
			if te.Input != tc.in || te.Reason != tc.reason {
				t.Errorf("ParseTarget(%q) error reason %q, want %q", tc.in, te.Reason, tc.reason)
			}
			msg := err.Error()
			if want := "invalid target " + strconv.Quote(tc.in) + ": " + tc.reason; msg != want {
				t.Errorf("message %q, want %q", msg, want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("message spans several lines: %q", msg)
			}
		})
	}
}

func TestStartTLSProtocolsMatchSchemes(t *testing.T) {
	known := map[string]bool{}
	for _, p := range StartTLSProtocols() {
		known[p] = true
	}
	for name, sc := range schemes {
		if sc.startTLS != "" && !known[sc.startTLS] {
			t.Errorf("scheme %q sets StartTLS %q, missing from StartTLSProtocols()", name, sc.startTLS)
		}
	}
}

// FuzzParseTarget: any input gives a target or a one-line *TargetError, never
// a panic, and an accepted target has a valid port and host.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"example.com", "[::1]:443", "smtp://h:25/x", "x:99999", "1.2.3.4", "https://[::1", "::ffff:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if tg.Port < 1 || tg.Port > 65535 || tg.Host == "" {
			t.Fatalf("ParseTarget(%q) = %+v", s, tg)
		}
		if tg.IP.IsValid() && tg.Host != tg.IP.String() {
			t.Fatalf("ParseTarget(%q): Host %q differs from IP %v", s, tg.Host, tg.IP)
		}
	})
}

// FuzzCheckServerName: an accepted name is a host name a ClientHello can
// carry (at most 255 bytes, printable ASCII without spaces, not an IP
// address) and marshals without error; a refusal is one line.
func FuzzCheckServerName(f *testing.F) {
	for _, s := range []string{"example.com", "bad name with space", "192.0.2.1", "[::1]", strings.Repeat("a", 300), "b\u00fccher.test", "a\x1b[2J.test"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckServerName(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if len(s) > 255 || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
			t.Fatalf("CheckServerName accepts %q", s)
		}
		if _, err := netip.ParseAddr(s); err == nil {
			t.Fatalf("CheckServerName accepts the address %q", s)
		}
		ch := &wire.ClientHello{Version: registry.VersionTLS12, CipherSuites: []uint16{0x002f}, ServerName: s}
		if _, err := ch.Marshal(); err != nil {
			t.Fatalf("accepted %q does not marshal: %v", s, err)
		}
	})
}
