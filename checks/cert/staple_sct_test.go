package cert

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"math/big"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/weakkey"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func makeSCT(ts time.Time) []byte {
	b := []byte{0}
	b = append(b, make([]byte, 32)...)
	b[1] = 0xAB
	b = binary.BigEndian.AppendUint64(b, uint64(ts.UnixMilli()))
	b = append(b, 0, 0)       // no extensions
	b = append(b, 4, 3, 0, 2) // sha256, ecdsa, 2-byte signature
	return append(b, 0x30, 0x00)
}

func sctList(scts ...[]byte) []byte {
	var body []byte
	for _, s := range scts {
		body = binary.BigEndian.AppendUint16(body, uint16(len(s)))
		body = append(body, s...)
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(body))), body...)
}

func staple(t *testing.T, p *testPKI, leaf *tcert, signer *tcert, status int, next time.Time, exts []pkix.Extension) []byte {
	t.Helper()
	der, err := ocsp.CreateResponse(p.inter.cert, signer.cert, ocsp.Response{
		Status: status, SerialNumber: leaf.cert.SerialNumber, ThisUpdate: testNow.Add(-time.Hour),
		NextUpdate: next, RevokedAt: testNow.Add(-48 * time.Hour), ExtraExtensions: exts,
	}, signer.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestOCSPStaple(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.rootA)
	fresh := testNow.Add(24 * time.Hour)
	withStaple := func(leaf *tcert, raw []byte) *obs.Observation {
		o := observe(host, leaf, p.inter)
		o.Chains[0].OCSPStaple = raw
		return o
	}
	good := withStaple(p.mustStaple, staple(t, p, p.mustStaple, p.inter, ocsp.Good, fresh, nil))
	a := Analyze(good, env)
	s := a.Chains[0].Staple
	if s == nil || s.Status != "good" || s.SignatureValid == nil || !*s.SignatureValid || !s.SerialMatch || s.Expired {
		t.Fatalf("good staple: %+v", s)
	}
	for _, id := range []string{"cert.must_staple_no_staple", "cert.ocsp_staple_invalid", "cert.ocsp_staple_expired", "cert.revoked", "cert.ocsp_staple_missing", "cert.ocsp_staple_unknown"} {
		if st := status(t, id, good, env); st != checks.StatusPass {
			t.Errorf("%s on a good staple: %s %+v", id, st, run(t, id, good, env))
		}
	}
	revoked := withStaple(p.good, staple(t, p, p.good, p.inter, ocsp.Revoked, fresh, nil))
	if st := status(t, "cert.revoked", revoked, env); st != checks.StatusFail {
		t.Errorf("revoked staple: %s", st)
	}
	unknown := withStaple(p.good, staple(t, p, p.good, p.inter, ocsp.Unknown, fresh, nil))
	if st := status(t, "cert.ocsp_staple_unknown", unknown, env); st != checks.StatusFail {
		t.Errorf("unknown staple: %s", st)
	}
	stale := withStaple(p.good, staple(t, p, p.good, p.inter, ocsp.Good, testNow.Add(-time.Minute), nil))
	if st := status(t, "cert.ocsp_staple_expired", stale, env); st != checks.StatusFail {
		t.Errorf("stale staple: %s", st)
	}
	// Signed by a key that is not the issuer's (the root's, not delegated).
	forged := withStaple(p.good, staple(t, p, p.good, p.rootB, ocsp.Good, fresh, nil))
	if st := status(t, "cert.ocsp_staple_invalid", forged, env); st != checks.StatusFail {
		t.Errorf("forged staple: %s %+v", st, Analyze(forged, env).Chains[0].Staple)
	}
	other := withStaple(p.good, staple(t, p, p.wrongHost, p.inter, ocsp.Good, fresh, nil))
	if st := status(t, "cert.ocsp_staple_invalid", other, env); st != checks.StatusFail {
		t.Errorf("staple for another serial: %s", st)
	}
	junk := withStaple(p.good, []byte("not ocsp"))
	if st := status(t, "cert.ocsp_staple_invalid", junk, env); st != checks.StatusFail {
		t.Errorf("junk staple: %s", st)
	}
}

func TestSCTSources(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.rootA)
	ts := testNow.Add(-time.Hour).Truncate(time.Millisecond)
	val, _ := asn1.Marshal(sctList(makeSCT(ts), makeSCT(ts)))
	tmpl := leafTmpl(host, host)
	tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}, Value: val}}
	leaf := issue(t, tmpl, ecKey(t), p.inter)
	o := observe(host, leaf, p.inter)
	o.Chains[0].SCTs = [][]byte{makeSCT(ts)}
	o.Chains[0].OCSPStaple = staple(t, p, leaf, p.inter, ocsp.Good, testNow.Add(time.Hour),
		[]pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 5}, Value: val}})
	a := Analyze(o, env)
	count := map[string]int{}
	for _, s := range a.Chains[0].SCTs {
		if s.Error != "" {
			t.Errorf("SCT error: %+v", s)
		}
		if !s.Timestamp.Equal(ts) || s.HashAlg != "sha256" || s.SigAlg != "ecdsa" || !strings.HasPrefix(s.LogID, "qwAA") {
			t.Errorf("SCT: %+v", s)
		}
		count[s.Source]++
	}
	if count["certificate"] != 2 || count["tls_extension"] != 1 || count["ocsp"] != 2 {
		t.Errorf("SCT sources: %v", count)
	}
	env.Stores[0].Name = "mozilla"
	if st := status(t, "cert.no_sct", o, env); st != checks.StatusPass {
		t.Errorf("no_sct with SCTs: %s", st)
	}
	if st := status(t, "cert.no_sct", observe(host, p.good, p.inter), env); st != checks.StatusFail {
		t.Errorf("no_sct without SCTs: %s", st)
	}
}

