package cert

import (
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

const host = "www.example.test"

// TestChecksBadAndGood asserts each check positive on its bad case and
// negative on the good chain.
func TestChecksBadAndGood(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.RootA)
	good := observe(host, p.Good, p.Inter)
	cases := []struct {
		id  string
		bad *obs.Observation
		env checks.Env
	}{
		{"cert.untrusted", observe(host, p.ViaB, p.InterB), env},
		{"cert.expired", observe(host, p.Expired, p.Inter), env},
		{"cert.not_yet_valid", observe(host, p.NotYet, p.Inter), env},
		{"cert.self_signed", observe(host, p.SelfSigned), env},
		{"cert.hostname_mismatch", observe(host, p.WrongHost, p.Inter), env},
		{"cert.sha1_signature", observe(host, p.SHA1Leaf, p.InterRSA), env},
		{"cert.md5_signature", observe(host, p.MD5Leaf, p.InterRSA), env},
		{"cert.rsa_key_under_2048", observe(host, p.RSA1024, p.Inter), env},
		{"cert.chain_incomplete", observe(host, p.Good), env},
		{"cert.chain_order", observe(host, p.Good, p.CrossB, p.Inter), envWith(p.RootA)},
		{"cert.chain_extra", observe(host, p.Good, p.Inter, p.InterB), env},
		{"cert.root_sent", observe(host, p.Good, p.Inter, p.RootA), env},
		{"cert.chain_duplicate", observe(host, p.Good, p.Inter, p.Inter), env},
		{"cert.cn_only", observe(host, p.CNOnly, p.Inter), env},
		{"cert.must_staple_no_staple", observe(host, p.MustStaple, p.Inter), env},
		{"cert.ocsp_staple_missing", observe(host, p.Good, p.Inter), env},
		{"cert.zlint", observe(host, p.Good, p.Inter), env},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			if st := status(t, c.id, c.bad, c.env); st != checks.StatusFail {
				t.Errorf("bad case: status %s, want fail: %+v", st, run(t, c.id, c.bad, c.env))
			}
			if c.id == "cert.ocsp_staple_missing" || c.id == "cert.zlint" {
				return // the good chain has no staple; test certificates are not BR-compliant
			}
			if st := status(t, c.id, good, env); st == checks.StatusFail {
				t.Errorf("good case: status %s: %+v", st, run(t, c.id, good, env))
			}
		})
	}
}

func TestTrustReasons(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.RootA)
	cases := []struct {
		name, want string
		o          *obs.Observation
	}{
		{"unknown issuer", "unknown issuer", observe(host, p.ViaB, p.InterB)},
		{"expired", "expired: CN=www.example.test", observe(host, p.Expired, p.Inter)},
		{"not yet valid", "not yet valid", observe(host, p.NotYet, p.Inter)},
		{"self-signed", "self-signed", observe(host, p.SelfSigned)},
		{"name constraints", "name constraints", observe(host, p.NCLeaf, p.NCInter)},
		{"weak signature", "weak signature", observe(host, p.SHA1Leaf, p.InterRSA)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Analyze(c.o, env)
			tr := a.Chains[0].Trust[0]
			if tr.Trusted || !strings.Contains(tr.Reason, c.want) {
				t.Errorf("trusted=%v reason=%q, want untrusted with %q", tr.Trusted, tr.Reason, c.want)
			}
		})
	}
	a := Analyze(observe(host, p.Good, p.Inter), env)
	if tr := a.Chains[0].Trust[0]; !tr.Trusted || len(tr.Paths) != 1 || len(tr.Paths[0].Certs) != 3 {
		t.Errorf("good chain: %+v", tr)
	}
}

