package ocspverify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

type ca struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func mk(t testing.TB, cn string, parent *ca, isCA bool, eku []x509.ExtKeyUsage) *ca {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		BasicConstraintsValid: true, IsCA: isCA, ExtKeyUsage: eku}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	}
	p, pk := tmpl, crypto.Signer(key)
	if parent != nil {
		p, pk = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p, key.Public(), pk)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &ca{c, key}
}

// respond signs a good response for serial with signer, embedding embed.
func respond(t testing.TB, issuer, signer *ca, embed *x509.Certificate) []byte {
	t.Helper()
	der, err := ocsp.CreateResponse(issuer.cert, signer.cert, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(5),
		ThisUpdate: time.Now(), NextUpdate: time.Now().Add(time.Hour), Certificate: embed}, signer.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestParseAcceptsEveryShapeRFC6960Allows(t *testing.T) {
	issuer := mk(t, "issuer", nil, true, nil)
	other := mk(t, "other", nil, true, nil)
	delegated := mk(t, "responder", issuer, false, []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning})
	noEKU := mk(t, "responder without EKU", issuer, false, nil)
	foreign := mk(t, "foreign responder", other, false, []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning})
	cases := []struct {
		name   string
		der    []byte
		signer Signer
		bad    bool
	}{
		{"issuer, its certificate embedded", respond(t, issuer, issuer, issuer.cert), SignerIssuer, false},
		{"issuer, nothing embedded", respond(t, issuer, issuer, nil), SignerIssuer, false},
		{"delegated with OCSPSigning", respond(t, issuer, delegated, delegated.cert), SignerDelegated, false},
		{"delegated without OCSPSigning", respond(t, issuer, noEKU, noEKU.cert), "", true},
		{"responder of another CA", respond(t, issuer, foreign, foreign.cert), "", true},
		{"another key, nothing embedded", respond(t, issuer, other, nil), "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, signer, err := Parse(c.der, nil, issuer.cert)
			var se *SignatureError
			if c.bad {
				if !errors.As(err, &se) || resp == nil {
					t.Fatalf("want a SignatureError with the response, got %v, %v", resp, err)
				}
				return
			}
			if err != nil || signer != c.signer || resp.Status != ocsp.Good {
				t.Fatalf("got %q, %v", signer, err)
			}
		})
	}
	if _, _, err := Parse([]byte{0x30, 0x03, 0x0a, 0x01, 0x00}, nil, issuer.cert); err == nil {
		t.Error("a truncated response parsed")
	}
}

func FuzzParse(f *testing.F) {
	issuer := mk(f, "issuer", nil, true, nil)
	f.Add(respond(f, issuer, issuer, issuer.cert))
	f.Add(respond(f, issuer, issuer, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, _, err := Parse(b, nil, issuer.cert)
		var se *SignatureError
		if err != nil && resp != nil && !errors.As(err, &se) {
			t.Fatalf("a response with a non-signature error: %v", err)
		}
	})
}
