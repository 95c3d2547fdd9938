package batch_test

import (
	"context"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/batch"
	"github.com/tlsaudit/tlsaudit/scan/batch/batchtest"
)

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

func TestExpand(t *testing.T) {
	d := batchtest.StartDNS(t, map[string][]netip.Addr{
		"multi.batch.test": addrs("::1", "127.0.0.3", "127.0.0.2", "127.0.0.2"),
		"one.batch.test":   addrs("127.0.0.9"),
	})
	ctx := context.Background()
	parse := func(s string) scan.Target {
		tg, err := scan.ParseTarget(s)
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	ips := func(ts []scan.Target) []string {
		var out []string
		for _, tg := range ts {
			out = append(out, tg.IP.String())
			if tg.Host != "multi.batch.test" && tg.Host != "one.batch.test" && !tg.IP.IsValid() {
				t.Errorf("target lost its host: %+v", tg)
			}
		}
		return out
	}

	got, err := batch.Expand(ctx, d.Resolver, parse("multi.batch.test:8443"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"127.0.0.2", "127.0.0.3", "::1"}; !reflect.DeepEqual(ips(got), want) {
		t.Errorf("multi: %v, want %v (IPv4 first, sorted, duplicates merged)", ips(got), want)
	}
	for _, tg := range got {
		if tg.Host != "multi.batch.test" || tg.Port != 8443 || tg.Input != "multi.batch.test:8443" || tg.SNI != "" {
			t.Errorf("endpoint %+v: want Host, Port and Input kept and SNI left to the scanner", tg)
		}
	}

	got, err = batch.Expand(ctx, d.Resolver, parse("ONE.batch.test"))
	if err != nil || !reflect.DeepEqual(ips(got), []string{"127.0.0.9"}) {
		t.Errorf("one: %v %v", ips(got), err)
	}

	// IP literals and pinned addresses are not looked up.
	before := d.Queries()
	got, _ = batch.Expand(ctx, d.Resolver, parse("[::1]:443"))
	pinned := parse("pinned.batch.test")
	pinned.IP = netip.MustParseAddr("127.0.0.5")
	got2, _ := batch.Expand(ctx, d.Resolver, pinned)
	if !reflect.DeepEqual(ips(got), []string{"::1"}) || !reflect.DeepEqual(ips(got2), []string{"127.0.0.5"}) || d.Queries() != before {
		t.Errorf("literal %v, pinned %v, queries %d→%d", ips(got), ips(got2), before, d.Queries())
	}

	_, err = batch.Expand(ctx, d.Resolver, parse("missing.batch.test"))
	if err == nil || !strings.Contains(err.Error(), "resolve missing.batch.test") {
		t.Errorf("missing name: err %v, want one naming the host", err)
	}
}

func TestExpandCapsAddresses(t *testing.T) {
	var many []netip.Addr
	for i := range 100 {
		many = append(many, netip.AddrFrom4([4]byte{127, 1, byte(i / 256), byte(i % 256)}))
	}
	d := batchtest.StartDNS(t, map[string][]netip.Addr{"many.batch.test": many})
	tg, _ := scan.ParseTarget("many.batch.test")
	got, err := batch.Expand(context.Background(), d.Resolver, tg)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != batch.MaxAddrs {
		t.Errorf("%d endpoints, want the cap %d", len(got), batch.MaxAddrs)
	}
}
