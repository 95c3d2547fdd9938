package batch

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"

	"github.com/tlsaudit/tlsaudit/scan"
)

// MaxAddrs bounds the endpoints one name expands to: a hostile or broken
// DNS answer cannot turn one input line into thousands of audits. Addresses
// beyond it (in the sorted order of Expand) are left out.
const MaxAddrs = 32

// Expand returns the endpoints of t: t itself when its address is known (an
// IP literal or a pinned address), otherwise one target per distinct
// address the resolver returns for t.Host, IPv4 first, each family in
// ascending order, at most MaxAddrs. The targets keep Input, Host, Port,
// SNI and StartTLS, so the scanner still sends the name as server_name.
// r nil uses net.DefaultResolver. The error names the host.
func Expand(ctx context.Context, r *net.Resolver, t scan.Target) ([]scan.Target, error) {
	if t.IP.IsValid() {
		return []scan.Target{t}, nil
	}
	if a, err := netip.ParseAddr(t.Host); err == nil {
		t.IP = a.Unmap()
		return []scan.Target{t}, nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", t.Host)
	if err == nil && len(addrs) == 0 {
		err = fmt.Errorf("no A or AAAA records")
	}
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", t.Host, err)
	}
	for i, a := range addrs {
		addrs[i] = a.Unmap().WithZone("")
	}
	slices.SortFunc(addrs, func(a, b netip.Addr) int {
		if a.Is4() != b.Is4() {
			if a.Is4() {
				return -1
			}
			return 1
		}
		return a.Compare(b)
	})
	addrs = slices.Compact(addrs)
	if len(addrs) > MaxAddrs {
		addrs = addrs[:MaxAddrs]
	}
	out := make([]scan.Target, len(addrs))
	for i, a := range addrs {
		out[i] = t
		out[i].IP = a
	}
	return out, nil
}
