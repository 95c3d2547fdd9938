package report_test

// End-to-end: scan a loopback server whose certificate subject and HTTP
// headers hold markup, build the report from the real observation, write
// the HTML file atomically and render it in headless Chromium.

import (
	"bytes"
	"context"
	"crypto/tls"
	"image"
	"image/color"
	"image/png"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/checks/cert"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// hostileCN is the leaf's subject CN: a script element, both quote kinds
// and an attribute breakout.
const hostileCN = `<script>alert(1)</script>"q'x"><img src=x onerror=alert(2)>`

// hostileHeader is sent as the Server header.
const hostileHeader = `<script>alert(3)</script>`

// scanHostile starts the loopback server, scans it and returns its report.
func scanHostile(t *testing.T) *report.Report {
	t.Helper()
	pki, err := tlstest.SharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	const name = "evil.tlsaudit.test"
	leaf, err := pki.IssueLeaf(tlstest.LeafOptions{CommonName: hostileCN, DNSNames: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	srv := tlstest.NewGoServerT(t, &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}},
		tlstest.GoServerName(name), tlstest.GoHeader("Server", hostileHeader))
	ip, err := netip.ParseAddr(srv.Host)
	if err != nil || !ip.IsLoopback() {
		t.Fatalf("server listens on %q, not loopback", srv.Host)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	target := scan.Target{Input: "evil", Host: name, Port: srv.Port, IP: ip, SNI: name}
	o := scan.New(scan.Options{Timeout: 60 * time.Second}).Scan(ctx, target)
	if o.Status != "ok" {
		t.Fatalf("scan status %s: %s", o.Status, o.Error)
	}
	env := checks.Env{Now: o.Started, Hostname: name,
		Stores: []checks.TrustStore{{Name: "test-pki", Roots: [][]byte{pki.RootDER}}, truststore.Mozilla()}}
	findings := all.Registry().Run(o, env)
	r := report.New(report.Tool{Name: "tlsaudit", Version: "e2e"}, o, findings, grade.Compute(o, findings, grade.Options{}))
	r.Certificates = cert.Analyze(o, env)
	return r
}

func TestHTMLEndToEndChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is needed for the HTML end-to-end test (Debian package chromium, installed by .ci/run): %v", err)
	}
	r := scanHostile(t)
	if subj := r.Observation.Chains[0].Certificates[0].Subject; !strings.Contains(subj, "<") || !strings.Contains(subj, "alert(1)") {
		t.Fatalf("the scanned subject %q lost its markup: the test would prove nothing", r.Observation.Chains[0].Certificates[0].Subject)
	}

	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	w, err := report.NewFileWriter("html", page, report.Style{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(r); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	assertEscaped(t, html)
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the atomic write left %d files in the directory, want only report.html", len(entries))
	}

	profile := filepath.Join(dir, "profile")
	shot := filepath.Join(dir, "report.png")
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, chromium, append(base, "--enable-logging=stderr", "--v=0",
		"--screenshot="+shot, "--window-size=1280,2000", "file://"+page)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, out)
	}
	for _, bad := range []string{"Uncaught", "Refused to", "Content Security Policy"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("chromium logged %q while loading the page:\n%s", bad, out)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, out)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot is %dx%d, want 1280x2000", b.Dx(), b.Dy())
	}
	if colors := distinctColors(img); colors < 16 {
		t.Errorf("screenshot has only %d colours: the page did not render", colors)
	}
	if keep := os.Getenv("TLSAUDIT_KEEP_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		_ = os.WriteFile(keep, b, 0o644)
	}

	// The DOM after load: the page's own script ran (the marker is there),
	// and it is the only script element.
	dom, err := exec.CommandContext(ctx, chromium, append(base, "--dump-dom", "file://"+page)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	if !bytes.Contains(dom, []byte(report.RenderedMarker)) {
		t.Errorf("the rendered DOM lacks the marker %s: the page's script did not run", report.RenderedMarker)
	}
	if n := bytes.Count(dom, []byte("<script")); n != 1 {
		t.Errorf("the rendered DOM has %d script elements, want 1 (the page's own)", n)
	}
	if bytes.Contains(dom, []byte("<img")) {
		t.Errorf("markup from the certificate became an element in the DOM")
	}
	if !bytes.Contains(dom, []byte("evil.tlsaudit.test")) {
		t.Errorf("the DOM does not show the scanned target")
	}

	// Printing (the print style sheet) gives a PDF.
	pdf := filepath.Join(dir, "report.pdf")
	if out, err := exec.CommandContext(ctx, chromium, append(base, "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+page)...).CombinedOutput(); err != nil {
		t.Fatalf("chromium --print-to-pdf: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) || len(b) < 10000 {
		t.Errorf("printing gave no PDF (%d bytes, %v)", len(b), err)
	}
}

// assertEscaped checks that no server string reached the page as markup.
func assertEscaped(t *testing.T, html []byte) {
	t.Helper()
	// Subjects are RFC 4514 strings ("CN=\\<script\\>..."): the backslash
	// escapes are not HTML escapes, so look for the markup with and without.
	for _, raw := range []string{"<script>alert", `<script\>alert`, "<img", `\<img`, "onerror=alert(2)>"} {
		if bytes.Contains(html, []byte(raw)) {
			t.Errorf("raw server markup %q appears in the HTML", raw)
		}
	}
	if !bytes.Contains(html, []byte("&lt;script")) || !bytes.Contains(html, []byte("alert(1)")) {
		t.Errorf("the escaped certificate subject is not in the HTML")
	}
	if n := bytes.Count(html, []byte("<script")); n != 1 {
		t.Errorf("the HTML has %d script tags, want exactly the page's own", n)
	}
}

// TestHTMLEscapesServerStrings: the report of a real scan of the hostile
// server matches the JSON schema, and its subject and header are escaped
// in the HTML and never raw markup in JUnit.
func TestHTMLEscapesServerStrings(t *testing.T) {
	r := scanHostile(t)
	// The report of a real scan also matches the JSON schema.
	validJSONL(t, r)
	var buf bytes.Buffer
	if err := report.RenderHTML(&buf, []*report.Report{r}); err != nil {
		t.Fatal(err)
	}
	assertEscaped(t, buf.Bytes())
	if h := r.Observation.HTTP; h == nil || len(h.Server) != 1 || h.Server[0] != hostileHeader {
		t.Fatalf("the scan did not record the hostile Server header: %+v", h)
	}
	if !bytes.Contains(buf.Bytes(), []byte("&lt;script&gt;alert(3)&lt;/script&gt;")) {
		t.Errorf("the Server header is not shown escaped")
	}
	for _, format := range []string{"junit", "sarif"} {
		var b bytes.Buffer
		w, _ := report.NewWriter(format, &b, report.Style{})
		_ = w.Write(r)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if format == "junit" && bytes.Contains(b.Bytes(), []byte("<script")) {
			t.Errorf("junit output holds raw markup")
		}
	}
}

// distinctColors counts the distinct colours of img, sampled every 8 pixels.
func distinctColors(img image.Image) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 8 {
		for x := b.Min.X; x < b.Max.X; x += 8 {
			seen[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)] = true
		}
	}
	return len(seen)
}

// validJSONL is r in the jsonl format, checked against the JSON schema.
func validJSONL(t *testing.T, r *report.Report) []byte {
	t.Helper()
	var js bytes.Buffer
	w, _ := report.NewWriter("jsonl", &js, report.Style{})
	if err := w.Write(r); err != nil {
		t.Fatal(err)
	}
	for _, e := range report.ValidateJSON(t, js.Bytes()) {
		t.Errorf("schema: %s", e)
	}
	return js.Bytes()
}
