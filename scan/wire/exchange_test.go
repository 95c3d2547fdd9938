package wire

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

func TestExchangeTLS12GoServer(t *testing.T) {
	rsaC, ecC := certs(t)
	cases := []struct {
		name  string
		cert  tls.Certificate
		suite uint16
		group uint16
	}{
		{"ECDHE-RSA-x25519", rsaC, 0xc02f, GroupX25519},
		{"ECDHE-ECDSA-P256", ecC, 0xc02b, GroupSecp256r1},
		{"ECDHE-RSA-P384", rsaC, 0xc030, GroupSecp384r1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := startGoTLS(t, &tls.Config{
				Certificates:     []tls.Certificate{tc.cert},
				MaxVersion:       tls.VersionTLS12,
				NextProtos:       []string{"h2"},
				CipherSuites:     []uint16{tc.suite},
				CurvePreferences: []tls.CurveID{tls.CurveID(tc.group)},
			})
			ch := modernHello()
			ch.SupportedVersions = nil
			c := dial(t, addr)
			f, err := Exchange(c, ch, nil, StopAfterServerHelloDone)
			if err != nil {
				t.Fatalf("Exchange: %v (messages %v)", err, f.Messages)
			}
			if f.Alert != nil {
				t.Fatalf("alert %v", f.Alert)
			}
			sh := f.ServerHello
			if sh.NegotiatedVersion() != registry.VersionTLS12 || sh.CipherSuite != tc.suite {
				t.Errorf("version %s suite %04x, want TLSv1.2 %04x", registry.Version(sh.NegotiatedVersion()).String(), sh.CipherSuite, tc.suite)
			}
			if !sh.SecureRenegotiation || !sh.ExtendedMasterSecret || sh.ALPN != "h2" {
				t.Errorf("reneg %v ems %v alpn %q", sh.SecureRenegotiation, sh.ExtendedMasterSecret, sh.ALPN)
			}
			if f.Certificate == nil || len(f.Certificate.Certificates) != 1 || !bytes.Equal(f.Certificate.Certificates[0], tc.cert.Certificate[0]) {
				t.Fatalf("certificate does not match the server's")
			}
			ske, err := ParseServerKeyExchange(f.ServerKeyExchange, "ECDHE", sh.NegotiatedVersion())
			if err != nil {
				t.Fatal(err)
			}
			if ske.NamedCurve != tc.group || len(ske.Point) != KeyShareSize(tc.group) || ske.SigAlg == 0 || len(ske.Signature) == 0 {
				t.Errorf("SKE curve %04x point %d bytes sigalg %04x sig %d bytes", ske.NamedCurve, len(ske.Point), ske.SigAlg, len(ske.Signature))
			}
			if !f.ServerHelloDone {
				t.Errorf("no ServerHelloDone; messages %v", f.Messages)
			}
			want := []string{"ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone"}
			if len(f.Messages) != len(want) {
				t.Errorf("messages %v, want %v", f.Messages, want)
			}
			saveHandshake(t, "go-tls12-"+tc.name, f.Transcript)
		})
	}
}

