// Package batchtest has test helpers for batch scanning: an in-process DNS
// server on 127.0.0.1 and a resolver that asks only it, so that tests
// resolve their own names and never look up an outside one.
package batchtest

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// DNS is an in-process DNS server answering A and AAAA queries from a fixed
// zone; every other name gets NXDOMAIN.
type DNS struct {
	// Resolver sends every query to this server, whatever the system's
	// resolv.conf says.
	Resolver *net.Resolver
	// Addr is the server's UDP address (127.0.0.1:port).
	Addr string

	queries atomic.Int64
}

// Queries returns the number of queries answered so far.
func (d *DNS) Queries() int { return int(d.queries.Load()) }

// StartDNS starts a server for zone (name → addresses; names without the
// trailing dot, case-insensitive) and stops it when the test ends.
func StartDNS(t testing.TB, zone map[string][]netip.Addr) *DNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("batchtest: DNS listen: %v", err)
	}
	recs := map[string][]netip.Addr{}
	for name, addrs := range zone {
		recs[dns.Fqdn(strings.ToLower(name))] = addrs
	}
	d := &DNS{Addr: pc.LocalAddr().String()}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		d.queries.Add(1)
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative = true
		if len(q.Question) != 1 {
			m.Rcode = dns.RcodeFormatError
			w.WriteMsg(m)
			return
		}
		qq := q.Question[0]
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
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	d.Resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "udp", d.Addr)
	}}
	return d
}
