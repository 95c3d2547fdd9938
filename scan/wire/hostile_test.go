package wire

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"golang.org/x/crypto/cryptobyte"
)

// pipeServer runs script as the server end of a net.Pipe and returns the
// client end. The script's connection is closed when it returns.
func pipeServer(t *testing.T, script func(c net.Conn)) net.Conn {
	t.Helper()
	cli, srv := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer srv.Close()
		srv.SetDeadline(time.Now().Add(10 * time.Second))
		script(srv)
	}()
	cli.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { cli.Close(); <-done })
	return cli
}

// readHello consumes the client's hello record on the server side.
func readHello(c net.Conn) {
	_, _ = ReadRecord(c)
}

func handshakeMsg(typ uint8, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

// fakeTLS12Flight returns ServerHello, Certificate and ServerHelloDone
// messages of a TLS 1.2 RSA-suite server.
func fakeTLS12Flight(t *testing.T, certDER []byte) [][]byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint16(registry.VersionTLS12)
	b.AddBytes(bytes.Repeat([]byte{0x42}, 32))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{1, 2, 3}) })
	b.AddUint16(0x009c)
	b.AddUint8(0)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(ExtRenegotiationInfo)
		b.AddUint16(1)
		b.AddUint8(0)
		b.AddUint16(ExtExtendedMasterSecret)
		b.AddUint16(0)
	})
	sh := handshakeMsg(TypeServerHello, b.BytesOrPanic())
	c := cryptobyte.NewBuilder(nil)
	c.AddUint24LengthPrefixed(func(c *cryptobyte.Builder) {
		c.AddUint24LengthPrefixed(func(c *cryptobyte.Builder) { c.AddBytes(certDER) })
	})
	return [][]byte{sh, handshakeMsg(TypeCertificate, c.BytesOrPanic()), handshakeMsg(TypeServerHelloDone, nil)}
}

func TestExchangeFragmentedAndCoalesced(t *testing.T) {
	rsaC, _ := certs(t)
	flight := fakeTLS12Flight(t, rsaC.Certificate[0])
	all := bytes.Join(flight, nil)
	cases := map[string][]byte{
		"coalesced":        EncodeRecords(RecordHandshake, registry.VersionTLS12, all, 0),
		"1-byte records":   EncodeRecords(RecordHandshake, registry.VersionTLS12, all, 1),
		"7-byte records":   EncodeRecords(RecordHandshake, registry.VersionTLS12, all, 7),
		"one per message":  bytes.Join([][]byte{EncodeRecords(RecordHandshake, registry.VersionTLS12, flight[0], 0), EncodeRecords(RecordHandshake, registry.VersionTLS12, flight[1], 0), EncodeRecords(RecordHandshake, registry.VersionTLS12, flight[2], 0)}, nil),
		"split and joined": append(EncodeRecords(RecordHandshake, registry.VersionTLS12, all[:50], 0), EncodeRecords(RecordHandshake, registry.VersionTLS12, all[50:], 0)...),
	}
	for name, stream := range cases {
		t.Run(name, func(t *testing.T) {
			c := pipeServer(t, func(c net.Conn) {
				readHello(c)
				// Write in odd-sized chunks too.
				for p := stream; len(p) > 0; {
					n := min(len(p), 3)
					if _, err := c.Write(p[:n]); err != nil {
						return
					}
					p = p[n:]
				}
				io.Copy(io.Discard, c)
			})
			f, err := Exchange(c, modernHello(), nil, StopAfterServerHelloDone)
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if f.ServerHello.CipherSuite != 0x009c || !bytes.Equal(f.ServerHello.SessionID, []byte{1, 2, 3}) || !f.ServerHello.SecureRenegotiation {
				t.Errorf("ServerHello %+v", f.ServerHello)
			}
			if !bytes.Equal(f.Certificate.Certificates[0], rsaC.Certificate[0]) || !f.ServerHelloDone {
				t.Errorf("flight %v", f.Messages)
			}
			if len(f.Transcript) != 4 || !bytes.Equal(f.Transcript[2], flight[1]) {
				t.Errorf("transcript of %d messages", len(f.Transcript))
			}
		})
	}
}

