package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// HostPort is a parsed assessment target: a lower-case DNS name or an
// address, and a TCP port.
type HostPort struct {
	Host string
	Port int
}

// Key is the normalised form stored and compared: the host, with ":port"
// when the port is not 443 (IPv6 addresses bracketed then).
func (h HostPort) Key() string {
	if h.Port == 443 {
		return h.Host
	}
	return net.JoinHostPort(h.Host, strconv.Itoa(h.Port))
}

// IsAddr reports whether the host is an IP literal.
func (h HostPort) IsAddr() bool {
	_, err := netip.ParseAddr(h.Host)
	return err == nil
}

// ParseHost parses the host parameter of the API: "name", "name:port",
// "192.0.2.1", "192.0.2.1:8443", "2001:db8::1", "[2001:db8::1]:8443".
// Names are checked for DNS syntax (letters, digits, '-', '_' and dots,
// labels of 1-63 bytes, 253 in all) and lower-cased; a trailing dot goes.
func ParseHost(s string) (HostPort, error) {
	hp := HostPort{Port: 443}
	if s == "" {
		return hp, errors.New("empty host")
	}
	if len(s) > 300 {
		return hp, errors.New("host too long")
	}
	host := s
	if strings.HasPrefix(s, "[") || strings.Count(s, ":") == 1 {
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			return hp, fmt.Errorf("invalid host:port %q", s)
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 || p[0] == '+' || p[0] == '0' {
			return hp, fmt.Errorf("invalid port %q", p)
		}
		host, hp.Port = h, n
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return hp, errors.New("an address with a zone is not a target")
		}
		hp.Host = a.Unmap().String()
		return hp, nil
	}
	if strings.Contains(host, ":") || strings.HasPrefix(s, "[") {
		return hp, fmt.Errorf("invalid address %q", host)
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" || len(host) > 253 {
		return hp, errors.New("invalid host name length")
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 {
			return hp, fmt.Errorf("invalid host name %q", host)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return hp, fmt.Errorf("invalid host name %q", host)
			}
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return hp, fmt.Errorf("invalid host name %q", host)
		}
	}
	hp.Host = host
	return hp, nil
}

// Policy decides which addresses may be assessed. By default only public
// unicast addresses are: a scanner behind an HTTP API would otherwise let
// anyone who can reach the API probe the server's own network (SSRF).
// Allowed prefixes and names (--allow-targets) open specific ranges or
// hosts.
type Policy struct {
	prefixes []netip.Prefix
	names    map[string]bool
}

// ParseAllow parses --allow-targets: a comma-separated list of CIDR
// prefixes, addresses and host names. A name covers every address it
// resolves to.
func ParseAllow(s string) (Policy, error) {
	p := Policy{names: map[string]bool{}}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if pr, err := netip.ParsePrefix(item); err == nil {
			p.prefixes = append(p.prefixes, pr.Masked())
			continue
		}
		if a, err := netip.ParseAddr(item); err == nil {
			a = a.Unmap()
			p.prefixes = append(p.prefixes, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		hp, err := ParseHost(item)
		if err != nil || hp.IsAddr() || hp.Port != 443 || strings.Contains(item, ":") {
			return Policy{}, fmt.Errorf("--allow-targets: %q is neither a CIDR prefix, an address nor a host name", item)
		}
		p.names[hp.Host] = true
	}
	return p, nil
}

// reserved are ranges refused besides those netip classifies (loopback,
// private, link-local, multicast, unspecified): shared address space,
// "this network", IETF protocol assignments, benchmarking, reserved and
// broadcast, and the NAT64 well-known prefix (it maps to IPv4 addresses,
// which are judged on their own).
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
}

// Refused returns why addr (which name resolved to, "" for a literal) may
// not be assessed, or "" when it may.
func (p Policy) Refused(name string, addr netip.Addr) string {
	addr = addr.Unmap()
	for _, pr := range p.prefixes {
		if pr.Contains(addr) {
			return ""
		}
	}
	if name != "" && p.names[name] {
		return ""
	}
	switch {
	case addr.IsLoopback():
		return "loopback address"
	case addr.IsPrivate():
		return "private address"
	case addr.IsLinkLocalUnicast():
		return "link-local address"
	case addr.IsMulticast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return "multicast address"
	case addr.IsUnspecified():
		return "unspecified address"
	}
	for _, pr := range reserved {
		if pr.Contains(addr) {
			return "reserved address"
		}
	}
	return ""
}

// Resolver looks up a host's addresses (net.Resolver satisfies it; tests
// use a fake, so that no test asks an outside DNS server).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// resolveAllowed resolves hp once and splits the addresses into those the
// policy allows and the reasons others were refused. Only the allowed
// addresses are then dialled, never the name: no second lookup can return
// another address (DNS rebinding).
func resolveAllowed(ctx context.Context, r Resolver, p Policy, hp HostPort) (allowed []netip.Addr, refused []string, err error) {
	var addrs []netip.Addr
	if a, perr := netip.ParseAddr(hp.Host); perr == nil {
		addrs = []netip.Addr{a}
	} else {
		addrs, err = r.LookupNetIP(ctx, "ip", hp.Host)
		if err != nil {
			return nil, nil, err
		}
	}
	seen := map[netip.Addr]bool{}
	name := hp.Host
	if hp.IsAddr() {
		name = ""
	}
	for _, a := range addrs {
		a = a.Unmap()
		if seen[a] {
			continue
		}
		seen[a] = true
		if why := p.Refused(name, a); why != "" {
			refused = append(refused, a.String()+": "+why)
			continue
		}
		allowed = append(allowed, a)
	}
	return allowed, refused, nil
}
