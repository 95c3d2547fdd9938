package inspect

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
)

func selfSigned(t testing.TB, cn string) ([]byte, *ecdsa.PrivateKey) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), DNSNames: []string{"a.test"}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return der, k
}

func TestInspectMatchesAPastedKeyToItsCertificate(t *testing.T) {
	der, k := selfSigned(t, "a.test")
	kd, _ := x509.MarshalPKCS8PrivateKey(k)
	text := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})...)
	var in Input
	if err := in.Add("pasted", text); err != nil {
		t.Fatal(err)
	}
	res := Inspect(in, []string{"pasted"}, checks.Env{Now: time.Now(), ExpiryWarn: 30 * 24 * time.Hour})
	if res.Analysis == nil || len(res.Analysis.Chains) != 1 {
		t.Fatalf("no chain analysed: %+v", res)
	}
	if len(res.Keys) != 1 || len(res.Keys[0].Matches) != 1 || res.Keys[0].Type != "ECDSA P-256" {
		t.Errorf("keys %+v", res.Keys)
	}
}

func TestInputAddRefusesTextWithoutACertificate(t *testing.T) {
	var in Input
	if err := in.Add("pasted", []byte("hello")); err == nil {
		t.Error("accepted")
	}
}

func FuzzInputAdd(f *testing.F) {
	der, _ := selfSigned(f, "a.test")
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	f.Add(der)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var in Input
		if in.Add("fuzz", data) != nil {
			return
		}
		Inspect(in, nil, checks.Env{Now: time.Unix(1700000000, 0)})
	})
}
