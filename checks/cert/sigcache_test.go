package cert

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/certcache"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// TestCachesKeepAnalysis: the parse and signature caches change no
// analysis — with them off, on (cold) and on (warm, every entry a hit),
// concurrently too, over chains that exercise every signature check:
// self-signed, cross-signed, bad signature, incomplete, out of order.
func TestCachesKeepAnalysis(t *testing.T) {
	p := getPKI(t)
	badSig := &tcert{der: slices.Clone(p.good.der)}
	badSig.der[len(badSig.der)-1] ^= 0x01 // in the signature's last byte
	env := envWith(p.rootA)
	cases := map[string]*obs.Observation{
		"good":        observe(host, p.good, p.inter),
		"self-signed": observe(host, p.selfSigned),
		"root sent":   observe(host, p.good, p.inter, p.rootA),
		"cross":       observe(host, p.good, p.crossB, p.inter),
		"via B":       observe(host, p.viaB, p.interB, p.crossB),
		"incomplete":  observe(host, p.good),
		"bad sig":     observe(host, badSig, p.inter),
		"sha1":        observe(host, p.sha1Leaf, p.interRSA),
		"garbage":     {Target: obs.Target{Host: host}, Chains: []obs.Chain{{Certificates: []obs.Certificate{{DER: []byte{0x30, 0x03, 1, 2, 3}}}}}},
	}
	clearCaches := func() {
		env.Certs = certcache.New(cacheCap, nil)
		sigMu.Lock()
		clear(sigCache)
		sigMu.Unlock()
	}
	defer func() { cacheParses = true }()
	for name, o := range cases {
		clearCaches()
		cacheParses = false
		want := Analyze(o, env)
		cacheParses = true
		if got := Analyze(o, env); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cold caches: analysis differs\n got %+v\nwant %+v", name, got, want)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if got := Analyze(o, env); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: warm caches: analysis differs\n got %+v\nwant %+v", name, got, want)
				}
			})
		}
		wg.Wait()
	}
	if bad := Analyze(cases["bad sig"], env); len(bad.Chains) == 0 || len(bad.Chains[0].Trust) == 0 || bad.Chains[0].Trust[0].Trusted {
		t.Errorf("a leaf whose signature does not verify is trusted: %+v", bad.Chains)
	}
}

// TestCachesBounded: the caches start over when full, so a long batch of
// distinct certificates keeps memory flat.
func TestCachesBounded(t *testing.T) {
	p := getPKI(t)
	pc := certcache.New(cacheCap, nil)
	leaf, inter := newPCert(p.good.der, "served", 0, nil), newPCert(p.inter.der, "served", 1, nil)
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
	sigMu.Lock()
	m := len(sigCache)
	sigMu.Unlock()
	if n == 0 || n > cacheCap || m == 0 || m > 4*cacheCap {
		t.Errorf("caches hold %d parses and %d signatures, caps %d and %d", n, m, cacheCap, 4*cacheCap)
	}
}

// TestStoreRecognisedBySlices: the same root slices give the parsed store
// without hashing; equal bytes in other slices give the same store by hash;
// other roots give another store.
func TestStoreRecognisedBySlices(t *testing.T) {
	p := getPKI(t)
	ts := envWith(p.rootA, p.rootB).Stores[0]
	s := parsedStore(ts)
	if parsedStore(ts) != s {
		t.Error("the same slices were parsed again")
	}
	copied := checks.TrustStore{Name: ts.Name, Roots: [][]byte{slices.Clone(ts.Roots[0]), slices.Clone(ts.Roots[1])}}
	if parsedStore(copied) != s {
		t.Error("equal roots in other slices were parsed again")
	}
	other := checks.TrustStore{Name: ts.Name, Roots: [][]byte{ts.Roots[0], p.inter.der}}
	if o := parsedStore(other); o == s || len(o.anchors) != 2 || o.anchors[1].sha256 != newPCert(p.inter.der, "store", -1, nil).sha256 {
		t.Errorf("other roots gave the same or a wrong store: %d anchors", len(o.anchors))
	}
}
