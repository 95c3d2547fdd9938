package cert

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/checks/internal/certtest"
	"github.com/tlsaudit/tlsaudit/checks/weakkey"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func staple(t *testing.T, p *certtest.PKI, leaf *tcert, signer *tcert, status int, next time.Time, exts []pkix.Extension) []byte {
	t.Helper()
	der, err := ocsp.CreateResponse(p.Inter.Cert, signer.Cert, ocsp.Response{
		Status: status, SerialNumber: leaf.Cert.SerialNumber, ThisUpdate: testNow.Add(-time.Hour),
		NextUpdate: next, RevokedAt: testNow.Add(-48 * time.Hour), ExtraExtensions: exts,
	}, signer.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestOCSPStaple(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.RootA)
	fresh := testNow.Add(24 * time.Hour)
	withStaple := func(leaf *tcert, raw []byte) *obs.Observation {
		o := observe(host, leaf, p.Inter)
		o.Chains[0].OCSPStaple = raw
		return o
	}
	good := withStaple(p.MustStaple, staple(t, p, p.MustStaple, p.Inter, ocsp.Good, fresh, nil))
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
	revoked := withStaple(p.Good, staple(t, p, p.Good, p.Inter, ocsp.Revoked, fresh, nil))
	if st := status(t, "cert.revoked", revoked, env); st != checks.StatusFail {
		t.Errorf("revoked staple: %s", st)
	}
	unknown := withStaple(p.Good, staple(t, p, p.Good, p.Inter, ocsp.Unknown, fresh, nil))
	if st := status(t, "cert.ocsp_staple_unknown", unknown, env); st != checks.StatusFail {
		t.Errorf("unknown staple: %s", st)
	}
	stale := withStaple(p.Good, staple(t, p, p.Good, p.Inter, ocsp.Good, testNow.Add(-time.Minute), nil))
	if st := status(t, "cert.ocsp_staple_expired", stale, env); st != checks.StatusFail {
		t.Errorf("stale staple: %s", st)
	}
	// Signed by a key that is not the issuer's (the root's, not delegated).
	forged := withStaple(p.Good, staple(t, p, p.Good, p.RootB, ocsp.Good, fresh, nil))
	if st := status(t, "cert.ocsp_staple_invalid", forged, env); st != checks.StatusFail {
		t.Errorf("forged staple: %s %+v", st, Analyze(forged, env).Chains[0].Staple)
	}
	other := withStaple(p.Good, staple(t, p, p.WrongHost, p.Inter, ocsp.Good, fresh, nil))
	if st := status(t, "cert.ocsp_staple_invalid", other, env); st != checks.StatusFail {
		t.Errorf("staple for another serial: %s", st)
	}
	junk := withStaple(p.Good, []byte("not ocsp"))
	if st := status(t, "cert.ocsp_staple_invalid", junk, env); st != checks.StatusFail {
		t.Errorf("junk staple: %s", st)
	}
}

func TestSCTSources(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.RootA)
	ts := testNow.Add(-time.Hour).Truncate(time.Millisecond)
	val, _ := asn1.Marshal(certtest.SCTList(certtest.MakeSCT(ts), certtest.MakeSCT(ts)))
	tmpl := leafTmpl(host, host)
	tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}, Value: val}}
	leaf := issue(t, tmpl, ecKey(t), p.Inter)
	o := observe(host, leaf, p.Inter)
	o.Chains[0].SCTs = [][]byte{certtest.MakeSCT(ts)}
	o.Chains[0].OCSPStaple = staple(t, p, leaf, p.Inter, ocsp.Good, testNow.Add(time.Hour),
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
	if st := status(t, "cert.no_sct", observe(host, p.Good, p.Inter), env); st != checks.StatusFail {
		t.Errorf("no_sct without SCTs: %s", st)
	}
}

func TestDebianWeak(t *testing.T) {
	p := getPKI(t)
	fp := certanalysis.DebianFingerprint(p.RSA1024.Key.(*rsa.PrivateKey).N)
	// The openssl-blacklist format: openssl x509 -noout -modulus | sha1sum | cut -c 21-40.
	cmd := exec.Command("openssl", "x509", "-inform", "DER", "-noout", "-modulus")
	cmd.Stdin = bytes.NewReader(p.RSA1024.DER)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl (needed at /usr/bin/openssl): %v", err)
	}
	sum := sha1.Sum(out)
	if want := hex.EncodeToString(sum[:])[20:]; fp != want {
		t.Fatalf("fingerprint %q, openssl-blacklist format gives %q", fp, want)
	}
	env := envWith(p.RootA)
	o := observe(host, p.RSA1024, p.Inter)
	before := status(t, "cert.debian_weak_key", o, env)
	if before == checks.StatusFail {
		t.Fatal("flagged before the fingerprint was loaded")
	}
	env.WeakKeys = &weakkey.List{}
	if env.WeakKeys.Add([]string{"# comment", "", fp}) != 1 {
		t.Fatal("fingerprint not added")
	}
	o = observe(host, p.RSA1024, p.Inter)
	if st := status(t, "cert.debian_weak_key", o, env); st != checks.StatusFail {
		t.Errorf("listed key: %s", st)
	}
	if st := status(t, "cert.debian_weak_key", observe(host, p.Good, p.Inter), env); st != checks.StatusPass {
		t.Errorf("unlisted key: %s", st)
	}
}