func TestExchangeTLS13GoServer(t *testing.T) {
	rsaC, ecC := certs(t)
	cases := []struct {
		name   string
		cert   tls.Certificate
		group  uint16
		sigalg uint16
	}{
		{"x25519-ECDSA", ecC, GroupX25519, 0x0403},
		{"P256-RSA", rsaC, GroupSecp256r1, 0x0804},
		{"P384-ECDSA", ecC, GroupSecp384r1, 0x0403},
		{"P521-ECDSA", ecC, GroupSecp521r1, 0x0403},
		{"X25519MLKEM768-ECDSA", ecC, GroupX25519MLKEM768, 0x0403},
		{"SecP256r1MLKEM768-RSA", rsaC, GroupSecP256r1MLKEM768, 0x0804},
		{"SecP384r1MLKEM1024-ECDSA", ecC, GroupSecP384r1MLKEM1024, 0x0403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := startGoTLS(t, &tls.Config{
				Certificates:     []tls.Certificate{tc.cert},
				MinVersion:       tls.VersionTLS13,
				CurvePreferences: []tls.CurveID{tls.CurveID(tc.group)},
				NextProtos:       []string{"h2"},
			})
			ch := modernHello()
			ch.SupportedGroups = []uint16{tc.group}
			share, priv, err := GenerateKeyShare(nil, tc.group)
			if err != nil {
				t.Fatal(err)
			}
			if len(share.Data) != KeyShareSize(tc.group) {
				t.Errorf("share of %d bytes, want %d", len(share.Data), KeyShareSize(tc.group))
			}
			ch.KeyShares = []KeyShare{share}
			c := dial(t, addr)
			f, err := Exchange(c, ch, []*KeySharePrivate{priv}, StopAfterFinished)
			if err != nil {
				t.Fatalf("Exchange: %v (messages %v)", err, f.Messages)
			}
			if f.Alert != nil {
				t.Fatalf("alert %v", f.Alert)
			}
			if f.ServerHello.NegotiatedVersion() != registry.VersionTLS13 || f.ServerHello.KeyShare.Group != tc.group {
				t.Fatalf("negotiated %s group %04x", registry.Version(f.ServerHello.NegotiatedVersion()).String(), f.ServerHello.KeyShare.Group)
			}
			if f.EncryptedExtensions == nil || f.EncryptedExtensions.ALPN != "h2" {
				t.Errorf("EncryptedExtensions %+v", f.EncryptedExtensions)
			}
			if f.Certificate == nil || !bytes.Equal(f.Certificate.Certificates[0], tc.cert.Certificate[0]) {
				t.Fatalf("decrypted certificate does not match the server's")
			}
			if f.CertificateVerify == nil || f.CertificateVerify.SigAlg != tc.sigalg {
				t.Errorf("CertificateVerify %+v, want sigalg %04x", f.CertificateVerify, tc.sigalg)
			}
			if !f.Finished {
				t.Errorf("Finished not verified; messages %v", f.Messages)
			}
			saveHandshake(t, "go-tls13-"+tc.name, f.Transcript)
		})
	}
}

func TestExchangeHelloRetryRequest(t *testing.T) {
	_, ecC := certs(t)
	addr := startGoTLS(t, &tls.Config{
		Certificates:     []tls.Certificate{ecC},
		MinVersion:       tls.VersionTLS13,
		CurvePreferences: []tls.CurveID{tls.CurveP256},
	})
	ch := modernHello()
	ch.SupportedGroups = []uint16{GroupX25519, GroupSecp256r1}
	share, priv, err := GenerateKeyShare(nil, GroupX25519)
	if err != nil {
		t.Fatal(err)
	}
	ch.KeyShares = []KeyShare{share}
	c := dial(t, addr)
	f, err := Exchange(c, ch, []*KeySharePrivate{priv}, StopAfterFinished)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	hrr := f.HelloRetryRequest
	if hrr == nil || !hrr.IsHelloRetryRequest || hrr.SelectedGroup != GroupSecp256r1 || hrr.KeyShare != nil {
		t.Fatalf("want HRR selecting secp256r1, got %+v (messages %v)", f.ServerHello, f.Messages)
	}
	share2, priv2, err := GenerateKeyShare(nil, hrr.SelectedGroup)
	if err != nil {
		t.Fatal(err)
	}
	f2, err := ContinueAfterRetry(c, f, ch.ForRetry(hrr, share2), []*KeySharePrivate{priv2}, StopAfterFinished)
	if err != nil {
		t.Fatalf("ContinueAfterRetry: %v (messages %v)", err, f2.Messages)
	}
	if f2.Alert != nil {
		t.Fatalf("alert after retry: %v", f2.Alert)
	}
	if f2.ServerHello.IsHelloRetryRequest || f2.ServerHello.KeyShare.Group != GroupSecp256r1 {
		t.Fatalf("second ServerHello %+v", f2.ServerHello)
	}
	if f2.Certificate == nil || !bytes.Equal(f2.Certificate.Certificates[0], ecC.Certificate[0]) || !f2.Finished {
		t.Fatalf("second flight not decrypted: messages %v", f2.Messages)
	}
	saveHandshake(t, "go-tls13-hrr", f2.Transcript)
}

