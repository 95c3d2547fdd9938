package certcache

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	stdx509 "crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"testing"

	"github.com/zmap/zcrypto/x509"
)

// TestParseCachedSameResult: a hit returns the very parse (or error) of
// the miss, and the cache stays under its cap.
func TestParseCachedSameResult(t *testing.T) {
	c := New(Cap, nil)
	for i := range 3 * Cap {
		der := []byte{0x30, 0x02, byte(i), byte(i >> 8)}
		sum := sha256.Sum256(der)
		a := c.Parse(der, hex.EncodeToString(sum[:]))
		b := c.Parse(der, hex.EncodeToString(sum[:]))
		if a.Err == nil || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%x: miss %+v, hit %+v", der, a, b)
		}
	}
	if n := c.Len(); n == 0 || n > Cap {
		t.Errorf("cache holds %d parses, cap %d", n, Cap)
	}
}

// TestOnParse: the hook sees each certificate parsed, once (a hit does not
// call it); a cache without a hook, or no cache, calls nothing.
func TestOnParse(t *testing.T) {
	der := testCert(t)
	sum := sha256.Sum256(der)
	var seen []*x509.Certificate
	c := New(Cap, func(c *x509.Certificate) { seen = append(seen, c) })
	r := c.Parse(der, hex.EncodeToString(sum[:]))
	c.Parse(der, hex.EncodeToString(sum[:]))
	New(Cap, nil).Parse(der, hex.EncodeToString(sum[:]))
	var none *Cache
	none.Parse(der, hex.EncodeToString(sum[:]))
	if r.Cert == nil || len(seen) != 1 || seen[0] != r.Cert {
		t.Errorf("hook saw %d certificates, want the one parse", len(seen))
	}
}

func testCert(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &stdx509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "t"}}
	der, err := stdx509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
