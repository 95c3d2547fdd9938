package http

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

const (
	pass = checktest.Pass
	fail = checktest.Fail
	na   = checktest.NA
	inc  = checktest.Inc
)

// selfSigned returns a DER certificate and its HPKP pin.
func selfSigned(t *testing.T) ([]byte, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "www.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"www.example.com"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return der, base64.StdEncoding.EncodeToString(sum[:])
}

// site is a completed scan of example.com whose HTTP answer edit shapes.
func site(edit func(h *obs.HTTP)) *obs.Observation {
	o := &obs.Observation{Status: obs.StatusOK, Target: obs.Target{Host: "example.com", SNI: "example.com", Port: 443}}
	o.HTTP = &obs.HTTP{Attempt: obs.Attempt{Status: obs.AttemptCompleted}, URL: "https://example.com/", Proto: "HTTP/1.1", StatusCode: 200}
	if edit != nil {
		edit(o.HTTP)
	}
	return o
}

func sts(v ...string) func(h *obs.HTTP) { return func(h *obs.HTTP) { h.StrictTransportSecurity = v } }

type row struct {
	o      *obs.Observation
	want   checks.Status
	detail string
}

func runRows(t *testing.T, id string, rows map[string]row) {
	t.Helper()
	for name, r := range rows {
		t.Run(name, func(t *testing.T) {
			fs := checktest.Run(t, Checks(), id, r.o)
			if len(fs) != 1 {
				t.Fatalf("%d findings: %+v", len(fs), fs)
			}
			f := fs[0]
			if f.Status != r.want || !strings.Contains(f.Detail, r.detail) {
				t.Errorf("%s: %s %q, want %s containing %q", id, f.Status, f.Detail, r.want, r.detail)
			}
			if f.CheckID != id || f.Title == "" || f.Category != "http" {
				t.Errorf("metadata not filled: %+v", f)
			}
		})
	}
}

// commonRows are the lifecycle cases every check shares.
func commonRows() map[string]row {
	failed := &obs.Observation{Status: obs.StatusConnectionRefused, Error: "refused"}
	notProbed := &obs.Observation{Status: obs.StatusOK}
	errored := site(func(h *obs.HTTP) {
		h.Attempt = obs.Attempt{Status: obs.AttemptError, Reason: "read: i/o timeout"}
		h.StatusCode = 0
	})
	return map[string]row{
		"failed scan": {failed, na, "status connection_refused"},
		"not probed":  {notProbed, na, "HTTP was not probed"},
		"http error":  {errored, inc, "read: i/o timeout"},
	}
}

func merge(a, b map[string]row) map[string]row {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func TestHSTSMissing(t *testing.T) {
	runRows(t, checks.IDHTTPHSTSMissing, merge(commonRows(), map[string]row{
		"missing": {site(nil), fail, "the 200 response to GET https://example.com/ has no Strict-Transport-Security header"},
		"present": {site(sts("max-age=1")), pass, `1 Strict-Transport-Security header(s): "max-age=1"`},
		"invalid": {site(sts("garbage")), pass, "garbage"},
		"starttls": {site(func(h *obs.HTTP) {
			h.Attempt = obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "STARTTLS target"}
		}), na, "STARTTLS target"},
	}))
}

func TestHSTSInvalid(t *testing.T) {
	runRows(t, checks.IDHTTPHSTSInvalid, merge(commonRows(), map[string]row{
		"missing":        {site(nil), na, "no Strict-Transport-Security header"},
		"valid":          {site(sts("max-age=63072000; includeSubDomains; preload")), pass, "max-age=63072000 (730 days), includeSubDomains, preload"},
		"valid, warning": {site(sts("max-age=63072000; foo")), pass, "unknown directive(s) ignored: foo"},
		"no max-age":     {site(sts("includeSubDomains")), fail, `"includeSubDomains" is invalid: max-age is missing`},
		"duplicate":      {site(sts("max-age=1; max-age=1")), fail, "appears more than once"},
		"several":        {site(sts("max-age=31536000", "max-age=31536000")), fail, "2 Strict-Transport-Security headers"},
	}))
}

func TestHSTSShort(t *testing.T) {
	runRows(t, checks.IDHTTPHSTSShort, merge(commonRows(), map[string]row{
		"missing":       {site(nil), na, "no Strict-Transport-Security header"},
		"invalid":       {site(sts("max-age=abc")), na, "invalid"},
		"one day":       {site(sts("max-age=86400")), fail, "max-age=86400 (1 day) is under 180 days"},
		"zero":          {site(sts("max-age=0")), fail, "max-age=0 disables HSTS"},
		"just under":    {site(sts("max-age=15551999")), fail, "under 180 days"},
		"exactly 180 d": {site(sts("max-age=15552000")), pass, "(180 days) is at least 180 days"},
		"two years":     {site(sts(`max-age="63072000"`)), pass, "730 days"},
		"first counts":  {site(sts("max-age=31536000", "max-age=10")), pass, "365 days"},
	}))
}

