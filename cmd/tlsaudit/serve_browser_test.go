package main

// Browser tests: the pages of "tlsaudit serve", as users run it (the HTTP
// server, the SQLite store, the queue and workers, monitoring), driven in
// Debian's headless Chromium through the DevTools protocol (chromedp),
// auditing loopback TLS servers started by the test.
//
// TLSAUDIT_SCREENSHOTS=DIR saves a screenshot of each main page in DIR
// (docs/screenshots is made that way).

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"image/png"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// hostileCN is a certificate subject made of markup: it must render inert.
const hostileCN = `<script>alert(1)</script>"q'x"><img src=x onerror=alert(2)>`

// browser starts headless Chromium for the test; it fails (not skips) when
// Chromium is missing.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("the browser tests need Chromium (Debian package chromium, installed by .ci/run): %v", err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser on a context without deadline (its lifetime).
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// step runs actions with a deadline, failing the test with what it was doing.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// poll waits until the expression is true in the page.
func poll(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// media emulates a CSS media type ("print"; "" for the default).
func media(m string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return err
	})
}

// slowListener delays the first read of each connection, so that an audit
// of the loopback server lasts seconds and its progress can be watched.
type slowListener struct {
	net.Listener
	delay time.Duration
}

func (l slowListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &slowConn{Conn: c, delay: l.delay}, nil
}

type slowConn struct {
	net.Conn
	delay time.Duration
	once  sync.Once
}

func (c *slowConn) Read(p []byte) (int, error) {
	c.once.Do(func() { time.Sleep(c.delay) })
	return c.Conn.Read(p)
}