// TestCrossSign: with the cross-certificate served, a leaf under root B has a
// path to root A; with both roots trusted it has two.
func TestCrossSign(t *testing.T) {
	p := getPKI(t)
	o := observe(host, p.ViaB, p.InterB, p.CrossB)
	a := Analyze(o, envWith(p.RootA))
	tr := a.Chains[0].Trust[0]
	if !tr.Trusted || len(tr.Paths) != 1 || len(tr.Paths[0].Certs) != 4 {
		t.Fatalf("via cross-sign to A: %+v", tr)
	}
	a = Analyze(o, envWith(p.RootA, p.RootB))
	tr = a.Chains[0].Trust[0]
	if !tr.Trusted || len(tr.Paths) != 2 {
		t.Fatalf("both roots: want 2 paths, got %+v", tr)
	}
	if a.Chains[0].Quality.Incomplete || len(a.Chains[0].Quality.Extra) != 0 {
		t.Errorf("quality: %+v", a.Chains[0].Quality)
	}
}

func TestLeafFacts(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.RootA)
	a := Analyze(observe("a.example.test", p.Wildcard, p.Inter), env)
	if lf := a.Chains[0].Leaf; !lf.HostnameMatch || lf.MatchedName != "*.example.test" {
		t.Errorf("wildcard: %+v", lf)
	}
	a = Analyze(observe("a.b.example.test", p.Wildcard, p.Inter), env)
	if a.Chains[0].Leaf.HostnameMatch {
		t.Error("wildcard matched two labels")
	}
	a = Analyze(observe("127.0.0.1", p.IPSAN, p.Inter), env)
	if !a.Chains[0].Leaf.HostnameMatch {
		t.Error("IP SAN did not match")
	}
	a = Analyze(observe(host, p.Good, p.Inter), env)
	c := a.Chains[0].Certificates[0]
	if len(c.SHA256) != 64 || len(c.SPKIPin) != 44 || c.Key.Type != "ECDSA" || c.Key.Curve != "P-256" {
		t.Errorf("summary: %+v", c)
	}
	if lf := a.Chains[0].Leaf; lf.DaysLeft != 90 || lf.ValidityDays != 92 || lf.MaxValidityDays != 200 {
		t.Errorf("days: left %d validity %d max %d", lf.DaysLeft, lf.ValidityDays, lf.MaxValidityDays)
	}
	a = Analyze(observe(host, p.MustStaple, p.Inter), env)
	if !a.Chains[0].Leaf.MustStaple {
		t.Error("must-staple not seen")
	}
	env.ExpiryWarn = 100 * 24 * time.Hour
	if st := status(t, "cert.expires_soon", observe(host, p.Good, p.Inter), env); st != checks.StatusFail {
		t.Errorf("expires_soon with a 100-day window: %s", st)
	}
}

// TestValidityTooLong: judged only for publicly trusted chains, so the test
// root is named like a public store.
func TestValidityTooLong(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.RootA)
	env.Stores[0].Name = "system"
	if st := status(t, "cert.validity_too_long", observe(host, p.TooLong, p.Inter), env); st != checks.StatusFail {
		t.Errorf("400-day leaf: %s", st)
	}
	if st := status(t, "cert.validity_too_long", observe(host, p.Good, p.Inter), env); st != checks.StatusPass {
		t.Errorf("90-day leaf: %s", st)
	}
	env.Stores[0].Name = "custom"
	if st := status(t, "cert.validity_too_long", observe(host, p.TooLong, p.Inter), env); st != checks.StatusNotApplicable {
		t.Errorf("private PKI: %s", st)
	}
}

func TestRSA1024Tiers(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.RootA)
	o := observe(host, p.RSA1024, p.Inter)
	if st := status(t, "cert.rsa_key_under_1024", o, env); st != checks.StatusPass {
		t.Errorf("1024 bits is not under 1024: %s", st)
	}
}

func TestNoChainIsNotApplicable(t *testing.T) {
	fs := run(t, "cert.untrusted", &obs.Observation{}, envWith())
	if len(fs) != 1 || fs[0].Status != checks.StatusNotApplicable {
		t.Errorf("%+v", fs)
	}
}

