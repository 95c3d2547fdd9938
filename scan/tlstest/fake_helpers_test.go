package tlstest

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/crypto/cryptobyte"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// helloSpec describes a raw ClientHello built by the tests.
type helloSpec struct {
	Version      uint16
	Suites       []uint16
	Compression  []uint8 // nil: {0}
	Groups       []uint16
	PointFormats bool
	RenegExt     bool
	SigAlgs      []uint16
	SNI          string
	NoExtensions bool
	Padding      int // bytes of an extra padding extension (21)
	// TLS13 adds supported_versions {1.3, 1.2} and an x25519 key_share.
	TLS13 bool
}

func (h helloSpec) body() []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint16(h.Version)
	b.AddBytes(make([]byte, 32))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, s := range h.Suites {
			b.AddUint16(s)
		}
	})
	comp := h.Compression
	if comp == nil {
		comp = []byte{0}
	}
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(comp) })
	if h.NoExtensions {
		return b.BytesOrPanic()
	}
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		ext := func(typ uint16, f func(b *cryptobyte.Builder)) {
			b.AddUint16(typ)
			b.AddUint16LengthPrefixed(f)
		}
		if h.SNI != "" {
			ext(extServerName, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddUint8(0)
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(h.SNI)) })
				})
			})
		}
		if h.Groups != nil {
			ext(extSupportedGroups, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					for _, g := range h.Groups {
						b.AddUint16(g)
					}
				})
			})
		}
		if h.PointFormats {
			ext(extECPointFormats, func(b *cryptobyte.Builder) { b.AddBytes([]byte{1, 0}) })
		}
		if h.SigAlgs != nil {
			ext(extSignatureAlgs, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					for _, a := range h.SigAlgs {
						b.AddUint16(a)
					}
				})
			})
		}
		if h.TLS13 {
			ext(extSupportedVersions, func(b *cryptobyte.Builder) { b.AddBytes([]byte{4, 3, 4, 3, 3}) })
			ext(extKeyShare, func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddUint16(GroupX25519)
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, 32)) })
				})
			})
		}
		if h.RenegExt {
			ext(extRenegotiationInfo, func(b *cryptobyte.Builder) { b.AddUint8(0) })
		}
		if h.Padding > 0 {
			ext(21, func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, h.Padding)) })
		}
	})
	return b.BytesOrPanic()
}

// bytes returns the hello in one record of version min(Version, TLS 1.0).
func (h helloSpec) bytes() []byte {
	rv := min(h.Version, registry.VersionTLS10)
	return record(recordHandshake, rv, handshakeMsg(hsClientHello, h.body()))
}

// sslv2Hello builds an SSLv2-format CLIENT-HELLO record.
func sslv2Hello(version uint16, kinds []uint32) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(1)
	b.AddUint16(version)
	b.AddUint16(uint16(3 * len(kinds)))
	b.AddUint16(0)
	b.AddUint16(16)
	for _, k := range kinds {
		b.AddUint24(k)
	}
	b.AddBytes([]byte("0123456789abcdef"))
	msg := b.BytesOrPanic()
	return append([]byte{0x80 | byte(len(msg)>>8), byte(len(msg))}, msg...)
}

type hsMessage struct {
	Type uint8
	Body []byte
}

// flightResult is what a raw client saw after its hello.
type flightResult struct {
	RecordVersion uint16
	Msgs          []hsMessage
	Alert         []byte // level, description
	Closed        bool   // EOF without alert or ServerHelloDone
	Bytes         int    // raw bytes received
}

// dialSend connects to s, sends raw, and returns the connection.
func dialSend(t *testing.T, s *Server, raw []byte) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(raw); err != nil {
		t.Fatalf("write hello: %v", err)
	}
	return c
}

// readFlight reads handshake records until ServerHelloDone (or a TLS 1.3
// ServerHello), an alert or EOF, reassembling messages across records.
func readFlight(t *testing.T, c net.Conn) flightResult {
	t.Helper()
	var res flightResult
	var buf []byte
	for {
		typ, vers, payload, err := readRecord(c)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err) {
				res.Closed = true
				return res
			}
			t.Fatalf("reading server flight: %v", err)
		}
		res.Bytes += 5 + len(payload)
		if res.RecordVersion == 0 {
			res.RecordVersion = vers
		}
		switch typ {
		case recordAlert:
			res.Alert = payload
			return res
		case recordHandshake:
		default:
			t.Fatalf("unexpected record type %d", typ)
		}
		buf = append(buf, payload...)
		for len(buf) >= 4 {
			n := int(buf[1])<<16 | int(buf[2])<<8 | int(buf[3])
			if len(buf) < 4+n {
				break
			}
			res.Msgs = append(res.Msgs, hsMessage{buf[0], buf[4 : 4+n]})
			buf = buf[4+n:]
			if last := res.Msgs[len(res.Msgs)-1]; last.Type == hsServerHelloDone || isTLS13ServerHello(last) {
				return res
			}
		}
	}
}

// isTLS13ServerHello tells a TLS 1.3 ServerHello or HelloRetryRequest (the
// rest of the flight is encrypted or absent).
func isTLS13ServerHello(m hsMessage) bool {
	if m.Type != hsServerHello {
		return false
	}
	s := cryptobyte.String(m.Body)
	var sid, exts cryptobyte.String
	if !s.Skip(2+32) || !s.ReadUint8LengthPrefixed(&sid) || !s.Skip(3) || !s.ReadUint16LengthPrefixed(&exts) {
		return false
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return false
		}
		if typ == extSupportedVersions {
			return true
		}
	}
	return false
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && !ne.Timeout()
}

type parsedServerHello struct {
	Version     uint16
	Random      []byte
	SessionID   []byte
	Suite       uint16
	Compression uint8
	HasExts     bool
	Exts        map[uint16][]byte
	ExtOrder    []uint16
}

func parseServerHello(t *testing.T, body []byte) parsedServerHello {
	t.Helper()
	s := cryptobyte.String(body)
	var sh parsedServerHello
	var random, sid cryptobyte.String
	if !s.ReadUint16(&sh.Version) || !s.ReadBytes((*[]byte)(&random), 32) || !s.ReadUint8LengthPrefixed(&sid) ||
		!s.ReadUint16(&sh.Suite) || !s.ReadUint8(&sh.Compression) {
		t.Fatalf("malformed ServerHello %x", body)
	}
	sh.Random, sh.SessionID = random, sid
	sh.Exts = map[uint16][]byte{}
	if s.Empty() {
		return sh
	}
	sh.HasExts = true
	var exts cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&exts) || !s.Empty() {
		t.Fatalf("malformed ServerHello extensions %x", body)
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			t.Fatalf("malformed ServerHello extension %x", body)
		}
		sh.Exts[typ] = data
		sh.ExtOrder = append(sh.ExtOrder, typ)
	}
	return sh
}

// leakCheck fails the test if goroutines started during it survive.
func leakCheck(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// closePromptly closes s and fails if that takes more than limit.
func closePromptly(t *testing.T, s *Server, limit time.Duration) {
	t.Helper()
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if d := time.Since(start); d > limit {
		t.Errorf("Close took %v, want < %v", d, limit)
	}
}

func certEntries(t *testing.T, body []byte) [][]byte {
	t.Helper()
	s := cryptobyte.String(body)
	var list cryptobyte.String
	if !s.ReadUint24LengthPrefixed(&list) || !s.Empty() {
		t.Fatalf("bad Certificate message")
	}
	var out [][]byte
	for !list.Empty() {
		var c cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&c) {
			t.Fatalf("bad certificate entry")
		}
		out = append(out, c)
	}
	return out
}
