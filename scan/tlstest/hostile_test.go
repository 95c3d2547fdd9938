package tlstest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

func startHostile(t *testing.T, kind HostileKind) *Server {
	t.Helper()
	s, err := NewHostileServer(kind)
	if err != nil {
		t.Fatalf("NewHostileServer(%v): %v", kind, err)
	}
	return s
}

// hostileConn starts kind, connects and sends hello. Cleanup closes the
// client, then the server (promptly), then checks for leaked goroutines.
func hostileConn(t *testing.T, kind HostileKind, hello helloSpec) (*Server, net.Conn) {
	t.Helper()
	leakCheck(t)
	s := startHostile(t, kind)
	t.Cleanup(func() { closePromptly(t, s, time.Second) })
	return s, dialSend(t, s, hello.bytes())
}

var (
	tls12Hello = helloSpec{Version: registry.VersionTLS12, Suites: []uint16{0xc02f, 0x002f},
		Groups: []uint16{GroupX25519, GroupP256}, PointFormats: true, SigAlgs: []uint16{0x0401, 0x0804}}
	tls13Hello = helloSpec{Version: registry.VersionTLS12, Suites: []uint16{0x1301, 0x1302, 0xc02f},
		Groups: []uint16{GroupX25519, GroupP256}, SigAlgs: []uint16{0x0804, 0x0403}, TLS13: true}
)

// readAtMost reads for d and returns what arrived and the error that ended it
// (a timeout error when the server stayed quiet).
func readAtMost(c net.Conn, d time.Duration, limit int) ([]byte, error) {
	c.SetReadDeadline(time.Now().Add(d))
	var out []byte
	buf := make([]byte, 4096)
	for len(out) < limit {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

func TestHostileSilent(t *testing.T) {
	leakCheck(t)
	s := startHostile(t, HostileSilent)
	c := dialSend(t, s, tls12Hello.bytes())
	got, err := readAtMost(c, 500*time.Millisecond, 1)
	if len(got) != 0 || !isTimeout(err) {
		t.Fatalf("silent server sent %x, err %v", got, err)
	}
	closePromptly(t, s, time.Second)
	if _, err := readAtMost(c, time.Second, 1); isTimeout(err) || err == nil {
		t.Errorf("connection not closed by Close: %v", err)
	}
}

func TestHostileDrip(t *testing.T) {
	_, c := hostileConn(t, HostileDrip, tls12Hello)
	got, err := readAtMost(c, 1500*time.Millisecond, 100)
	if !isTimeout(err) || len(got) == 0 || len(got) > 2 || got[0] != recordHandshake {
		t.Fatalf("drip sent %x in 1.5 s (err %v), want 1-2 bytes starting 0x16", got, err)
	}
}

func TestHostileGarbage(t *testing.T) {
	_, c := hostileConn(t, HostileGarbage, tls12Hello)
	got, err := readAtMost(c, 5*time.Second, 1<<20)
	if err != io.EOF || len(got) != 64<<10 {
		t.Fatalf("garbage: %d bytes, err %v", len(got), err)
	}
	if got[0]&0x80 != 0 || (got[0] >= recordCCS && got[0] <= 24) {
		t.Errorf("garbage starts like a record: %x", got[:5])
	}
}

func TestHostileHTTP(t *testing.T) {
	_, c := hostileConn(t, HostileHTTP, tls12Hello)
	got, err := readAtMost(c, 5*time.Second, 1<<16)
	if err != io.EOF || !strings.HasPrefix(string(got), "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(string(got), "\r\n\r\n<html>") {
		t.Fatalf("HTTP reply %q, err %v", got, err)
	}
}

func TestHostileSSH(t *testing.T) {
	leakCheck(t)
	s := startHostile(t, HostileSSH)
	defer closePromptly(t, s, time.Second)
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n" {
		t.Fatalf("banner %q, err %v", line, err)
	}
}

func TestHostileReset(t *testing.T) {
	_, c := hostileConn(t, HostileReset, tls12Hello)
	got, err := readAtMost(c, 5*time.Second, 1<<16)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want connection reset, got %v after %d bytes", err, len(got))
	}
	if len(got) == 0 || got[0] != recordHandshake || len(got) >= 5+4+70 {
		t.Errorf("want part of a ServerHello before the reset, got %x", got)
	}
}

func TestHostileHugeRecord(t *testing.T) {
	_, c := hostileConn(t, HostileHugeRecord, tls12Hello)
	typ, _, sh, err := readRecord(c)
	if err != nil || typ != recordHandshake || sh[0] != hsServerHello {
		t.Fatalf("first record: type %d, err %v", typ, err)
	}
	var hdr [9]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		t.Fatal(err)
	}
	if want := []byte{0x16, 3, 3, 0xff, 0xff, 0x0b, 0xff, 0xff, 0xff}; !bytes.Equal(hdr[:], want) {
		t.Fatalf("huge record header %x, want %x", hdr, want)
	}
	got, err := readAtMost(c, 1500*time.Millisecond, 100)
	if !isTimeout(err) || len(got) > 2 {
		t.Fatalf("body arrives at %d bytes in 1.5 s (err %v), want a drip", len(got), err)
	}
}

