// Package certfetchtest has test helpers for certificate fetches: an
// in-process DNS server on 127.0.0.1 answering CAA, TLSA and other records
// from a fixed zone, for --resolver tests that never ask an outside server.
package certfetchtest

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// DNS is a running test DNS server.
type DNS struct {
	// Addr is the UDP address, "127.0.0.1:port" (give it to --resolver).
	Addr    string
	queries atomic.Int64
}

// Queries returns the number of queries received so far.
func (d *DNS) Queries() int { return int(d.queries.Load()) }

// StartDNS starts a UDP DNS server on 127.0.0.1 answering from zone (lower
// case fully qualified name → records; the records of the asked type are
// returned, an empty answer otherwise). Answers for names starting with "_"
// (TLSA) carry the AD bit, as from a validating resolver. The server stops
// when the test ends.
func StartDNS(t testing.TB, zone map[string][]dns.RR) *DNS {
	t.Helper()
	return StartDNSFunc(t, func(q dns.Question, m *dns.Msg) {
		for _, rr := range zone[strings.ToLower(q.Name)] {
			if rr.Header().Rrtype == q.Qtype {
				m.Answer = append(m.Answer, rr)
			}
		}
		m.AuthenticatedData = strings.HasPrefix(q.Name, "_")
	})
}

// StartDNSFunc starts a UDP DNS server on 127.0.0.1 that counts every
// query, answers one with more or fewer than one question with FORMERR,
// and otherwise lets answer fill in the reply m (already SetReply) to the
// single question q. The server stops when the test ends.
func StartDNSFunc(t testing.TB, answer func(q dns.Question, m *dns.Msg)) *DNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("certfetchtest: DNS listen: %v", err)
	}
	d := &DNS{Addr: pc.LocalAddr().String()}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		d.queries.Add(1)
		m := new(dns.Msg)
		m.SetReply(r)
		if len(r.Question) != 1 {
			m.Rcode = dns.RcodeFormatError
			w.WriteMsg(m)
			return
		}
		answer(r.Question[0], m)
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return d
}

// RR parses records in zone-file syntax, failing t on a bad one.
func RR(t testing.TB, lines ...string) []dns.RR {
	t.Helper()
	var out []dns.RR
	for _, l := range lines {
		r, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("certfetchtest: record %q: %v", l, err)
		}
		out = append(out, r)
	}
	return out
}
