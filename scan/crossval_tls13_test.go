package scan

import (
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// Found by bench/crossval: a TLS 1.3-only server preferring
// TLS_AES_128_CCM_SHA256 chose it in the full handshakes that read the
// certificate and the signature algorithms, which tlsaudit cannot decrypt:
// no chain at all, though the server also accepts AES-256-GCM (sslscan
// showed the certificate). Those handshakes now offer only the suites
// tlsaudit can decrypt.
func TestCrossvalTLS13PreferredCCM(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.3", MaxProtocol: "TLSv1.3",
		Ciphersuites: "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256:TLS_AES_256_GCM_SHA384", ServerPref: true})
	o := scanServer(t, srv)
	if p := proto(o, "TLSv1.3"); len(p.Suites) != 3 || p.Suites[0].ID != 0x1304 {
		t.Errorf("TLS 1.3 suites %v, want CCM, CCM_8 and AES-256-GCM, CCM first", names(suiteIDs(p)))
	}
	if len(o.Chains) != 1 {
		t.Fatalf("%d chains, want the server's one", len(o.Chains))
	}
	if o.SignatureAlgorithms == nil || len(o.SignatureAlgorithms.TLS13) == 0 {
		t.Errorf("no TLS 1.3 signature algorithms: %+v", o.SignatureAlgorithms)
	}
}

// A TLS 1.3 server with only CCM suites cannot be handshaken to the end:
// the error says so instead of naming a wire limitation.
func TestCrossvalTLS13OnlyCCM(t *testing.T) {
	srv := tlstest.StartOpenSSLT(t, tlstest.OpenSSLOptions{MinProtocol: "TLSv1.3", MaxProtocol: "TLSv1.3",
		Ciphersuites: "TLS_AES_128_CCM_SHA256"})
	o := scanServer(t, srv, "signature_algorithms_tls13")
	found := false
	for _, e := range o.Errors {
		if e.Probe == "signature_algorithms_tls13" && strings.Contains(e.Error, "AES-GCM") {
			found = true
		}
	}
	if !found {
		t.Errorf("errors %+v: want one saying no decryptable TLS 1.3 suite is accepted", o.Errors)
	}
}
