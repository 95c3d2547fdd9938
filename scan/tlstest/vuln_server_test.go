package tlstest

import (
	"bytes"
	"testing"
)

func TestHeartbleedResponse(t *testing.T) {
	resp := heartbleedResponse([]byte("hi"), 100)
	if len(resp) != 3+100+16 || resp[0] != 2 || resp[1] != 0 || resp[2] != 100 {
		t.Fatalf("response header % x, length %d", resp[:3], len(resp))
	}
	if !bytes.HasPrefix(resp[3:], append([]byte("hi"), VulnMemory...)) {
		t.Errorf("payload %q does not go on into memory", resp[3:40])
	}
}

func TestServerHelloExtensionAdded(t *testing.T) {
	sh := serverHelloMsg(0x0303, make([]byte, 32), []byte{1, 2}, 0xc02f, 0, extension(extRenegotiationInfo, []byte{0}))
	got, err := addServerHelloExtension(sh, extension(extHeartbeat, []byte{1}))
	if err != nil {
		t.Fatal(err)
	}
	want := serverHelloMsg(0x0303, make([]byte, 32), []byte{1, 2}, 0xc02f, 0,
		append(extension(extRenegotiationInfo, []byte{0}), extension(extHeartbeat, []byte{1})...))
	if !bytes.Equal(got, want) {
		t.Errorf("got % x\nwant % x", got, want)
	}
	// An SSLv3-style ServerHello without an extensions block gets one.
	bare := serverHelloMsg(0x0300, make([]byte, 32), nil, 0x000a, 0, nil)
	if got, err := addServerHelloExtension(bare, extension(extHeartbeat, []byte{1})); err != nil || len(got) != len(bare)+2+5 {
		t.Errorf("bare ServerHello: %d bytes, %v", len(got), err)
	}
}

func FuzzExtensionData(f *testing.F) {
	body := []byte{3, 3}
	body = append(body, make([]byte, 32)...)
	body = append(body, 0, 0, 2, 0xc0, 0x2f, 1, 0, 0, 8, 0, 0x23, 0, 4, 1, 2, 3, 4)
	f.Add(body)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if d := extensionData(b, extSessionTick); len(d) > len(b) {
			t.Fatalf("%d bytes of data from a %d-byte hello", len(d), len(b))
		}
		if len(b) >= 4 {
			addServerHelloExtension(b, nil) // must not panic
		}
	})
}

func FuzzReadHelloRaw(f *testing.F) {
	f.Add([]byte{22, 3, 1, 0, 5, 1, 0, 0, 1, 0})
	f.Add([]byte{0x80, 3, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		ch, raw, err := readHelloRaw(bytes.NewReader(b))
		if err == nil && (ch == nil || len(raw) > len(b)) {
			t.Fatal("hello without error but inconsistent")
		}
	})
}
