package web

// Browser tests: the pages driven in Debian's headless Chromium through the
// DevTools protocol (chromedp), against loopback TLS servers audited by the
// real pipeline. One browser serves every step, to keep them fast.
//
// TLSAUDIT_SCREENSHOTS=DIR saves a screenshot of each main page in DIR
// (docs/screenshots is made that way).

import (
	"bytes"
	"context"
	"crypto/tls"
	"image/png"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/serve/monitor"
)

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
	c, cancel := context.WithTimeout(ctx, 90*time.Second)
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

func TestPagesInChromium(t *testing.T) {
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

	ca := newCA(t)
	leaf, leafDER := ca.leaf(t, "evil.test", hostileCN, 60)
	port := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{leaf}})
	host := "evil.test:" + strconv.Itoa(port)
	b := &memBackend{audit: auditor(ca), hold: 1500 * time.Millisecond}
	now := time.Now()
	mon := &fakeMonitor{hosts: []monitor.Host{
		{Target: "shop.example.test", Source: monitor.SourceFile, LastRun: now,
			Reports: []*report.Report{synthetic("shop.example.test", "A", now.Add(12*24*time.Hour), now)}},
		{Target: "legacy.example.test:8443", Source: monitor.SourceDashboard, LastRun: now,
			Reports:    []*report.Report{synthetic("legacy.example.test", "C", now.Add(70*24*time.Hour), now, "proto.tls10")},
			Violations: []policyfile.Violation{{Rule: "min_grade", Evidence: "grade C is below A"}, {Rule: "fail_on", Evidence: "proto.tls10 TLS 1.0 offered (high)"}}},
		{Target: "api.example.test", Source: monitor.SourceFile, LastRun: now,
			Reports: []*report.Report{synthetic("api.example.test", "A+", now.Add(200*24*time.Hour), now)}},
	}}
	p, err := New(Config{Backend: b, Monitor: mon, Tool: report.Tool{Name: "tlsaudit", Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	defer srv.Close()
	base := srv.URL

	// 1. The form: type the host, submit; the progress view updates in
	// place, then the report shows the grade.
	step(t, ctx, "home page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#d")))
	shoot("home")
	step(t, ctx, "submitting the form",
		chromedp.SendKeys(chromedp.CSS("#d"), host),
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#progress")))
	if st := eval[string](t, ctx, `document.getElementById("state").textContent`); !strings.HasPrefix(st, "queued") {
		t.Errorf("progress starts with state %q, want queued", st)
	}
	// Running is reached by the page's own polling, without a reload: the
	// poll counter lives in the DOM of this document.
	{
		c, cancel := context.WithTimeout(ctx, 60*time.Second)
		_, err := chromedp.Run(c, chromedp.Poll[bool](`(function(){var p=document.getElementById("progress");var s=document.getElementById("state");return !!(p&&s&&+p.getAttribute("data-polls")>=1&&s.textContent.indexOf("running")===0&&document.getElementById("eps").textContent.indexOf("running")>=0)})()`,
			chromedp.WithPollingInterval(50*time.Millisecond)))
		cancel()
		if err != nil {
			t.Fatalf("the progress view did not update to running: %v", err)
		}
	}
	shoot("progress")
	step(t, ctx, "waiting for the report", chromedp.WaitVisible(chromedp.CSS("#summary")))
	grade := eval[string](t, ctx, `document.querySelector("#summary h1 .pill").textContent`)
	if grade == "" || grade == "–" {
		t.Fatalf("no grade on the report page")
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

	// 3. Printing gives a PDF.
	{
		c, cancel := context.WithTimeout(ctx, 60*time.Second)
		pdf, err := chromedp.Run(c, chromedp.PrintToPDF())
		cancel()
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("printing: %v (%d bytes)", err, len(pdf))
		}
	}

	// 4. Scan again, then the history shows two points and the diff.
	step(t, ctx, "scan again", chromedp.Click(chromedp.CSS("#scan-again")), chromedp.WaitVisible(chromedp.CSS("#progress")))
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
	step(t, ctx, "decoder", chromedp.Navigate(base+"/decoder"),
		chromedp.SetValue(chromedp.CSS("#pem"), pemOf(leafDER, ca.der)),
		chromedp.SendKeys(chromedp.CSS("#host"), "evil.test"),
		chromedp.Click(chromedp.CSS("#decode")),
		chromedp.WaitVisible(chromedp.CSS("#decoded")))
	if txt := eval[string](t, ctx, `document.getElementById("decoded").innerText`); !strings.Contains(txt, "tlsaudit web test CA") || !strings.Contains(txt, "matches evil.test") || !strings.Contains(txt, `\<script\>alert(1)`) {
		t.Errorf("decoded chain:\n%s", txt)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("img").length`); n != 0 {
		t.Errorf("decoder: markup became elements")
	}
	shoot("decoder")

	// 6. The dashboard.
	step(t, ctx, "dashboard", chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS("#hosts")))
	if first := eval[string](t, ctx, `document.querySelector("#hosts tr:nth-child(2) a").textContent`); first != "shop.example.test" {
		t.Errorf("dashboard starts with %q, want the host expiring first", first)
	}
	shoot("dashboard")

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

	dialogsMu.Lock()
	defer dialogsMu.Unlock()
	if len(dialogs) > 0 {
		t.Errorf("a script ran: dialogs %q", dialogs)
	}
}
