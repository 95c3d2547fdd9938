package wire

import (
	"bytes"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// Heartbeat message types (RFC 6520 3).
const (
	HeartbeatRequest  uint8 = 1
	HeartbeatResponse uint8 = 2
)

// MarshalHeartbeat encodes a HeartbeatMessage (RFC 6520 4): type,
// payload_length, payload, padding. claimed is sent as payload_length
// whatever len(payload) is, so a probe can claim more than it sends.
func MarshalHeartbeat(typ uint8, claimed uint16, payload, padding []byte) []byte {
	out := make([]byte, 0, 3+len(payload)+len(padding))
	out = append(out, typ, byte(claimed>>8), byte(claimed))
	out = append(out, payload...)
	return append(out, padding...)
}

// Heartbeat is a decoded HeartbeatMessage.
type Heartbeat struct {
	Type uint8
	// Length is the payload_length field.
	Length int
	// Payload holds the payload bytes present (at most Length).
	Payload []byte
	// Rest counts the bytes after the payload (padding).
	Rest int
}

// ParseHeartbeat decodes a HeartbeatMessage reassembled from heartbeat
// records. A message shorter than its payload_length is returned with the
// bytes present and an error saying it is truncated.
func ParseHeartbeat(msg []byte) (*Heartbeat, error) {
	s := cryptobyte.String(msg)
	var hb Heartbeat
	var n uint16
	if !s.ReadUint8(&hb.Type) || !s.ReadUint16(&n) {
		return nil, decodeErr("heartbeat", "truncated header (%d bytes)", len(msg))
	}
	hb.Length = int(n)
	if len(s) < hb.Length {
		hb.Payload = bytes.Clone(s)
		return &hb, fmt.Errorf("heartbeat: %w", decodeErr("heartbeat", "payload_length %d but %d bytes present", hb.Length, len(s)))
	}
	hb.Payload = bytes.Clone(s[:hb.Length])
	hb.Rest = len(s) - hb.Length
	return &hb, nil
}
