package tlstest

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// The zcrypto server completes a TLS 1.3 handshake over MLKEM1024 alone
// (wire's ML-KEM-1024 share), serves its ECDSA chain, and refuses a hello
// without that group.
func TestZCryptoTLS13Server(t *testing.T) {
	srv := NewZCryptoTLS13ServerT(t, wire.GroupMLKEM1024)
	hello := func(group uint16) (*wire.Flight, error) {
		c, err := net.DialTimeout("tcp", srv.Addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		share, priv, err := wire.GenerateKeyShare(nil, group)
		if err != nil {
			t.Fatal(err)
		}
		ch := &wire.ClientHello{Version: registry.VersionTLS12, SessionID: make([]byte, 32), ServerName: srv.Name,
			CipherSuites: []uint16{wire.TLS_AES_128_GCM_SHA256}, SupportedGroups: []uint16{group},
			SignatureAlgorithms: []uint16{0x0403, 0x0804}, SupportedVersions: []uint16{registry.VersionTLS13},
			KeyShares: []wire.KeyShare{share}}
		return wire.Exchange(c, ch, []*wire.KeySharePrivate{priv}, wire.StopAfterFinished)
	}
	f, err := hello(wire.GroupMLKEM1024)
	if err != nil || f.Alert != nil {
		t.Fatalf("MLKEM1024 handshake: %v, alert %v", err, f.Alert)
	}
	if !f.Finished || f.ServerHello.KeyShare == nil || f.ServerHello.KeyShare.Group != wire.GroupMLKEM1024 {
		t.Fatalf("finished %v, server share %+v", f.Finished, f.ServerHello.KeyShare)
	}
	if len(f.Certificate.Certificates) != len(srv.Chain) || !bytes.Equal(f.Certificate.Certificates[0], srv.CertDER) || f.CertificateVerify.SigAlg != 0x0403 {
		t.Errorf("chain of %d, sigalg %04x; want the %d served, ecdsa_secp256r1_sha256", len(f.Certificate.Certificates), f.CertificateVerify.SigAlg, len(srv.Chain))
	}
	if f, err := hello(wire.GroupX25519); err == nil && f.Alert == nil {
		t.Errorf("an x25519-only hello was accepted (messages %v)", f.Messages)
	}
}
