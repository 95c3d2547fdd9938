package certanalysis

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// A served chain of 600 CA certificates of one name (and one key
// identifier), each issued by the next, costs a bounded number of signature
// checks, in every store, not one per pair of certificates.
func TestSameNameChainCostsBoundedSignatureChecks(t *testing.T) {
	ders, err := tlstest.SameNameChain()
	if err != nil {
		t.Fatal(err)
	}
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	ch := obs.Chain{Protocol: "TLSv1.3", KeyType: "ECDSA"}
	for _, d := range ders {
		sum := sha256.Sum256(d)
		ch.Certificates = append(ch.Certificates, obs.Certificate{DER: d, SHA256: hex.EncodeToString(sum[:])})
	}
	o := &obs.Observation{Status: obs.StatusOK, Mode: obs.ModeQuick, Target: obs.Target{Host: tlstest.DefaultName, SNI: tlstest.DefaultName},
		Chains: []obs.Chain{ch}}
	// Two stores: the bound holds per store.
	env := Input{Now: time.Now(), Stores: []truststore.Store{
		{Name: "custom", Roots: [][]byte{pki.Root.Raw}},
		{Name: "self", Roots: [][]byte{ders[len(ders)-1]}},
	}}
	z := NewAnalyzer()
	a := z.Analyze(o, env)
	n := z.SignatureChecks()
	t.Logf("%d certificates: %d signature checks", len(ders), n)
	// Per store one path search, plus the walk of the chain as sent.
	if bound := int64(len(env.Stores)*maxSignatureChecks + maxServedWalk*maxIssuerCandidates + len(ders)); n > bound {
		t.Errorf("%d signature checks for a %d-certificate chain, bound %d", n, len(ders), bound)
	}
	if len(a.Chains) != 1 || len(a.Chains[0].Trust) != 2 {
		t.Fatalf("analysis = %+v", a)
	}
	for _, tr := range a.Chains[0].Trust {
		if tr.Trusted {
			t.Errorf("store %s trusts the same-name chain", tr.Store)
		}
	}
	if r := a.Chains[0].Trust[1].Reason; !strings.Contains(r, "bounds") {
		t.Errorf("the self store's reason %q does not say the bounds stopped the search", r)
	}
	if len(a.Chains[0].Certificates) != len(ders) {
		t.Errorf("%d certificates summarised, want all %d", len(a.Chains[0].Certificates), len(ders))
	}
}
