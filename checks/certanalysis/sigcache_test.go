package certanalysis

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/certcache"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// TestCachesKeepAnalysis: the parse and signature caches change no
// analysis — with them off, on (cold) and on (warm, every entry a hit),
// concurrently too, over chains that exercise every signature check:
// self-signed, cross-signed, bad signature, incomplete, out of order.
func TestCachesKeepAnalysis(t *testing.T) {
	p := getPKI(t)
	badSig := &tcert{DER: slices.Clone(p.Good.DER)}
	badSig.DER[len(badSig.DER)-1] ^= 0x01 // in the signature's last byte
	env := inputWith(p.RootA)
	cases := map[string]*obs.Observation{
		"good":        observe(host, p.Good, p.Inter),
		"self-signed": observe(host, p.SelfSigned),
		"root sent":   observe(host, p.Good, p.Inter, p.RootA),
		"cross":       observe(host, p.Good, p.CrossB, p.Inter),
		"via B":       observe(host, p.ViaB, p.InterB, p.CrossB),
		"incomplete":  observe(host, p.Good),
		"bad sig":     observe(host, badSig, p.Inter),
		"sha1":        observe(host, p.SHA1Leaf, p.InterRSA),
		"garbage":     {Target: obs.Target{Host: host}, Chains: []obs.Chain{{Certificates: []obs.Certificate{{DER: []byte{0x30, 0x03, 1, 2, 3}}}}}},
	}
	for name, o := range cases {
		env.Certs = nil
		var uncached *Analyzer
		want := uncached.Analyze(o, env)
		env.Certs = certcache.New(cacheCap, nil)
		z := NewAnalyzer()
		if got := z.Analyze(o, env); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cold caches: analysis differs\n got %+v\nwant %+v", name, got, want)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if got := z.Analyze(o, env); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: warm caches: analysis differs\n got %+v\nwant %+v", name, got, want)
				}
			})
		}
		wg.Wait()
	}
	if bad := NewAnalyzer().Analyze(cases["bad sig"], env); len(bad.Chains) == 0 || len(bad.Chains[0].Trust) == 0 || bad.Chains[0].Trust[0].Trusted {
		t.Errorf("a leaf whose signature does not verify is trusted: %+v", bad.Chains)
	}
}

// TestCachesBounded: the caches start over when full, so a long batch of
// distinct certificates keeps memory flat.
func TestCachesBounded(t *testing.T) {
	p := getPKI(t)
	pc := certcache.New(cacheCap, nil)
	z := NewAnalyzer()
	leaf, inter := newPCert(p.Good.DER, "served", 0, nil, z), newPCert(p.Inter.DER, "served", 1, nil, z)
	for i := range 5 * cacheCap {
		der := []byte{0x30, 0x02, byte(i), byte(i >> 8)}
		parseCached(pc, der, fmt.Sprintf("%x", der))
		c := *leaf
		c.sha256 = fmt.Sprint(i)
		if !signedBy(&c, inter) {
			t.Fatal("the leaf's signature does not verify under its intermediate")
		}
	}
	n := pc.Len()
	z.sigMu.Lock()
	m := len(z.sigs)
	z.sigMu.Unlock()
	if n == 0 || n > cacheCap || m == 0 || m > 4*cacheCap {
		t.Errorf("caches hold %d parses and %d signatures, caps %d and %d", n, m, cacheCap, 4*cacheCap)
	}
}

// TestStoreRecognisedBySlices: the same root slices give the parsed store
// without hashing; equal bytes in other slices give the same store by hash;
// other roots give another store.
func TestStoreRecognisedBySlices(t *testing.T) {
	p := getPKI(t)
	ts := inputWith(p.RootA, p.RootB).Stores[0]
	z := NewAnalyzer()
	s := z.parsedStore(ts)
	if z.parsedStore(ts) != s {
		t.Error("the same slices were parsed again")
	}
	copied := truststore.Store{Name: ts.Name, Roots: [][]byte{slices.Clone(ts.Roots[0]), slices.Clone(ts.Roots[1])}}
	if z.parsedStore(copied) != s {
		t.Error("equal roots in other slices were parsed again")
	}
	other := truststore.Store{Name: ts.Name, Roots: [][]byte{ts.Roots[0], p.Inter.DER}}
	if o := z.parsedStore(other); o == s || len(o.anchors) != 2 || o.anchors[1].sha256 != newPCert(p.Inter.DER, "store", -1, nil, nil).sha256 {
		t.Errorf("other roots gave the same or a wrong store: %d anchors", len(o.anchors))
	}
}