func TestROCA(t *testing.T) {
	// A modulus congruent to a power of 65537 modulo the primorial of the
	// fingerprint primes has the fingerprint (as Infineon primes p = kM + 65537^a mod M do).
	m := big.NewInt(1)
	for _, p := range rocaPrimes {
		m.Mul(m, big.NewInt(p))
	}
	gp := new(big.Int).Exp(big.NewInt(65537), big.NewInt(1234), m)
	gq := new(big.Int).Exp(big.NewInt(65537), big.NewInt(777), m)
	k1, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 800))
	k2, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 800))
	pp := new(big.Int).Add(new(big.Int).Mul(k1, m), gp)
	qq := new(big.Int).Add(new(big.Int).Mul(k2, m), gq)
	if !IsROCA(new(big.Int).Mul(pp, qq)) {
		t.Error("constructed ROCA modulus not detected")
	}
	p := getPKI(t)
	if IsROCA(p.rsa1024.key.(*rsa.PrivateKey).N) || IsROCA(p.interRSA.key.(*rsa.PrivateKey).N) {
		t.Error("random RSA key flagged as ROCA")
	}
}

func TestDebianWeak(t *testing.T) {
	p := getPKI(t)
	fp := DebianFingerprint(p.rsa1024.key.(*rsa.PrivateKey).N)
	// The openssl-blacklist format: openssl x509 -noout -modulus | sha1sum | cut -c 21-40.
	cmd := exec.Command("openssl", "x509", "-inform", "DER", "-noout", "-modulus")
	cmd.Stdin = bytes.NewReader(p.rsa1024.der)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl (needed at /usr/bin/openssl): %v", err)
	}
	sum := sha1.Sum(out)
	if want := hex.EncodeToString(sum[:])[20:]; fp != want {
		t.Fatalf("fingerprint %q, openssl-blacklist format gives %q", fp, want)
	}
	env := envWith(p.rootA)
	o := observe(host, p.rsa1024, p.inter)
	before := status(t, "cert.debian_weak_key", o, env)
	if before == checks.StatusFail {
		t.Fatal("flagged before the fingerprint was loaded")
	}
	env.WeakKeys = &weakkey.List{}
	if env.WeakKeys.Add([]string{"# comment", "", fp}) != 1 {
		t.Fatal("fingerprint not added")
	}
	o = observe(host, p.rsa1024, p.inter)
	if st := status(t, "cert.debian_weak_key", o, env); st != checks.StatusFail {
		t.Errorf("listed key: %s", st)
	}
	if st := status(t, "cert.debian_weak_key", observe(host, p.good, p.inter), env); st != checks.StatusPass {
		t.Errorf("unlisted key: %s", st)
	}
}
