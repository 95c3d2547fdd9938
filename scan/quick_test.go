package scan

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

func quickScan(t *testing.T, srv *tlstest.Server, startTLS string) *obs.Observation {
	t.Helper()
	s := New(Options{Quick: true, ConnTimeout: 5 * time.Second, Timeout: 20 * time.Second})
	o := s.Scan(context.Background(), Target{Host: srv.Host, Port: srv.Port, SNI: srv.Name, StartTLS: startTLS})
	if o.Status != obs.StatusOK {
		t.Fatalf("status %s: %s", o.Status, o.Error)
	}
	if o.Mode != obs.ModeQuick {
		t.Errorf("mode %q, want quick", o.Mode)
	}
	if o.Connections != 1 || srv.ConnCount() > 1 {
		t.Errorf("quick scan used %d connections (server saw %d), want 1", o.Connections, srv.ConnCount())
	}
	if len(o.Protocols) != 1 || len(o.Protocols[0].Suites) != 1 {
		t.Fatalf("want exactly one protocol with one suite, got %+v", o.Protocols)
	}
	if o.Probes != nil || o.HTTP != nil || o.Groups != nil || o.SignatureAlgorithms != nil {
		t.Errorf("quick scan recorded enumeration or probe data")
	}
	if len(o.Errors) > 0 {
		t.Errorf("errors: %+v", o.Errors)
	}
	return o
}

func TestQuickTLS13(t *testing.T) {
	t.Parallel()
	srv, err := tlstest.ModernGoServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	o := quickScan(t, srv, "")
	p := o.Protocols[0]
	if p.Name != "TLSv1.3" || !p.Supported {
		t.Errorf("protocol %+v, want TLSv1.3", p)
	}
	// The server's first group, X25519MLKEM768, has a share in the quick
	// hello (TestQuickHelloRetry covers servers that ask for another).
	if kx := p.Suites[0].KeyExchange; kx == nil || kx.Group != "X25519MLKEM768" {
		t.Errorf("key exchange %+v, want X25519MLKEM768", kx)
	}
	if o.Handshake == nil || o.Handshake.Protocol != "TLSv1.3" || o.Handshake.Group != "X25519MLKEM768" {
		t.Errorf("handshake %+v", o.Handshake)
	}
	if len(o.Chains) != 1 || !sameChain(o.Chains[0], srv.Chains) {
		t.Errorf("chain not captured as served: %+v", o.Chains)
	}
}

func TestQuickTLS12(t *testing.T) {
	t.Parallel()
	srv, err := tlstest.NewGoServer(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	o := quickScan(t, srv, "")
	p := o.Protocols[0]
	if p.Name != "TLSv1.2" || p.Suites[0].ID != tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 {
		t.Errorf("protocol %+v, want TLSv1.2 with ECDHE-RSA-AES256-GCM-SHA384", p)
	}
	if o.Handshake == nil || o.Handshake.Protocol != "TLSv1.2" || o.Handshake.ExtendedMasterSecret == nil || !*o.Handshake.ExtendedMasterSecret {
		t.Errorf("handshake %+v", o.Handshake)
	}
	if len(o.Chains) != 1 || !sameChain(o.Chains[0], srv.Chains) {
		t.Errorf("chain not captured as served")
	}
}

// TestQuickHelloRetry: a server whose only group (P-384) has no key share
// in the quick hello answers with a HelloRetryRequest, completed on the
// same connection.
func TestQuickHelloRetry(t *testing.T) {
	t.Parallel()
	srv, err := tlstest.NewGoServer(&tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP384}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	o := quickScan(t, srv, "")
	if o.Handshake == nil || o.Handshake.Group != "secp384r1" || o.Protocols[0].Name != "TLSv1.3" {
		t.Errorf("handshake %+v, protocols %+v", o.Handshake, o.Protocols)
	}
}

func TestQuickStartTLS(t *testing.T) {
	t.Parallel()
	srv := tlstest.NewStartTLSServerT(t, "smtp", nil)
	o := quickScan(t, srv, "smtp")
	if o.Protocols[0].Name != "TLSv1.3" || len(o.Chains) != 1 {
		t.Errorf("protocols %+v, %d chains", o.Protocols, len(o.Chains))
	}
}

// sameChain reports whether c is one of the served chains.
func sameChain(c obs.Chain, served [][][]byte) bool {
	for _, s := range served {
		if len(s) != len(c.Certificates) {
			continue
		}
		ok := true
		for i := range s {
			ok = ok && string(s[i]) == string(c.Certificates[i].DER)
		}
		if ok {
			return true
		}
	}
	return false
}