func TestHSTSPreloadReady(t *testing.T) {
	ready := "max-age=63072000; includeSubDomains; preload"
	plain := func(p *obs.PlainHTTP) func(h *obs.HTTP) {
		return func(h *obs.HTTP) { h.StrictTransportSecurity = []string{ready}; h.PlainHTTP = p }
	}
	redirect := func(loc string) *obs.PlainHTTP {
		return &obs.PlainHTTP{Attempt: obs.Attempt{Status: obs.AttemptCompleted}, URL: "http://example.com/", StatusCode: 301, Location: []string{loc}}
	}
	ip := site(sts(ready))
	ip.Target.SNI, ip.Target.Host = "", "192.0.2.1"
	runRows(t, checks.IDHTTPHSTSPreloadReady, merge(commonRows(), map[string]row{
		"missing":        {site(nil), na, "no Strict-Transport-Security header"},
		"ready":          {site(sts(ready)), pass, "not checked (opt-in)"},
		"ready, 80 ok":   {site(plain(redirect("https://example.com/"))), pass, "plain HTTP redirects to HTTPS on the same host"},
		"ready, no 80":   {site(plain(&obs.PlainHTTP{Attempt: obs.Attempt{Status: obs.AttemptError, Reason: "connection refused"}})), pass, "no redirect is required"},
		"80 no redirect": {site(plain(&obs.PlainHTTP{Attempt: obs.Attempt{Status: obs.AttemptCompleted}, StatusCode: 200})), fail, "plain HTTP answered 200 without redirecting"},
		"80 other host":  {site(plain(redirect("https://www.example.com/"))), fail, "another host"},
		"80 to http":     {site(plain(redirect("http://example.com/x"))), fail, "not to HTTPS"},
		"80 with port":   {site(plain(redirect("HTTPS://Example.COM:443/a?b"))), pass, "same host"},
		"short":          {site(sts("max-age=15552000; includeSubDomains; preload")), fail, "max-age=15552000 is under 1 year"},
		"no subdomains":  {site(sts("max-age=31536000; preload")), fail, "includeSubDomains is missing"},
		"no preload":     {site(sts("max-age=31536000; includeSubDomains")), fail, "preload is missing"},
		"preload value":  {site(sts("max-age=31536000; includeSubDomains; preload=1")), fail, "preload is missing"},
		"invalid":        {site(sts("max-age=31536000; includeSubDomains; preload; preload")), fail, "the header is invalid"},
		"two headers":    {site(sts(ready, ready)), fail, "2 Strict-Transport-Security headers"},
		"ip address":     {ip, fail, "IP address"},
	}))
}

func TestHPKPInvalid(t *testing.T) {
	der, pin := selfSigned(t)
	backup := pinOf("backup")
	withChain := func(edit func(h *obs.HTTP)) *obs.Observation {
		o := site(edit)
		o.Chains = []obs.Chain{{Certificates: []obs.Certificate{{DER: der}, {DER: []byte("not a certificate")}}}}
		return o
	}
	good := `pin-sha256="` + pin + `"; pin-sha256="` + backup + `"; max-age=5184000; includeSubDomains`
	runRows(t, checks.IDHTTPHPKPInvalid, merge(commonRows(), map[string]row{
		"absent": {withChain(nil), na, "no Public-Key-Pins header"},
		"valid":  {withChain(func(h *obs.HTTP) { h.PublicKeyPins = []string{good} }), pass, "2 pin(s), 1 matching the served chain, 1 backup, max-age=5184000, includeSubDomains; HPKP is deprecated"},
		"no match": {withChain(func(h *obs.HTTP) {
			h.PublicKeyPins = []string{`pin-sha256="` + pinOf("a") + `"; pin-sha256="` + backup + `"; max-age=1`}
		}), fail, "no pin matches"},
		"no backup":   {withChain(func(h *obs.HTTP) { h.PublicKeyPins = []string{`pin-sha256="` + pin + `"; max-age=1`} }), fail, "only one pin"},
		"report-only": {withChain(func(h *obs.HTTP) { h.PublicKeyPinsReportOnly = []string{good} }), na, "Public-Key-Pins-Report-Only is valid"},
		"several":     {withChain(func(h *obs.HTTP) { h.PublicKeyPins = []string{"max-age=1", good} }), fail, "2 Public-Key-Pins headers"},
	}))
}

func TestBREACH(t *testing.T) {
	enc := func(v ...string) *obs.Observation { return site(func(h *obs.HTTP) { h.ContentEncoding = v }) }
	runRows(t, checks.IDHTTPBREACH, merge(commonRows(), map[string]row{
		"gzip":      {enc("gzip"), fail, "potentially vulnerable: the 200 response to GET https://example.com/ is compressed (Content-Encoding: gzip)"},
		"br+zstd":   {enc("br, zstd"), fail, "Content-Encoding: br, zstd"},
		"identity":  {enc("identity"), pass, "not compressed"},
		"none":      {site(nil), pass, "not compressed"},
		"two lines": {enc("identity", "deflate"), fail, "deflate"},
	}))
}

