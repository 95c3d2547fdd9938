package scan

import (
	"context"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
	"github.com/tlsaudit/tlsaudit/scan/wire"
)

// ServerHello security extensions of a TLS <= 1.2 handshake: secure
// renegotiation (RFC 5746: renegotiation_info echoed, empty on an initial
// handshake), extended master secret (RFC 7627) and, in a second hello
// offering only CBC suites (RFC 7366 3: a server must not echo it for AEAD
// or stream suites), encrypt-then-MAC. One or two connections.

func init() {
	registerProbe("server_hello_extensions", probeServerHelloExtensions, inHandshakeProbes(func(p *obs.HandshakeProbes, r *obs.ServerHelloExtensionsResult) { p.ServerHelloExtensions = r }))
}

func probeServerHelloExtensions(ctx context.Context, e *probeEnv) (res *obs.ServerHelloExtensionsResult) {
	res = &obs.ServerHelloExtensionsResult{}
	v, suites, sh := e.plainLegacyHello(ctx, &res.Attempt, "no protocol below TLS 1.3 is accepted (TLS 1.3 has neither renegotiation nor these extensions)")
	if sh == nil {
		return
	}
	res.Version = registry.Version(v).String()
	res.ViaSCSV = v == registry.VersionSSL3 // helloTLS signals SSLv3 by SCSV
	res.Suite = registry.SuiteName(sh.CipherSuite)
	res.SecureRenegotiation = sh.SecureRenegotiation
	res.RenegotiationInfoLength = len(sh.RenegotiationInfo)
	res.ExtendedMasterSecret = sh.ExtendedMasterSecret
	var cbc []uint16
	for _, id := range suites {
		if s, ok := registry.SuiteByID(id); ok && isCBCSuite(s) {
			cbc = append(cbc, id)
		}
	}
	if len(cbc) == 0 || v == registry.VersionSSL3 {
		return
	}
	ch := e.ep.helloTLS(v, cbc)
	ch.EncryptThenMAC = true
	f, err := e.ep.exchange(ctx, ch, nil, wire.StopAfterServerHello)
	res.Connections++
	if err != nil || f == nil || f.ServerHello == nil {
		res.ETMError = noAnswer(f, err)
		return
	}
	etm := f.ServerHello.EncryptThenMAC
	res.EncryptThenMAC = &etm
	res.ETMSuite = registry.SuiteName(f.ServerHello.CipherSuite)
	return
}

// isCBCSuite reports whether s is a block cipher in CBC mode (not AEAD).
func isCBCSuite(s registry.Suite) bool {
	return !s.AEAD && strings.Contains(s.Cipher, "CBC")
}