func TestExchangeHostile(t *testing.T) {
	hdr := func(typ uint8, n int) []byte { return []byte{typ, 3, 3, byte(n >> 8), byte(n)} }
	cases := []struct {
		name   string
		reply  []byte
		hold   bool // keep the connection open after the reply
		check  func(t *testing.T, f *Flight, err error)
		reader func(r *Reader)
	}{
		{name: "HTTP", reply: []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), check: wantNotTLS("HTTP")},
		{name: "SSH", reply: []byte("SSH-2.0-OpenSSH_9.2\r\n"), check: wantNotTLS("SSH")},
		{name: "SMTP", reply: []byte("220 mail.example ESMTP\r\n"), check: wantNotTLS("SMTP/FTP banner")},
		{name: "SSLv2 reply", reply: []byte{0x80, 0x30, 0x04, 0, 1, 0, 2}, check: wantNotTLS("SSLv2")},
		{name: "short garbage", reply: []byte{0xff}, check: wantNotTLS("unknown")},
		{name: "record too long", reply: hdr(RecordHandshake, MaxCiphertext+1), hold: true, check: wantErr("too long")},
		{name: "16 MB message", reply: append(hdr(RecordHandshake, 4), 0x0b, 0xff, 0xff, 0xff), hold: true, check: wantLimit},
		{name: "300 KB certificate", reply: append(hdr(RecordHandshake, 4), 0x0b, 0x04, 0x93, 0xe0), hold: true, check: wantLimit},
		{name: "70 KB other message", reply: append(hdr(RecordHandshake, 4), 0x02, 0x01, 0x11, 0x70), hold: true, check: wantLimit},
		{name: "closed after hello", reply: nil, check: func(t *testing.T, f *Flight, err error) {
			if !errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "closed the connection after ClientHello") {
				t.Errorf("err = %v", err)
			}
		}},
		{name: "truncated record", reply: append(hdr(RecordHandshake, 40), 2, 0, 0), check: wantErr("unexpected EOF")},
		{name: "truncated message", reply: append(hdr(RecordHandshake, 6), 2, 0, 0, 40, 3, 3), check: func(t *testing.T, f *Flight, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v", err)
			}
		}},
		{name: "truncated ServerHello", reply: EncodeRecords(RecordHandshake, registry.VersionTLS12, handshakeMsg(2, []byte{3, 3, 1, 2}), 0), check: func(t *testing.T, f *Flight, err error) {
			var de *DecodeError
			if !errors.As(err, &de) || err.Error() != "server_hello: truncated in random" {
				t.Errorf("err = %v", err)
			}
		}},
		{name: "wrong first message", reply: EncodeRecords(RecordHandshake, registry.VersionTLS12, handshakeMsg(TypeServerHelloDone, nil), 0), check: wantErr("expected ServerHello, got ServerHelloDone")},
		{name: "alert", reply: append(hdr(RecordAlert, 2), 2, 40), check: func(t *testing.T, f *Flight, err error) {
			if err != nil || f.Alert == nil || f.Alert.Error() != "remote alert: handshake_failure (40)" {
				t.Errorf("flight %+v err %v", f, err)
			}
		}},
		{name: "endless CCS", reply: bytes.Repeat(append(hdr(RecordChangeCipherSpec, 1), 1), 3000), hold: true,
			reader: func(r *Reader) { r.MaxTotal = 10000 }, check: wantLimit},
		{name: "application data", reply: append(hdr(RecordApplicationData, 3), 1, 2, 3), check: wantErr("unexpected application_data record")},
		{name: "bad alert", reply: append(hdr(RecordAlert, 1), 2), check: wantErr("alert: truncated")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := pipeServer(t, func(c net.Conn) {
				readHello(c)
				c.Write(tc.reply)
				if tc.hold {
					io.Copy(io.Discard, c) // until the client closes
				}
			})
			start := time.Now()
			var f *Flight
			var err error
			if tc.reader != nil {
				// Exercise the Reader directly for caps Exchange does not expose.
				msg, _ := modernHello().MarshalRecords()
				c.Write(msg)
				r := NewReader(c)
				tc.reader(r)
				_, err = r.ReadMessage()
				if r.BytesRead() > r.MaxTotal {
					t.Errorf("read %d bytes, cap %d", r.BytesRead(), r.MaxTotal)
				}
			} else {
				f, err = Exchange(c, modernHello(), nil, StopAfterServerHelloDone)
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			tc.check(t, f, err)
		})
	}
}

