package certcache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
)

// TestParseCachedSameResult: a hit returns the very parse (or error) of
// the miss, and the cache stays under its cap.
func TestParseCachedSameResult(t *testing.T) {
	Reset()
	for i := range 3 * Cap {
		der := []byte{0x30, 0x02, byte(i), byte(i >> 8)}
		sum := sha256.Sum256(der)
		a := Parse(der, hex.EncodeToString(sum[:]))
		b := Parse(der, hex.EncodeToString(sum[:]))
		if a.Err == nil || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%x: miss %+v, hit %+v", der, a, b)
		}
	}
	if n := Len(); n == 0 || n > Cap {
		t.Errorf("cache holds %d parses, cap %d", n, Cap)
	}
}