func TestRedirectToHTTP(t *testing.T) {
	redir := func(code int, loc ...string) *obs.Observation {
		return site(func(h *obs.HTTP) { h.StatusCode, h.Location = code, loc })
	}
	runRows(t, checks.IDHTTPRedirectToHTTP, merge(commonRows(), map[string]row{
		"to http":      {redir(302, "HTTP://example.com/login"), fail, "redirects to plain HTTP: HTTP://example.com/login"},
		"to https":     {redir(301, "https://www.example.com/"), pass, "redirects to https://www.example.com/"},
		"relative":     {redir(302, "/login"), pass, "/login"},
		"no redirect":  {redir(200), na, "not a redirect"},
		"3xx no loc":   {redir(304), na, "not a redirect"},
		"ok with loc":  {redir(201, "http://example.com/new"), na, "not a redirect"},
		"protocol-rel": {redir(307, "//cdn.example.com/"), pass, "//cdn.example.com/"},
	}))
}

func TestServerBanner(t *testing.T) {
	runRows(t, checks.IDHTTPServerBanner, merge(commonRows(), map[string]row{
		"versioned": {site(func(h *obs.HTTP) { h.Server = []string{"nginx/1.22.1"}; h.XPoweredBy = []string{"PHP/8.2"} }), fail, "Server: nginx/1.22.1; X-Powered-By: PHP/8.2"},
		"bare":      {site(func(h *obs.HTTP) { h.Server = []string{"nginx"} }), pass, "banner without version: Server: nginx"},
		"none":      {site(nil), pass, "no Server or X-Powered-By header"},
	}))
}

func TestSecurityHeaders(t *testing.T) {
	full := func(h *obs.HTTP) {
		h.ContentSecurityPolicy = []string{"default-src 'self'; frame-ancestors 'none'"}
		h.XContentTypeOptions = []string{"nosniff"}
		h.ReferrerPolicy = []string{"no-referrer"}
	}
	runRows(t, checks.IDHTTPSecurityHeaders, merge(commonRows(), map[string]row{
		"complete": {site(full), pass, "present: Content-Security-Policy: default-src 'self'; frame-ancestors 'none'; X-Content-Type-Options: nosniff; Referrer-Policy: no-referrer"},
		"nothing":  {site(nil), fail, "missing: X-Content-Type-Options: nosniff; frame protection (X-Frame-Options or CSP frame-ancestors); Content-Security-Policy; present: none"},
		"cookie": {site(func(h *obs.HTTP) {
			full(h)
			h.Cookies = []obs.Cookie{{Name: "sid", HTTPOnly: true}, {Name: "ok", Secure: true, HTTPOnly: true, SameSite: "Lax"}}
		}), fail, "missing: cookie sid without Secure, SameSite; present"},
		"xfo": {site(func(h *obs.HTTP) {
			h.XFrameOptions = []string{"DENY"}
			h.XContentTypeOptions = []string{"NoSniff"}
		}), fail, "missing: Content-Security-Policy; present: X-Frame-Options: DENY"},
	}))
}

func TestNoRedirect80(t *testing.T) {
	plain := func(p *obs.PlainHTTP) *obs.Observation { return site(func(h *obs.HTTP) { h.PlainHTTP = p }) }
	done := obs.Attempt{Status: obs.AttemptCompleted}
	u := "http://example.com/"
	rows := merge(commonRows(), map[string]row{
		"not asked":   {site(nil), na, "not requested (opt-in)"},
		"refused":     {plain(&obs.PlainHTTP{URL: u, Attempt: obs.Attempt{Status: obs.AttemptError, Reason: "connection refused"}}), na, "did not answer (connection refused)"},
		"not http":    {plain(&obs.PlainHTTP{URL: u, Attempt: obs.Attempt{Status: obs.AttemptInconclusive, Reason: "not HTTP"}}), inc, "not HTTP"},
		"redirects":   {plain(&obs.PlainHTTP{URL: u, Attempt: done, StatusCode: 301, Location: []string{"https://example.com/"}}), pass, "redirects to https://example.com/"},
		"serves http": {plain(&obs.PlainHTTP{URL: u, Attempt: done, StatusCode: 200}), fail, "answered 200 without redirecting to HTTPS"},
		"to http":     {plain(&obs.PlainHTTP{URL: u, Attempt: done, StatusCode: 302, Location: []string{"http://example.com/a"}}), fail, "not to HTTPS"},
	})
	// The TLS request may fail while the plain one is still judged.
	delete(rows, "http error")
	runRows(t, checks.IDHTTPNoRedirect80, rows)
}
