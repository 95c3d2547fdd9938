package scan

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// DefaultPort is the port of a target written without one and without a scheme.
const DefaultPort = 443

// scheme describes a URL scheme accepted in a target.
type scheme struct {
	port     int
	startTLS string // application protocol upgraded with STARTTLS; empty: implicit TLS
}

// schemes are the URL schemes ParseTarget accepts.
var schemes = map[string]scheme{
	// Implicit TLS.
	"https": {443, ""},
	"tls":   {443, ""},
	"smtps": {465, ""},
	"imaps": {993, ""},
	"pop3s": {995, ""},
	"ldaps": {636, ""},
	"ftps":  {990, ""},
	// STARTTLS.
	"smtp":        {25, "smtp"},
	"submission":  {587, "smtp"},
	"imap":        {143, "imap"},
	"pop3":        {110, "pop3"},
	"ftp":         {21, "ftp"},
	"xmpp":        {5222, "xmpp"},
	"xmpp-server": {5269, "xmpp-server"},
	"ldap":        {389, "ldap"},
	"postgres":    {5432, "postgres"},
	"postgresql":  {5432, "postgres"},
	"mysql":       {3306, "mysql"},
	"nntp":        {119, "nntp"},
	"sieve":       {4190, "sieve"},
}

// StartTLSProtocols returns the application protocols a target can be upgraded
// from with STARTTLS (the values ParseTarget puts in Target.StartTLS).
func StartTLSProtocols() []string {
	return []string{"ftp", "imap", "ldap", "mysql", "nntp", "pop3", "postgres", "sieve", "smtp", "submission", "xmpp", "xmpp-server"}
}

// TargetError is the error of ParseTarget: the input and what is wrong with it.
type TargetError struct {
	Input  string
	Reason string
}

func (e *TargetError) Error() string {
	return fmt.Sprintf("invalid target %q: %s", e.Input, e.Reason)
}

// ParseTarget parses one target as a user writes it:
//
//	host                     port 443
//	host:port
//	192.0.2.1, 2001:db8::1   bare IP literals, port 443
//	[2001:db8::1]:8443
//	https://host:8443/path   the path and query go to Target.Path (for the HTTP probe)
//	smtp://host              STARTTLS schemes set Target.StartTLS and their port
//	imaps://host             implicit-TLS schemes only set their port
//
// It does no DNS lookup: Target.IP is set only for IP literals, and Target.SNI
// is left empty (the scanner sends Host unless it is an IP literal). Errors are
// *TargetError, one line each.
func ParseTarget(s string) (Target, error) {
	t := Target{Input: s, Port: DefaultPort}
	fail := func(format string, args ...any) (Target, error) {
		return Target{}, &TargetError{Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	in := strings.TrimSpace(s)
	if in == "" {
		return fail("empty target")
	}
	for _, r := range in {
		if r <= ' ' || r == 0x7f {
			return fail("contains a space or control character")
		}
	}
	if i := strings.Index(in, "://"); i >= 0 {
		name := strings.ToLower(in[:i])
		sc, ok := schemes[name]
		if !ok {
			return fail("unknown scheme %q", in[:i])
		}
		t.Port, t.StartTLS = sc.port, sc.startTLS
		in = in[i+3:]
		if j := strings.IndexAny(in, "/?#"); j >= 0 {
			path := in[j:]
			if k := strings.IndexByte(path, '#'); k >= 0 {
				path = path[:k]
			}
			if path != "" && path[0] == '?' {
				path = "/" + path
			}
			if path != "/" && name == "https" {
				t.Path = path
			}
			in = in[:j]
		}
		if strings.Contains(in, "@") {
			return fail("user information in a URL is not supported")
		}
		if in == "" {
			return fail("missing host")
		}
	} else if strings.ContainsAny(in, "/?#@") {
		return fail("unexpected character in host (use a URL such as https://host/path)")
	}

	host, portStr, hasPort, err := splitHostPort(in)
	if err != "" {
		return fail("%s", err)
	}
	if hasPort {
		p, err := parsePort(portStr)
		if err != "" {
			return fail("%s", err)
		}
		t.Port = p
	}
	if addr, perr := netip.ParseAddr(host); perr == nil {
		t.Host, t.IP = addr.String(), addr
		return t, nil
	}
	if reason := checkHostname(host); reason != "" {
		return fail("%s", reason)
	}
	t.Host = strings.ToLower(strings.TrimSuffix(host, "."))
	return t, nil
}

// splitHostPort splits "host", "host:port", "[v6]", "[v6]:port" and bare IPv6
// literals. The error is a reason text ("" when fine).
func splitHostPort(in string) (host, port string, hasPort bool, reason string) {
	if strings.HasPrefix(in, "[") {
		end := strings.Index(in, "]")
		if end < 0 {
			return "", "", false, "missing ']' after IPv6 address"
		}
		host, rest := in[1:end], in[end+1:]
		if _, err := netip.ParseAddr(host); err != nil || !strings.Contains(host, ":") {
			return "", "", false, fmt.Sprintf("invalid IPv6 address %q", host)
		}
		switch {
		case rest == "":
			return host, "", false, ""
		case strings.HasPrefix(rest, ":"):
			return host, rest[1:], true, ""
		default:
			return "", "", false, fmt.Sprintf("unexpected %q after ']'", rest)
		}
	}
	switch strings.Count(in, ":") {
	case 0:
		return in, "", false, ""
	case 1:
		i := strings.Index(in, ":")
		if in[:i] == "" {
			return "", "", false, "missing host"
		}
		return in[:i], in[i+1:], true, ""
	default:
		if _, err := netip.ParseAddr(in); err == nil {
			return in, "", false, ""
		}
		return "", "", false, "too many colons (write an IPv6 address with a port as [addr]:port)"
	}
}

func parsePort(s string) (int, string) {
	if s == "" {
		return 0, "missing port after ':'"
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Sprintf("invalid port %q", s)
		}
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, "port out of range"
	}
	return p, ""
}

// checkHostname accepts DNS names made of letters, digits, '-' and '_'
// (underscores occur in internal names), with an optional trailing dot.
func checkHostname(h string) string {
	name := strings.TrimSuffix(h, ".")
	if name == "" {
		return "missing host"
	}
	if len(name) > 253 {
		return "host name longer than 253 characters"
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" {
			return fmt.Sprintf("empty label in host name %q", h)
		}
		if len(l) > 63 {
			return fmt.Sprintf("label longer than 63 characters in host name %q", h)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Sprintf("label starts or ends with '-' in host name %q", h)
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Sprintf("invalid character %q in host name %q", r, h)
			}
		}
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		return fmt.Sprintf("invalid IP address %q", h)
	}
	return ""
}

// CheckServerName validates a server_name to send (RFC 6066 3): an ASCII
// DNS host name of at most 255 bytes (and 253 characters without the
// trailing dot), not an IP literal. Non-ASCII names must be given as
// A-labels ("xn--...").
func CheckServerName(name string) error {
	if len(name) > 255 {
		return fmt.Errorf("server name of %d bytes (RFC 6066 allows at most 255)", len(name))
	}
	if _, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
		return fmt.Errorf("%q is an IP address: RFC 6066 allows host names only (omit the server name to send none)", name)
	}
	if reason := checkHostname(name); reason != "" {
		if strings.ContainsFunc(name, func(r rune) bool { return r >= 0x80 }) {
			reason += " (give an internationalised name as its A-label, xn--...)"
		}
		return errors.New(reason)
	}
	return nil
}
