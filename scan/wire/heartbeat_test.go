package wire

import (
	"bytes"
	"testing"
)

func TestHeartbeatRoundTrip(t *testing.T) {
	msg := MarshalHeartbeat(HeartbeatResponse, 4, []byte("abcd"), make([]byte, 16))
	hb, err := ParseHeartbeat(msg)
	if err != nil {
		t.Fatal(err)
	}
	if hb.Type != HeartbeatResponse || hb.Length != 4 || string(hb.Payload) != "abcd" || hb.Rest != 16 {
		t.Errorf("got %+v", hb)
	}
	// A request claiming more than it carries (the Heartbleed probe).
	req := MarshalHeartbeat(HeartbeatRequest, 0x4000, nil, nil)
	if !bytes.Equal(req, []byte{1, 0x40, 0}) {
		t.Errorf("request % x", req)
	}
	hb, err = ParseHeartbeat(req)
	if err == nil || hb == nil || hb.Length != 0x4000 || len(hb.Payload) != 0 {
		t.Errorf("truncated message: %+v, %v", hb, err)
	}
	if _, err := ParseHeartbeat([]byte{2, 0}); err == nil {
		t.Error("two-byte message accepted")
	}
}

func FuzzParseHeartbeat(f *testing.F) {
	f.Add(MarshalHeartbeat(HeartbeatResponse, 4, []byte("abcd"), make([]byte, 16)))
	f.Add([]byte{2, 0x40, 0, 1, 2, 3})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		hb, err := ParseHeartbeat(msg)
		if hb == nil {
			if err == nil {
				t.Fatal("nil message without error")
			}
			return
		}
		if len(hb.Payload) > hb.Length || len(hb.Payload) > len(msg) {
			t.Fatalf("payload of %d bytes for length %d", len(hb.Payload), hb.Length)
		}
	})
}
