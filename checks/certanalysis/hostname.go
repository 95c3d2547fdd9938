package certanalysis

import (
	"net"
	"strings"
)

// MatchHostname matches host against the subjectAltName entries of a
// certificate per RFC 6125 and the CA/B Forum rules: DNS names compare case-
// insensitively, a wildcard is only the whole left-most label ("*.example.com"
// matches exactly one label and never a partial one like "f*.example.com"),
// an IP address matches only an IP SAN, and the subject CN is never used. It
// returns the SAN entry that matched.
func MatchHostname(host string, dnsNames []string, ips []net.IP) (string, bool) {
	host = strings.TrimSuffix(strings.TrimSpace(host), ".")
	h := strings.Trim(host, "[]")
	if ip := net.ParseIP(h); ip != nil {
		for _, c := range ips {
			if c.Equal(ip) {
				return c.String(), true
			}
		}
		return "", false
	}
	host = strings.ToLower(host)
	if host == "" {
		return "", false
	}
	for _, name := range dnsNames {
		if matchDNSName(strings.ToLower(strings.TrimSuffix(name, ".")), host) {
			return name, true
		}
	}
	return "", false
}

func matchDNSName(pattern, host string) bool {
	if pattern == "" {
		return false
	}
	if !strings.Contains(pattern, "*") {
		return pattern == host
	}
	// Wildcard: only "*" as the whole left-most label, at least two labels after it.
	if !strings.HasPrefix(pattern, "*.") || strings.Contains(pattern[1:], "*") {
		return false
	}
	suffix := pattern[1:] // ".example.com"
	if strings.Count(suffix, ".") < 2 {
		return false
	}
	if !strings.HasSuffix(host, suffix) {
		return false
	}
	label := host[:len(host)-len(suffix)]
	return label != "" && !strings.Contains(label, ".")
}

// looksLikeHostname reports whether a CN could be meant as a host name.
func looksLikeHostname(s string) bool {
	if s == "" || strings.ContainsAny(s, " /@:") {
		return net.ParseIP(s) != nil
	}
	return strings.Contains(s, ".") || net.ParseIP(s) != nil
}