// TestExchangeRetryReusingECDH: after a HelloRetryRequest for a hybrid
// group, a share whose ECDH half reuses the first hello's key on the same
// curve completes the handshake (Finished verified), and its ECDH half is
// that key's public value.
func TestExchangeRetryReusingECDH(t *testing.T) {
	_, ecC := certs(t)
	cases := []struct {
		first, hybrid uint16
		ecdhAt        int // offset of the ECDH half in the hybrid share
	}{
		{GroupX25519, GroupX25519MLKEM768, 1184},
		{GroupSecp256r1, GroupSecP256r1MLKEM768, 0},
		{GroupSecp384r1, GroupSecP384r1MLKEM1024, 0},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%04x", tc.hybrid), func(t *testing.T) {
			addr := startGoTLS(t, &tls.Config{
				Certificates:     []tls.Certificate{ecC},
				MinVersion:       tls.VersionTLS13,
				CurvePreferences: []tls.CurveID{tls.CurveID(tc.hybrid)},
			})
			ch := modernHello()
			ch.SupportedGroups = []uint16{tc.first, tc.hybrid}
			share, priv, err := GenerateKeyShare(nil, tc.first)
			if err != nil {
				t.Fatal(err)
			}
			other, otherPriv, err := GenerateKeyShare(nil, GroupX25519)
			if tc.first == GroupX25519 {
				other, otherPriv, err = GenerateKeyShare(nil, GroupSecp256r1)
			}
			if err != nil {
				t.Fatal(err)
			}
			ch.KeyShares = []KeyShare{other, share}
			c := dial(t, addr)
			f, err := Exchange(c, ch, []*KeySharePrivate{otherPriv, priv}, StopAfterFinished)
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			hrr := f.HelloRetryRequest
			if hrr == nil || hrr.SelectedGroup != tc.hybrid {
				t.Fatalf("want HRR selecting %04x, got %+v", tc.hybrid, f.ServerHello)
			}
			share2, priv2, err := GenerateKeyShareReusing(nil, hrr.SelectedGroup, []*KeySharePrivate{otherPriv, priv})
			if err != nil {
				t.Fatal(err)
			}
			if len(share2.Data) != KeyShareSize(tc.hybrid) || !bytes.Equal(share2.Data[tc.ecdhAt:tc.ecdhAt+len(share.Data)], share.Data) {
				t.Fatalf("hybrid share does not carry the first hello's ECDH key")
			}
			f2, err := ContinueAfterRetry(c, f, ch.ForRetry(hrr, share2), []*KeySharePrivate{priv2}, StopAfterFinished)
			if err != nil {
				t.Fatalf("ContinueAfterRetry: %v (messages %v)", err, f2.Messages)
			}
			if f2.Alert != nil || f2.ServerHello.KeyShare.Group != tc.hybrid || !f2.Finished {
				t.Fatalf("second flight: alert %v, group %04x, finished %v", f2.Alert, f2.ServerHello.KeyShare.Group, f2.Finished)
			}
		})
	}
	// Without a key on the hybrid's curve a new one is made.
	_, p256, err := GenerateKeyShare(nil, GroupSecp256r1)
	if err != nil {
		t.Fatal(err)
	}
	s, priv, err := GenerateKeyShareReusing(nil, GroupX25519MLKEM768, []*KeySharePrivate{p256, nil})
	if err != nil || len(s.Data) != KeyShareSize(GroupX25519MLKEM768) || !priv.HasSecret() {
		t.Fatalf("fresh hybrid share: %v, %d bytes", err, len(s.Data))
	}
}
