package wire

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

func FuzzParsePreSharedKeySH(f *testing.F) {
	f.Add([]byte{0, 0})
	f.Add([]byte{0})
	f.Add([]byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		if id, err := ParsePreSharedKeySH(data); err == nil && (len(data) != 2 || int(id) != int(data[0])<<8|int(data[1])) {
			t.Errorf("%x parsed as %d", data, id)
		}
	})
}

// FuzzResumeWithEarlyData feeds arbitrary server bytes to a 0-RTT
// resumption: an error or an outcome, never a panic; reading the session
// afterwards ends too.
func FuzzResumeWithEarlyData(f *testing.F) {
	f.Add([]byte{})
	f.Add(EncodeRecords(RecordHandshake, registry.VersionTLS12, []byte{TypeServerHello, 0, 0, 2, 3, 3}, 0))
	f.Add(EncodeRecords(RecordAlert, registry.VersionTLS12, []byte{2, 40}, 0))
	_, priv, err := GenerateKeyShare(nil, GroupX25519)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := &TLS13Resumption{Suite: TLS_AES_128_GCM_SHA256, Ticket: &TLS13Ticket{Ticket: []byte{1, 2, 3}}, Received: time.Now(), psk: make([]byte, 32)}
		rw := struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(data), io.Discard}
		ch := &ClientHello{Version: registry.VersionTLS12, CipherSuites: []uint16{TLS_AES_128_GCM_SHA256}, SupportedVersions: []uint16{registry.VersionTLS13},
			KeyShares: []KeyShare{}, SupportedGroups: []uint16{GroupX25519}}
		o, err := ResumeWithEarlyData(rw, ch, res, []*KeySharePrivate{priv}, []byte("GET /"))
		if err == nil && o == nil {
			t.Fatal("no outcome and no error")
		}
		if o != nil && o.Session != nil {
			for i := 0; i < 4; i++ {
				if _, err := o.Session.ReadApplication(); err != nil {
					break
				}
			}
		}
	})
}

// FuzzTLS13SessionRead feeds arbitrary post-handshake records to a session.
func FuzzTLS13SessionRead(f *testing.F) {
	f.Add([]byte{RecordAlert, 3, 3, 0, 2, 2, 40}, false)
	f.Add([]byte{RecordChangeCipherSpec, 3, 3, 0, 1, 1, RecordApplicationData, 3, 3, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, data []byte, app bool) {
		in, err := newTLS13Traffic(TLS_AES_128_GCM_SHA256, make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		s := &TLS13Session{r: NewReader(bytes.NewReader(data)), in: in}
		for i := 0; i < 4; i++ {
			if app {
				_, err = s.ReadApplication()
			} else {
				_, err = s.ReadTicket()
			}
			if err != nil {
				return
			}
		}
	})
}
