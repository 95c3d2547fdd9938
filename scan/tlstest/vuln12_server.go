package tlstest

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// Vuln12Options select the vulnerable behaviours of StartVuln12, a scripted
// TLS 1.0–1.2 server built on wire.ServeConn12 (RSA key exchange, AES-CBC
// and AES-GCM, the FakeCertName certificate). The zero value is a correct
// server that refuses client-initiated renegotiation.
type Vuln12Options struct {
	// ROBOT makes the RSA decryption a Bleichenbacher oracle: "strong"
	// answers a plaintext not starting 00 02 with decrypt_error at once;
	// "weak" answers any PKCS#1 v1.5 padding error with handshake_failure
	// at once. Good padding goes on to bad_record_mac (the Finished of a
	// ROBOT probe cannot verify).
	ROBOT string
	// PoodleTLS checks only the padding length byte of CBC records, not the
	// padding bytes (CVE-2014-8730 style).
	PoodleTLS bool
	// CBCOracle makes the answer to a bad CBC record after the handshake
	// depend on what is wrong with it (see vuln12_oracles.go): "zombie",
	// "goldendoodle", "sleeping" or "zero_length".
	CBCOracle string
	// LuckyMinus20 answers a CBC record made of padding only (no room for
	// the MAC) with record_overflow, as unpatched OpenSSL did
	// (CVE-2016-2107).
	LuckyMinus20 bool
	// ClientRenegotiation completes client-initiated renegotiations.
	ClientRenegotiation bool
	// Versions: min and max protocol (default TLS 1.0 to 1.2).
	MinVersion, MaxVersion uint16
	// Suites in preference order (default: AES-GCM then AES-CBC, RSA key
	// exchange).
	Suites []uint16
}

// StartVuln12 starts the scripted server on 127.0.0.1.
func StartVuln12(opts Vuln12Options) (*Server, error) {
	der, signer, err := fakeCert()
	if err != nil {
		return nil, err
	}
	key, ok := signer.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("tlstest: fake certificate key is %T", signer)
	}
	cfg := &wire.Server12Config{
		Certificates:       [][]byte{der},
		Key:                key,
		Suites:             opts.Suites,
		MinVersion:         opts.MinVersion,
		MaxVersion:         opts.MaxVersion,
		LaxPadding:         opts.PoodleTLS,
		AllowRenegotiation: opts.ClientRenegotiation,
	}
	if cfg.Suites == nil {
		cfg.Suites = []uint16{0x009c, 0x009d, 0x002f, 0x0035, 0x003c, 0x003d}
	}
	if cfg.BadRecord, err = badRecordHook(opts.CBCOracle, opts.LuckyMinus20); err != nil {
		return nil, err
	}
	switch opts.ROBOT {
	case "":
	case "strong", "weak":
		cfg.DecryptPremaster = robotOracle(key, opts.ROBOT == "strong")
	default:
		return nil, fmt.Errorf("tlstest: unknown ROBOT mode %q", opts.ROBOT)
	}
	loop, err := startLoop(func(c net.Conn, done <-chan struct{}) {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		wire.ServeConn12(c, cfg)
	})
	if err != nil {
		return nil, err
	}
	s := loop.server()
	s.Name, s.CertDER, s.Chain = FakeCertName, der, [][]byte{der}
	s.Chains = [][][]byte{s.Chain}
	return s, nil
}

// StartVuln12T is StartVuln12 for tests.
func StartVuln12T(t testing.TB, opts Vuln12Options) *Server {
	t.Helper()
	srv, err := StartVuln12(opts)
	return cleanupT(t, "StartVuln12", srv, err)
}

// robotOracle decrypts with raw RSA and leaks padding validity through the
// alert it sends (see Vuln12Options.ROBOT).
func robotOracle(key *rsa.PrivateKey, strong bool) func([]byte, uint16) ([]byte, uint8) {
	return func(enc []byte, _ uint16) ([]byte, uint8) {
		k := key.Size()
		c := new(big.Int).SetBytes(enc)
		if len(enc) != k || c.Cmp(key.N) >= 0 {
			return nil, wire.AlertDecodeError
		}
		m := new(big.Int).Exp(c, key.D, key.N).FillBytes(make([]byte, k))
		random := make([]byte, 48)
		rand.Read(random)
		if m[0] != 0 || m[1] != 2 {
			if strong {
				return nil, wire.AlertDecryptError
			}
			return nil, wire.AlertHandshakeFailure
		}
		sep := -1
		for i := 2; i < k; i++ {
			if m[i] == 0 {
				sep = i
				break
			}
		}
		if sep < 10 || k-sep-1 != 48 {
			if strong {
				return random, 0 // padding errors past 00 02 are hidden
			}
			return nil, wire.AlertHandshakeFailure
		}
		return m[sep+1:], 0
	}
}
