package tlstest

import (
	"bytes"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

func FuzzParseClientHello(f *testing.F) {
	f.Add(tls12Hello.body())
	f.Add(tls13Hello.body())
	f.Add(helloSpec{Version: registry.VersionSSL3, Suites: []uint16{4}, NoExtensions: true}.body())
	f.Fuzz(func(t *testing.T, body []byte) {
		ch, err := parseClientHello(body)
		if err != nil {
			return
		}
		if len(ch.Random) != 32 || len(ch.SessionID) > 32 || len(ch.Suites) == 0 || ch.Len != len(body) {
			t.Fatalf("accepted an inconsistent hello: %+v", ch)
		}
	})
}

func FuzzParseSSLv2ClientHello(f *testing.F) {
	f.Add(sslv2Hello(registry.VersionSSL2, []uint32{SSL2RC4128MD5, 0x00002f})[2:])
	f.Fuzz(func(t *testing.T, msg []byte) {
		ch, err := parseSSLv2ClientHello(msg)
		if err != nil {
			return
		}
		if !ch.V2 || len(ch.Random) != 32 || len(ch.V2Kinds) == 0 {
			t.Fatalf("accepted an inconsistent SSLv2 hello: %+v", ch)
		}
	})
}

// FuzzReadClientHello feeds arbitrary streams to the record-level reader:
// it must return (a hello or an error), never hang or panic.
func FuzzReadClientHello(f *testing.F) {
	f.Add(tls12Hello.bytes())
	f.Add(append(record(recordCCS, 0x0303, []byte{1}), tls13Hello.bytes()...))
	f.Add(sslv2Hello(registry.VersionTLS10, []uint32{0x000005}))
	whole := tls12Hello.bytes()
	f.Add(splitRecords(recordHandshake, 0x0301, whole[5:], func(int) int { return 7 }))
	f.Fuzz(func(t *testing.T, stream []byte) {
		readClientHello(bytes.NewReader(stream), maxClientHello)
	})
}

func TestReadClientHelloFragmented(t *testing.T) {
	whole := tls12Hello.bytes()
	frag := splitRecords(recordHandshake, 0x0301, whole[5:], func(int) int { return 3 })
	ch, err := readClientHello(bytes.NewReader(frag), maxClientHello)
	if err != nil || ch.Version != registry.VersionTLS12 || len(ch.Suites) != 2 || len(ch.Groups) != 2 {
		t.Fatalf("fragmented hello: %+v, %v", ch, err)
	}
	big := record(recordHandshake, 0x0301, []byte{hsClientHello, 0x01, 0x00, 0x01})
	if _, err := readClientHello(bytes.NewReader(big), maxClientHello); err == nil {
		t.Fatalf("accepted a hello above the size cap")
	}
}
