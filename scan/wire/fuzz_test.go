package wire

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// seedBodies returns the bodies of the recorded handshake messages named
// msgName (testdata/handshakes/*-<msgName>.bin).
func seedBodies(f *testing.F, msgName string) [][]byte {
	paths, _ := filepath.Glob(filepath.Join("testdata", "handshakes", "*-"+msgName+".bin"))
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) >= 4 {
			out = append(out, b[4:])
		}
	}
	if len(out) == 0 {
		f.Fatalf("no recorded %s in testdata/handshakes", msgName)
	}
	return out
}

func FuzzParseServerHello(f *testing.F) {
	for _, b := range seedBodies(f, "ServerHello") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sh, err := ParseServerHello(b)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if len(sh.Random) != 32 {
			t.Fatal("random not 32 bytes")
		}
		_ = sh.NegotiatedVersion()
	})
}

func FuzzParseCertificate(f *testing.F) {
	for _, b := range seedBodies(f, "Certificate") {
		f.Add(b, b[0] == 0 && len(b) > 4 && b[1] == 0)
	}
	f.Fuzz(func(t *testing.T, b []byte, tls13 bool) {
		cm, err := ParseCertificate(b, tls13)
		if err != nil {
			return
		}
		if tls13 && (len(cm.OCSP) != len(cm.Certificates) || len(cm.SCTs) != len(cm.Certificates)) {
			t.Fatal("per-entry slices out of step")
		}
		for _, c := range cm.Certificates {
			if len(c) == 0 {
				t.Fatal("empty certificate returned")
			}
		}
	})
}

func FuzzParseServerKeyExchange(f *testing.F) {
	kxs := []string{"ECDHE", "DHE", "RSA", "DH_anon", "ECDH_anon", "PSK", "DHE_PSK", "ECDHE_PSK"}
	for _, b := range seedBodies(f, "ServerKeyExchange") {
		f.Add(b, uint8(0), uint16(registry.VersionTLS12))
		f.Add(b, uint8(1), uint16(registry.VersionTLS12))
	}
	f.Add([]byte{0, 1, 5, 0, 1, 3, 0, 0}, uint8(2), uint16(registry.VersionTLS10))
	f.Fuzz(func(t *testing.T, b []byte, kx uint8, version uint16) {
		ske, err := ParseServerKeyExchange(b, kxs[int(kx)%len(kxs)], version)
		if err != nil {
			return
		}
		if !bytes.HasPrefix(b, ske.Params) || len(ske.Params) > len(b) {
			t.Fatal("Params is not a prefix of the body")
		}
	})
}

func FuzzParseCertificateStatus(f *testing.F) {
	for _, b := range seedBodies(f, "CertificateStatus") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, err := ParseCertificateStatus(b)
		if err == nil && len(resp) == 0 {
			t.Fatal("empty response accepted")
		}
	})
}

func FuzzParseAlert(f *testing.F) {
	f.Add([]byte{2, 40})
	f.Add([]byte{1, 0})
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAlert(b)
		if err == nil && a.Error() == "" {
			t.Fatal("empty alert text")
		}
	})
}

func FuzzParseSSLv2ServerHello(f *testing.F) {
	f.Add([]byte{4, 0, 1, 0, 2, 0, 3, 0, 3, 0, 1, 1, 2, 3, 1, 0, 0x80, 9})
	f.Add([]byte{0, 0, 1})
	for _, b := range seedBodies(f, "Certificate")[:1] {
		m := append([]byte{4, 0, 1, 0, 2, byte(len(b) >> 8), byte(len(b)), 0, 3, 0, 16}, b...)
		m = append(m, 7, 0, 0xc0)
		f.Add(append(m, make([]byte, 16)...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sh, err := ParseSSLv2ServerHello(b)
		if err == nil && sh == nil {
			t.Fatal("nil hello without error")
		}
		// The same bytes as a record stream must not panic either.
		if len(b) < 0x7fff {
			_, _ = ReadSSLv2ServerHello(bytes.NewReader(append([]byte{0x80 | byte(len(b)>>8), byte(len(b))}, b...)))
		}
		_, _ = ReadSSLv2ServerHello(bytes.NewReader(b))
	})
}

func FuzzParseEncryptedExtensions(f *testing.F) {
	for _, b := range seedBodies(f, "EncryptedExtensions") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ee, err := ParseEncryptedExtensions(b)
		if err != nil {
			return
		}
		seen := map[uint16]bool{}
		for _, e := range ee.Extensions {
			if seen[e.Type] {
				t.Fatal("duplicate extension accepted")
			}
			seen[e.Type] = true
		}
	})
}

func FuzzParseCertificateVerify(f *testing.F) {
	for _, b := range seedBodies(f, "CertificateVerify") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cv, err := ParseCertificateVerify(b)
		if err == nil && 4+len(cv.Signature) != len(b) {
			t.Fatal("length mismatch")
		}
	})
}

// FuzzReader feeds an arbitrary byte stream to a Reader: it must end with a
// message loop that neither panics nor reads past its caps.
func FuzzReader(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "handshakes", "*.bin"))
	var flight []byte
	for _, p := range paths {
		if strings.Contains(p, "openssl-tls12-dhe") && !strings.HasSuffix(p, "-ClientHello.bin") {
			b, _ := os.ReadFile(p)
			flight = append(flight, b...)
		}
	}
	f.Add(EncodeRecords(RecordHandshake, registry.VersionTLS12, flight, 0), uint16(0))
	f.Add(EncodeRecords(RecordHandshake, registry.VersionTLS12, flight, 5), uint16(1000))
	f.Add([]byte("HTTP/1.1 200 OK\r\n"), uint16(0))
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40}, uint16(0))
	f.Add([]byte{20, 3, 3, 0, 1, 1, 22, 3, 3, 0, 4, 14, 0, 0, 0}, uint16(0))
	f.Fuzz(func(t *testing.T, stream []byte, maxTotal uint16) {
		r := NewReader(bytes.NewReader(stream))
		r.MaxTotal = int(maxTotal)
		r.MaxMessage = 4096
		limit := int(maxTotal)
		if limit == 0 {
			limit = DefaultMaxTotal
		}
		for i := 0; ; i++ {
			m, err := r.ReadMessage()
			if r.BytesRead() > limit {
				t.Fatalf("read %d bytes past the %d cap", r.BytesRead(), limit)
			}
			if err != nil {
				if err == io.EOF || err.Error() != "" {
					return
				}
			}
			if len(m.Raw) != 4+len(m.Body) {
				t.Fatal("Raw/Body mismatch")
			}
			if i > len(stream) {
				t.Fatal("more messages than bytes")
			}
		}
	})
}
