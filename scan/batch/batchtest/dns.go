// Package batchtest has test helpers for batch scanning: an in-process DNS
// server on 127.0.0.1 and a resolver that asks only it, so that tests
// resolve their own names and never look up an outside one.
package batchtest

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/tlsaudit/tlsaudit/scan/certfetch/certfetchtest"
)

// DNS is an in-process DNS server answering A and AAAA queries from a fixed
// zone; every other name gets NXDOMAIN. Addr (the server's UDP address,
// 127.0.0.1:port) and Queries (the number of queries answered so far) come
// from the embedded certfetchtest server.
type DNS struct {
	*certfetchtest.DNS
	// Resolver sends every query to this server, whatever the system's
	// resolv.conf says.
	Resolver *net.Resolver
}

// StartDNS starts a server for zone (name → addresses; names without the
// trailing dot, case-insensitive) and stops it when the test ends.
func StartDNS(t testing.TB, zone map[string][]netip.Addr) *DNS {
	t.Helper()
	recs := map[string][]netip.Addr{}
	for name, addrs := range zone {
		recs[dns.Fqdn(strings.ToLower(name))] = addrs
	}
	srv := certfetchtest.StartDNSFunc(t, func(qq dns.Question, m *dns.Msg) {
		m.Authoritative = true
		addrs, ok := recs[strings.ToLower(qq.Name)]
		if !ok {
			m.Rcode = dns.RcodeNameError
		}
		hdr := dns.RR_Header{Name: qq.Name, Class: dns.ClassINET, Ttl: 60}
		for _, a := range addrs {
			switch {
			case qq.Qtype == dns.TypeA && a.Is4():
				hdr.Rrtype = dns.TypeA
				m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: a.AsSlice()})
			case qq.Qtype == dns.TypeAAAA && a.Is6():
				hdr.Rrtype = dns.TypeAAAA
				m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: a.AsSlice()})
			}
		}
	})
	d := &DNS{DNS: srv}
	d.Resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "udp", d.Addr)
	}}
	return d
}