func TestMozillaStore(t *testing.T) {
	s := truststore.Mozilla()
	if s.Name != "mozilla" || len(s.Roots) < 100 {
		t.Fatalf("mozilla store: %s with %d roots", s.Name, len(s.Roots))
	}
	p := getPKI(t)
	a := Analyze(observe(host, p.Good, p.Inter), checks.Env{Now: testNow, Stores: []checks.TrustStore{s}})
	if tr := a.Chains[0].Trust[0]; tr.Trusted || !strings.Contains(tr.Reason, "unknown issuer") {
		t.Errorf("private chain against Mozilla: %+v", tr)
	}
}

func TestDaysLeftCountsWholeDaysElapsed(t *testing.T) {
	p := getPKI(t)
	ex := leafTmpl("www.example.test", "www.example.test")
	ex.NotBefore, ex.NotAfter = testNow.Add(-60*24*time.Hour), testNow.Add(-30*24*time.Hour-20*time.Minute)
	expired := issue(t, ex, ecKey(t), p.Inter)
	o := observe(host, expired, p.Inter)
	a := Analyze(o, envWith(p.RootA))
	if lf := a.Chains[0].Leaf; lf.DaysLeft != -30 || !lf.Expired {
		t.Errorf("expired 30 days 20 minutes ago: days_left %d, expired %v", lf.DaysLeft, lf.Expired)
	}
	if fs := run(t, "cert.expired", o, envWith(p.RootA)); len(fs) == 0 || !strings.Contains(fs[0].Detail, "(30 days ago)") {
		t.Errorf("cert.expired: %+v", fs)
	}
	soon := leafTmpl("www.example.test", "www.example.test")
	soon.NotBefore, soon.NotAfter = testNow.Add(-24*time.Hour), testNow.Add(10*24*time.Hour-time.Minute)
	a = Analyze(observe(host, issue(t, soon, ecKey(t), p.Inter), p.Inter), envWith(p.RootA))
	if lf := a.Chains[0].Leaf; lf.DaysLeft != 9 {
		t.Errorf("expiring in 9 days 23:59: days_left %d, want 9", lf.DaysLeft)
	}
}

func TestUnknownRootIsNotAnIncompleteChain(t *testing.T) {
	p := getPKI(t)
	env := envWith(p.RootA)
	// Leaf + intermediate sent, the intermediate issued by a root no store has.
	ch := Analyze(observe(host, p.ViaB, p.InterB), env).Chains[0]
	if ch.Quality.Incomplete || !ch.Quality.UnknownRoot || !strings.HasPrefix(ch.Quality.UnknownIssuer, "CN=Test Root B") {
		t.Errorf("rogue root: quality %+v", ch.Quality)
	}
	if tr := ch.Trust[0]; tr.Trusted || !strings.Contains(tr.Reason, `"CN=Test Root B`) || !strings.Contains(tr.Reason, "not in any store") {
		t.Errorf("rogue root: trust %+v", tr)
	}
	if st := status(t, "cert.chain_incomplete", observe(host, p.ViaB, p.InterB), env); st != checks.StatusPass {
		t.Errorf("rogue root: cert.chain_incomplete %s", st)
	}
	if st := status(t, "cert.untrusted", observe(host, p.ViaB, p.InterB), env); st != checks.StatusFail {
		t.Errorf("rogue root: cert.untrusted %s", st)
	}
	// Leaf alone, its issuer an intermediate: incomplete.
	ch = Analyze(observe(host, p.Good), env).Chains[0]
	if !ch.Quality.Incomplete || ch.Quality.UnknownRoot || !strings.HasPrefix(ch.Quality.MissingIssuer, "CN=Test Intermediate A") {
		t.Errorf("leaf only: quality %+v", ch.Quality)
	}
	// Leaf + intermediate B, with B's issuer fetched via AIA being itself an
	// intermediate (cross-signed root B under A is not self-signed): incomplete.
	o := observe(host, p.ViaB, p.InterB)
	o.AIAFetched = []obs.FetchedCert{{URL: "http://127.0.0.1/b.DER", DER: p.CrossB.DER}}
	ch = Analyze(o, envWith()).Chains[0]
	if !ch.Quality.Incomplete || ch.Quality.UnknownRoot {
		t.Errorf("issuer fetched via AIA is an intermediate: quality %+v", ch.Quality)
	}
}
