package wire_test

import (
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// A server flooding HelloRequests (before and after its ServerHello) ends
// the exchange with a named protocol error, and the flight holds no more
// memory than the bytes the Reader may read: the HelloRequests are counted,
// not kept in Messages or the transcript.
func TestExchangeHelloRequestFloodBoundedMemory(t *testing.T) {
	srv := tlstest.NewHostileServerT(t, tlstest.HostileHelloRequestFlood)
	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	ch := &wire.ClientHello{Version: registry.VersionTLS12, CipherSuites: []uint16{0x002f, 0xc02f}, ServerName: tlstest.DefaultName}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f, err := wire.Exchange(c, ch, nil, wire.StopAfterServerHelloDone)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("err %v; %d HelloRequests, %d messages, %d transcript entries, %.1f MiB allocated",
		err, f.HelloRequests, len(f.Messages), len(f.Transcript), float64(alloc)/(1<<20))
	if err == nil || !strings.Contains(err.Error(), "HelloRequest") {
		t.Errorf("err = %v, want the flood named", err)
	}
	if len(f.Messages) > 4 || len(f.Transcript) > 2 {
		t.Errorf("the flight keeps %d messages and %d transcript entries", len(f.Messages), len(f.Transcript))
	}
	// The Reader reads at most DefaultMaxTotal bytes; the flight may cost
	// a small multiple of it, not one allocation per message.
	if alloc > 4*wire.DefaultMaxTotal {
		t.Errorf("the exchange allocated %d bytes, bound %d", alloc, 4*wire.DefaultMaxTotal)
	}
}

// A server name too long for its length prefix is an error of Marshal, not
// a panic that loses every record of a run.
func TestClientHelloOverlongServerNameIsAnError(t *testing.T) {
	for _, n := range []int{65533, 70000} {
		ch := &wire.ClientHello{Version: registry.VersionTLS12, CipherSuites: []uint16{0x002f}, ServerName: strings.Repeat("a", n)}
		if _, err := ch.Marshal(); err == nil {
			t.Errorf("a %d-byte server name marshals", n)
		}
	}
}