// slowTLSServer serves HTTPS with cfg on a loopback port until the test
// ends, each connection slowed (slowListener); it returns the address.
func slowTLSServer(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		io.WriteString(w, "ok")
	}), ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(tls.NewListener(slowListener{ln, 250 * time.Millisecond}, cfg))
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func TestServePagesInChromium(t *testing.T) {
	ctx := browser(t)
	var dialogsMu sync.Mutex
	var dialogs []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			dialogsMu.Lock()
			dialogs = append(dialogs, d.Message)
			dialogsMu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("TLSAUDIT_SCREENSHOTS")
	// shoot saves what the window shows, as PNG.
	shoot := func(name string) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		img, err := chromedp.Run(c, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if _, err := png.Decode(bytes.NewReader(img)); err != nil || len(img) < 10000 {
			t.Errorf("screenshot %s: %d bytes, the page did not render", name, len(img))
		}
		if shots != "" {
			if err := os.WriteFile(filepath.Join(shots, name+".png"), img, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The audited server: a leaf whose subject is markup, for 127.0.0.1,
	// from a private CA the server is told to trust.
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{CommonName: hostileCN, DNSNames: []string{"evil.test"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	host := slowTLSServer(t, &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}, MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}})

	// A watched legacy server: TLS 1.0 and CBC suites, a leaf expiring in
	// ten days; the policy makes it fail.
	legacyLeaf, err := pki.IssueLeaf(tlstest.LeafOptions{CommonName: "legacy.test", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, NotAfter: time.Now().Add(10*24*time.Hour + time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	legacy := slowTLSServer(t, &tls.Config{Certificates: []tls.Certificate{legacyLeaf.TLSCertificate()}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA}})

	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	watch := filepath.Join(dir, "hosts.txt")
	policy := filepath.Join(dir, "policy.yml")
	for name, content := range map[string][]byte{ca: pki.RootPEM(), watch: []byte(legacy + "\n"),
		policy: []byte("version: 1\nmin_grade: A\nrequire_aead: true\nmin_days_to_expiry: 21\n")} {
		if err := os.WriteFile(name, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, "serve.db")
	args := []string{"--db", db, "--ca-file", ca, "--allow-targets", "127.0.0.1", "--target-cool-off", "1ms",
		"--watch", watch, "--policy", policy, "--interval", "1h"}
	srv := startServeInProcess(t, args...)
	base := srv.base

	// 1. The form: type the host, submit; the progress view updates in
	// place (progress and ETA of the endpoint), then the report shows the
	// grade.
	step(t, ctx, "home page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#d")))
	step(t, ctx, "submitting the form",
		chromedp.SendKeys(chromedp.CSS("#d"), host),
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#progress")))
	submitted := time.Now()
	if st := eval[string](t, ctx, `document.getElementById("state").textContent`); !strings.HasPrefix(st, "queued") && !strings.HasPrefix(st, "running") {
		t.Errorf("progress starts with state %q", st)
	}
	// The document is the same one throughout: a reload would lose this.
	eval[bool](t, ctx, `window.sameDocument=true`)
	running := `(function(){var b=document.querySelector("#eps progress");var c=document.querySelector("#eps td:nth-child(2)");return !!(b&&c&&/^running [0-9]+%, about [0-9]+ s left$/.test(c.textContent))})()`
	poll(t, ctx, "the progress view did not show the endpoint running with progress and ETA", running)
	first := eval[string](t, ctx, `document.querySelector("#eps td:nth-child(2)").textContent`)
	shoot("progress")
	poll(t, ctx, "the progress view did not update: "+first, `(function(){var c=document.querySelector("#eps td:nth-child(2)");return window.sameDocument===true&&!!c&&c.textContent!==`+jsString(first)+`&&+document.getElementById("progress").getAttribute("data-polls")>=2})()`)
	step(t, ctx, "waiting for the report", chromedp.WaitVisible(chromedp.CSS("#summary")))
	t.Logf("first assessment: %s of progress shown, then %q", time.Since(submitted).Round(time.Millisecond), first)
	grade := eval[string](t, ctx, `document.querySelector("#summary h1 .pill").textContent`)
	if !strings.HasPrefix(grade, "A") {
		t.Errorf("grade %q on the report page, want an A for a TLS 1.2+ server with a trusted chain", grade)
	}
	shoot("report")

	// 2. The hostile subject is text: no element, no dialog, one script.
	if n := eval[int](t, ctx, `document.querySelectorAll("script").length`); n != 1 {
		t.Errorf("%d script elements, want 1", n)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("img").length`); n != 0 {
		t.Errorf("%d img elements: markup from the certificate became elements", n)
	}
	if !eval[bool](t, ctx, `document.body.innerText.indexOf("alert(1)")>=0 && document.body.innerText.indexOf("<script")>=0`) {
		t.Errorf("the subject is not shown as text")
	}
	if eval[string](t, ctx, `document.body.getAttribute("data-rendered")`) != "ok" {
		t.Errorf("the page's script did not run under its CSP")
	}

	// 3. Printing gives a PDF; in print media the navigation and the
	// buttons are left out, and nothing is wider than the page.
	{
		c, cancel := context.WithTimeout(ctx, 60*time.Second)
		pdf, err := chromedp.Run(c, chromedp.PrintToPDF())
		cancel()
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("printing: %v (%d bytes)", err, len(pdf))
		}
	}
	step(t, ctx, "print media", media("print"))
	if !eval[bool](t, ctx, `matchMedia("print").matches&&getComputedStyle(document.querySelector("header.top")).display==="none"&&getComputedStyle(document.querySelector(".actions")).display==="none"`) {
		t.Errorf("printing shows the navigation or the buttons")
	}
	if sw, iw := eval[int](t, ctx, `document.documentElement.scrollWidth`), eval[int](t, ctx, `window.innerWidth`); sw > iw {
		t.Errorf("in print media the report is %d px wide (window %d)", sw, iw)
	}
	step(t, ctx, "screen media", media(""))

	// 4. Scan again, then the history shows two points and the diff.
	// Its progress is measured against the first audit's duration, so it
	// moves by whole steps rather than the first-audit guess's 1%.
	step(t, ctx, "scan again", chromedp.Click(chromedp.CSS("#scan-again")), chromedp.WaitVisible(chromedp.CSS("#progress")))
	poll(t, ctx, "the second assessment's progress did not pass 10%", `(function(){var b=document.querySelector("#eps progress");return !!(b&&b.value>=10)||!!document.getElementById("summary")})()`)
	if eval[bool](t, ctx, `!!document.getElementById("summary")`) {
		t.Errorf("the report opened before the progress view showed 10%%")
	}
	step(t, ctx, "second report", chromedp.WaitVisible(chromedp.CSS("#summary")))
	step(t, ctx, "history", chromedp.Click(chromedp.CSS("#history-link")), chromedp.WaitVisible(chromedp.CSS("#chart")))
	if n := eval[int](t, ctx, `document.querySelectorAll("#chart circle.point-grade").length`); n != 2 {
		t.Errorf("history chart has %d grade points, want 2", n)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#chart circle.point-days").length`); n != 2 {
		t.Errorf("history chart has %d expiry points, want 2", n)
	}
	if !eval[bool](t, ctx, `!!document.getElementById("diff")`) {
		t.Errorf("no diff section")
	}
	shoot("history")

	// 5. The decoder analyses a pasted chain.
	root, _ := pem.Decode(pki.RootPEM())
	rootCert, err := x509.ParseCertificate(root.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "decoder", chromedp.Navigate(base+"/decoder"),
		chromedp.SetValue(chromedp.CSS("#pem"), string(leaf.FullChainPEM())+string(pki.RootPEM())),
		chromedp.SendKeys(chromedp.CSS("#host"), "evil.test"),
		chromedp.Click(chromedp.CSS("#decode")),
		chromedp.WaitVisible(chromedp.CSS("#decoded")))
	if txt := eval[string](t, ctx, `document.getElementById("decoded").innerText`); !strings.Contains(txt, rootCert.Subject.CommonName) || !strings.Contains(txt, "matches evil.test") || !strings.Contains(txt, `\<script\>alert(1)`) {
		t.Errorf("decoded chain:\n%s", txt)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("img").length`); n != 0 {
		t.Errorf("decoder: markup became elements")
	}
	shoot("decoder")

	// 6. The dashboard: a host added with its form is audited by the
	// monitor and shown with its grade, beside the watched legacy host,
	// which comes first (it expires first), with the rules it breaks.
	step(t, ctx, "adding a host on the dashboard", chromedp.Navigate(base+"/dashboard"),
		chromedp.SendKeys(chromedp.CSS("#target"), host),
		chromedp.Click(chromedp.CSS("#add")))
	{
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := chromedp.Do(c, chromedp.WaitVisible(chromedp.CSS("#hosts")))
		cancel()
		if err != nil {
			t.Fatalf("no monitored host after adding one (%v): %s\n%s", err, eval[string](t, ctx, `location.href`), eval[string](t, ctx, `document.body.innerText`))
		}
	}
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if eval[bool](t, ctx, `!!document.querySelector("#hosts .pill.g-a")&&document.querySelectorAll("#hosts .pill").length==2`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dashboard never showed the added host's grade:\n%s", eval[string](t, ctx, `document.body.innerText`))
		}
		time.Sleep(300 * time.Millisecond)
		step(t, ctx, "reloading the dashboard", chromedp.Reload())
	}
	if txt := eval[string](t, ctx, `document.getElementById("hosts").innerText`); !strings.Contains(txt, host) {
		t.Errorf("the dashboard does not name %s:\n%s", host, txt)
	}
	rows := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#hosts tr")).slice(1).map(function(r){return r.innerText})`)
	if len(rows) != 2 || !strings.Contains(rows[0], legacy) || !strings.Contains(rows[0], "(file)") || !strings.Contains(rows[0], "soon") ||
		!strings.Contains(rows[0], "min_grade") || !strings.Contains(rows[0], "require_aead") || !strings.Contains(rows[0], "min_days_to_expiry") ||
		!strings.Contains(rows[1], host) || !strings.Contains(rows[1], "none") {
		t.Errorf("dashboard rows (by days to expiry), want the legacy host first with its failing rules:\n%s", strings.Join(rows, "\n"))
	}
	shoot("dashboard")

	// The home page lists the recent assessments, from the store.
	step(t, ctx, "home page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#d")))
	if txt := eval[string](t, ctx, `document.body.innerText`); !strings.Contains(txt, host) || !strings.Contains(txt, legacy) {
		t.Errorf("the home page does not list the recent assessments of %s and %s:\n%s", host, legacy, txt)
	}
	shoot("home")

	// 7. At 375 px no page scrolls sideways.
	reportURL := base + "/ssltest/analyze.html?" + url.Values{"d": {host}, "latest": {""}}.Encode()
	step(t, ctx, "narrow viewport", chromedp.EmulateViewport(375, 740))
	for _, u := range []string{base + "/", reportURL, base + "/history?d=" + url.QueryEscape(host), base + "/decoder", base + "/dashboard"} {
		step(t, ctx, "narrow "+u, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("footer")))
		sw := eval[int](t, ctx, `document.documentElement.scrollWidth`)
		iw := eval[int](t, ctx, `window.innerWidth`)
		if sw > iw {
			wide := eval[string](t, ctx, `Array.from(document.querySelectorAll("body *")).filter(function(e){return e.getBoundingClientRect().right>window.innerWidth+1}).slice(0,8).map(function(e){return e.tagName+"."+e.className+" "+Math.round(e.getBoundingClientRect().right)}).join("; ")`)
			t.Errorf("%s at 375 px: the page is %d px wide (window %d): horizontal scroll; widest: %s", u, sw, iw, wide)
		}
		if u == reportURL {
			shoot("report-375")
		}
	}

	// 8. After a restart on the same database, the host added on the
	// dashboard is still monitored.
	srv.stop(t)
	srv = startServeInProcess(t, args...)
	step(t, ctx, "dashboard after a restart", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS("#hosts")))
	if txt := eval[string](t, ctx, `document.getElementById("hosts").innerText`); !strings.Contains(txt, host) {
		t.Errorf("after a restart the dashboard lost %s:\n%s", host, txt)
	}

	dialogsMu.Lock()
	defer dialogsMu.Unlock()
	if len(dialogs) > 0 {
		t.Errorf("a script ran: dialogs %q", dialogs)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + regexp.MustCompile(`[\\"]`).ReplaceAllString(s, `\$0`) + `"`
}