func wantNotTLS(hint string) func(*testing.T, *Flight, error) {
	return func(t *testing.T, f *Flight, err error) {
		t.Helper()
		var nt *NotTLSError
		if !errors.Is(err, ErrNotTLS) || !errors.As(err, &nt) || nt.Hint != hint {
			t.Errorf("err = %v, want ErrNotTLS with hint %q", err, hint)
		}
	}
}

func wantErr(substr string) func(*testing.T, *Flight, error) {
	return func(t *testing.T, f *Flight, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), substr) {
			t.Errorf("err = %v, want one containing %q", err, substr)
		}
	}
}

func wantLimit(t *testing.T, f *Flight, err error) {
	t.Helper()
	if !errors.Is(err, ErrLimit) {
		t.Errorf("err = %v, want ErrLimit", err)
	}
}

func TestAlertNames(t *testing.T) {
	for d := 0; d < 256; d++ {
		n := AlertName(uint8(d))
		if n == "" {
			t.Fatalf("empty name for %d", d)
		}
	}
	if AlertName(86) != "inappropriate_fallback" || AlertName(200) != "alert(200)" {
		t.Error("alert names")
	}
	a, err := ParseAlert([]byte{1, 0})
	if err != nil || a.Error() != "remote alert: close_notify (0) [warning]" {
		t.Errorf("%v %v", a, err)
	}
}

func TestSSLv2ServerReplies(t *testing.T) {
	rsaC, _ := certs(t)
	cert := rsaC.Certificate[0]
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(SSLv2MsgServerHello)
	b.AddUint8(0)
	b.AddUint8(1)
	b.AddUint16(registry.VersionSSL2)
	b.AddUint16(uint16(len(cert)))
	b.AddUint16(6)
	b.AddUint16(16)
	b.AddBytes(cert)
	b.AddBytes([]byte{1, 0, 0x80, 7, 0, 0xc0})
	b.AddBytes(bytes.Repeat([]byte{9}, 16))
	hello := b.BytesOrPanic()
	v2rec := func(m []byte) []byte { return append([]byte{0x80 | byte(len(m)>>8), byte(len(m))}, m...) }
	cases := []struct {
		name  string
		reply []byte
		check func(t *testing.T, sh *SSLv2ServerHello, err error)
	}{
		{"server hello", v2rec(hello), func(t *testing.T, sh *SSLv2ServerHello, err error) {
			if err != nil || !bytes.Equal(sh.Certificate, cert) || len(sh.CipherSpecs) != 2 || sh.CipherSpecs[1] != 0x0700c0 || len(sh.ConnectionID) != 16 {
				t.Errorf("%+v %v", sh, err)
			}
		}},
		{"error", v2rec([]byte{0, 0, 1}), func(t *testing.T, sh *SSLv2ServerHello, err error) {
			var e *SSLv2Error
			if !errors.As(err, &e) || e.Code != 1 || !strings.Contains(err.Error(), "NO-CIPHER-ERROR") {
				t.Errorf("err = %v", err)
			}
		}},
		{"TLS alert", []byte{21, 3, 1, 0, 2, 2, 40}, func(t *testing.T, sh *SSLv2ServerHello, err error) {
			var a *AlertError
			if !errors.As(err, &a) || a.Description != 40 {
				t.Errorf("err = %v", err)
			}
		}},
		{"TLS handshake", []byte{22, 3, 1, 0, 2, 2, 0}, func(t *testing.T, sh *SSLv2ServerHello, err error) {
			if !errors.Is(err, ErrTLSReply) {
				t.Errorf("err = %v", err)
			}
		}},
		{"HTTP", []byte("HTTP/1.0 400\r\n"), func(t *testing.T, sh *SSLv2ServerHello, err error) {
			if !errors.Is(err, ErrNotTLS) {
				t.Errorf("err = %v", err)
			}
		}},
		{"truncated", v2rec(hello)[:100], func(t *testing.T, sh *SSLv2ServerHello, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := pipeServer(t, func(c net.Conn) {
				buf := make([]byte, 2+9+3+16)
				io.ReadFull(c, buf)
				c.Write(tc.reply)
			})
			c.Write((&SSLv2ClientHello{CipherSpecs: []uint32{0x010080}}).Marshal())
			sh, err := ReadSSLv2ServerHello(c)
			tc.check(t, sh, err)
		})
	}
}