func TestHostileHugeChain(t *testing.T) {
	s, c := hostileConn(t, HostileHugeChain, tls12Hello)
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	res := readFlight(t, c)
	msgs, total := res.Msgs, res.Bytes
	if total <= 10<<20 || len(msgs) != 3 || msgs[1].Type != hsCertificate || len(msgs[1].Body) <= 10<<20 {
		t.Fatalf("huge chain: %d bytes in %d messages", total, len(msgs))
	}
	certs := certEntries(t, msgs[1].Body)
	if len(certs) != 1+hugeChainEntries || !bytes.Equal(certs[0], s.CertDER) {
		t.Errorf("huge chain: %d entries", len(certs))
	}
}

func TestHostileHugeChainClientGoesAway(t *testing.T) {
	s, c := hostileConn(t, HostileHugeChain, tls12Hello)
	if _, err := readAtMost(c, 2*time.Second, 64<<10); err != nil {
		t.Fatal(err)
	}
	c.Close()
	// The handler must notice and stop streaming on its own.
	deadline := time.Now().Add(hostileWriteTimeout + 2*time.Second)
	l, _ := loops.Load(s)
	for {
		l.(*connLoop).mu.Lock()
		n := len(l.(*connLoop).conns)
		l.(*connLoop).mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("handler still streaming after the client left")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHostileManyCerts(t *testing.T) {
	_, c := hostileConn(t, HostileManyCerts, tls12Hello)
	msgs := readFlight(t, c).Msgs
	if len(msgs) != 3 || msgs[1].Type != hsCertificate {
		t.Fatalf("%d messages", len(msgs))
	}
	certs := certEntries(t, msgs[1].Body)
	if len(certs) != 10000 {
		t.Fatalf("%d certificates, want 10000", len(certs))
	}
	for _, i := range []int{0, 9999} {
		cert, err := x509.ParseCertificate(certs[i])
		if err != nil || len(certs[i]) > 600 {
			t.Errorf("certificate %d: %d bytes, %v", i, len(certs[i]), err)
		} else if cert.Subject.CommonName != FakeCertName {
			t.Errorf("certificate %d: CN %q", i, cert.Subject.CommonName)
		}
	}
}

func TestHostileHRRLoop(t *testing.T) {
	_, c := hostileConn(t, HostileHRRLoop, tls13Hello)
	for i := range 3 {
		if i > 0 {
			// A compatibility CCS, then the second hello, as clients do.
			if _, err := c.Write(append(record(recordCCS, 0x0303, []byte{1}), tls13Hello.bytes()...)); err != nil {
				t.Fatal(err)
			}
		}
		res := readFlight(t, c)
		if len(res.Msgs) != 1 || res.Msgs[0].Type != hsServerHello {
			t.Fatalf("round %d: %+v", i, res)
		}
		sh := parseServerHello(t, res.Msgs[0].Body)
		if !bytes.Equal(sh.Random, helloRetryRandom) || sh.Suite != 0x1301 || !bytes.Equal(sh.Exts[extSupportedVersions], []byte{3, 4}) ||
			!bytes.Equal(sh.Exts[extKeyShare], []byte{0, byte(GroupP256)}) || !bytes.Equal(sh.SessionID, make([]byte, 32)) {
			t.Fatalf("round %d: not a HelloRetryRequest for P-256: %+v", i, sh)
		}
	}
}

func TestHostileAlertFlood(t *testing.T) {
	_, c := hostileConn(t, HostileAlertFlood, tls12Hello)
	for i := range 5000 {
		typ, _, p, err := readRecord(c)
		if err != nil || typ != recordAlert || !bytes.Equal(p, []byte{1, 90}) {
			t.Fatalf("record %d: type %d payload %x err %v", i, typ, p, err)
		}
	}
}

func TestHostileWrongVersion(t *testing.T) {
	_, c := hostileConn(t, HostileWrongVersion, tls12Hello)
	typ, vers, p, err := readRecord(c)
	if err != nil || typ != recordHandshake || vers != 0x0909 || p[0] != hsServerHello || p[4] != 9 || p[5] != 9 {
		t.Fatalf("record type %d version %04x payload %x err %v", typ, vers, p, err)
	}
}

func TestHostileCloseImmediately(t *testing.T) {
	leakCheck(t)
	s := startHostile(t, HostileCloseImmediately)
	defer closePromptly(t, s, time.Second)
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	got, err := readAtMost(c, 3*time.Second, 1)
	if len(got) != 0 || isTimeout(err) || err == nil || time.Since(start) > time.Second {
		t.Fatalf("got %x, err %v after %v", got, err, time.Since(start))
	}
}

func TestHostileAwkwardCryptoTLS(t *testing.T) {
	leakCheck(t)
	for _, kind := range []HostileKind{AwkwardFragmented, AwkwardCoalesced} {
		t.Run(kind.String(), func(t *testing.T) {
			s := startHostile(t, kind)
			defer closePromptly(t, s, 3*time.Second)
			cs, err := cryptoTLSHandshake(t, s, &tls.Config{MaxVersion: tls.VersionTLS12})
			if err == nil || cs.CipherSuite != 0xc02f || cs.Version != tls.VersionTLS12 {
				t.Fatalf("version %04x suite %04x err %v", cs.Version, cs.CipherSuite, err)
			}
			waitCount(t, "ClientKeyExchanges", engineOf(t, s).clientKeyExchanges.Load, 1)
		})
	}
}

func TestHostileAwkwardRecords(t *testing.T) {
	leakCheck(t)
	for _, kind := range []HostileKind{AwkwardFragmented, AwkwardCoalesced} {
		t.Run(kind.String(), func(t *testing.T) {
			s := startHostile(t, kind)
			defer closePromptly(t, s, 3*time.Second)
			c := dialSend(t, s, tls12Hello.bytes())
			var sizes []int
			var buf []byte
			for {
				typ, _, p, err := readRecord(c)
				if err != nil || typ != recordHandshake {
					t.Fatalf("type %d err %v", typ, err)
				}
				sizes = append(sizes, len(p))
				buf = append(buf, p...)
				if len(buf) >= 4 && bytes.HasSuffix(buf, []byte{hsServerHelloDone, 0, 0, 0}) {
					break
				}
			}
			for _, n := range sizes {
				if kind == AwkwardFragmented && (n < 1 || n > 10) {
					t.Fatalf("fragment of %d bytes", n)
				}
			}
			if kind == AwkwardCoalesced && len(sizes) != 1 {
				t.Fatalf("%d records, want 1", len(sizes))
			}
			if kind == AwkwardFragmented && len(sizes) < 100 {
				t.Fatalf("only %d records", len(sizes))
			}
			var types []uint8
			for len(buf) > 0 {
				n := int(buf[1])<<16 | int(buf[2])<<8 | int(buf[3])
				types = append(types, buf[0])
				buf = buf[4+n:]
			}
			if !bytes.Equal(types, []byte{hsServerHello, hsCertificate, hsServerKeyExchange, hsServerHelloDone}) {
				t.Fatalf("messages %v", types)
			}
		})
	}
}

func TestHostileAwkwardCompatCCS(t *testing.T) {
	leakCheck(t)
	s := startHostile(t, AwkwardCompatCCS)
	defer closePromptly(t, s, time.Second)

	c := dialSend(t, s, tls13Hello.bytes())
	res := readFlight(t, c) // stops at the CCS record
	if len(res.Msgs) != 1 {
		t.Fatalf("%+v", res)
	}
	sh := parseServerHello(t, res.Msgs[0].Body)
	if sh.Version != 0x0303 || sh.Suite != 0x1301 || !bytes.Equal(sh.Exts[extSupportedVersions], []byte{3, 4}) ||
		len(sh.Exts[extKeyShare]) != 2+2+32 || bytes.Equal(sh.Random, helloRetryRandom) {
		t.Fatalf("not a TLS 1.3 ServerHello: %+v", sh)
	}
	typ, _, p, err := readRecord(c)
	if err != nil || typ != recordCCS || !bytes.Equal(p, []byte{1}) {
		t.Fatalf("want compat CCS, got type %d %x %v", typ, p, err)
	}
	if got, err := readAtMost(c, 300*time.Millisecond, 1); len(got) != 0 || !isTimeout(err) {
		t.Fatalf("server did not stall: %x %v", got, err)
	}

	// crypto/tls accepts ServerHello and CCS, then waits for encrypted
	// records and sees the close: EOF, not a complaint about the messages.
	raw, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	err = tls.Client(raw, &tls.Config{ServerName: s.Name, InsecureSkipVerify: true}).Handshake()
	if !errors.Is(err, io.EOF) {
		t.Fatalf("crypto/tls: %v, want EOF", err)
	}
}

func TestHostileAllKindsCloseWhileBusy(t *testing.T) {
	leakCheck(t)
	for _, kind := range HostileKinds() {
		t.Run(kind.String(), func(t *testing.T) {
			s := startHostile(t, kind)
			hello := tls12Hello
			if kind == HostileHRRLoop || kind == AwkwardCompatCCS {
				hello = tls13Hello
			}
			c := dialSend(t, s, hello.bytes())
			readAtMost(c, 100*time.Millisecond, 4096)
			closePromptly(t, s, time.Second)
			if n := s.ConnCount(); n != 1 {
				t.Errorf("ConnCount = %d, want 1", n)
			}
		})
	}
	if _, err := NewHostileServer(HostileKind(99)); err == nil {
		t.Errorf("unknown kind accepted")
	}
}
