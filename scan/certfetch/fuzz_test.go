package certfetch

import (
	"bytes"
	"encoding/pem"
	"testing"
)

// FuzzCertFromBytes: an AIA server's answer (DER, PEM or PKCS#7 of anything)
// gives a certificate or an error, never a panic.
func FuzzCertFromBytes(f *testing.F) {
	fx := newFixture(f)
	f.Add(fx.inter.der)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: fx.inter.der}))
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02})
	f.Add([]byte("-----BEGIN PKCS7-----\n-----END PKCS7-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		der, err := certFromBytes(data)
		if err == nil && len(der) == 0 {
			t.Fatal("no error and no certificate")
		}
		if b, _ := pem.Decode(data); b == nil && err == nil && !bytes.Contains(data, der) {
			t.Fatalf("certificate not taken from the input")
		}
	})
}
