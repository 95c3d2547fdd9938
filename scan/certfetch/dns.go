package certfetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// maxRecords caps how many records of one answer are kept.
const maxRecords = 64

// exchange sends one query to resolver ("host:port"; port 53 when absent),
// over UDP with EDNS0 (DO bit set, 4096 bytes), retrying over TCP when the
// answer is truncated. Each attempt has a 5s deadline.
func exchange(ctx context.Context, resolver, name string, qtype uint16) (*dns.Msg, error) {
	if _, _, err := net.SplitHostPort(resolver); err != nil {
		resolver = net.JoinHostPort(strings.Trim(resolver, "[]"), "53")
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.AuthenticatedData = true
	m.SetEdns0(4096, true)
	c := &dns.Client{Net: "udp", Timeout: 5 * time.Second, UDPSize: 4096}
	r, _, err := c.ExchangeContext(ctx, m, resolver)
	if err == nil && r.Truncated {
		c.Net = "tcp"
		r, _, err = c.ExchangeContext(ctx, m, resolver)
	}
	if err != nil {
		return nil, err
	}
	if r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError {
		return r, fmt.Errorf("%s %s: %s", name, dns.TypeToString[qtype], dns.RcodeToString[r.Rcode])
	}
	return r, nil
}

// LookupCAA finds the relevant CAA record set for name by RFC 8659 tree
// climbing: the first of name, its parent, ... (stopping before the root)
// that has CAA records. It returns the records and the name they were found
// at; no records and no error means any CA may issue.
func LookupCAA(ctx context.Context, resolver, name string) ([]obs.CAARecord, string, error) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if name == "" || net.ParseIP(name) != nil {
		return nil, "", errors.New("CAA applies to DNS names only")
	}
	labels := dns.SplitDomainName(name)
	for i := 0; i < len(labels); i++ {
		at := strings.Join(labels[i:], ".")
		r, err := exchange(ctx, resolver, at, dns.TypeCAA)
		if err != nil {
			return nil, at, err
		}
		var recs []obs.CAARecord
		for _, rr := range r.Answer {
			if caa, ok := rr.(*dns.CAA); ok && len(recs) < maxRecords {
				recs = append(recs, obs.CAARecord{Flag: caa.Flag, Tag: caa.Tag, Value: caa.Value})
			}
		}
		if len(recs) > 0 {
			return recs, at, nil
		}
	}
	return nil, "", nil
}

// LookupTLSA queries the TLSA records at _port._tcp.name (RFC 6698). The
// boolean reports whether the resolver set the AD bit (DNSSEC-validated).
func LookupTLSA(ctx context.Context, resolver string, port int, name string) ([]obs.TLSARecord, bool, error) {
	r, err := exchange(ctx, resolver, TLSAName(port, name), dns.TypeTLSA)
	if err != nil {
		return nil, false, err
	}
	var recs []obs.TLSARecord
	for _, rr := range r.Answer {
		if t, ok := rr.(*dns.TLSA); ok && len(recs) < maxRecords {
			recs = append(recs, obs.TLSARecord{Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType,
				Data: strings.ToLower(t.Certificate)})
		}
	}
	return recs, r.AuthenticatedData, nil
}

// TLSAName is the owner name of the TLSA records of a TCP service.
func TLSAName(port int, name string) string {
	return "_" + strconv.Itoa(port) + "._tcp." + strings.TrimSuffix(name, ".")
}
