package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/checks/strength"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// The HTML report is one self-contained page (inline CSS, no external
// assets) rendered with html/template, so every string from the server is
// escaped for its context. Its only script is a constant one-liner that
// marks the page as rendered (end-to-end tests look for the mark); a
// Content-Security-Policy allows that script by hash and nothing else, so
// even markup that slipped through escaping could not run.

//go:embed html.tmpl
var htmlSource string

// renderedScript is the page's only script.
const renderedScript = `document.body.setAttribute("data-rendered","ok");`

// RenderedMarker is what the rendered script adds to <body>: its presence in
// a browser's DOM shows the page loaded and ran without a script error.
const RenderedMarker = `data-rendered="ok"`

// htmlCSP is the page's Content-Security-Policy.
var htmlCSP = sync.OnceValue(func() string {
	sum := sha256.Sum256([]byte(renderedScript))
	return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'"
})

// htmlTemplate is parsed on first use: only --format html needs it, and
// parsing it at start-up took half a millisecond of every run.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"gradeClass": gradeClass,
		"barClass":   barClass,
		"strength":   func(proto string, s obs.Suite) string { return string(strength.Suite(proto, s)) },
		"kx":         kxText,
		"hex4":       func(id uint16) string { return fmt.Sprintf("0x%04x", id) },
		"suiteID": func(proto string, s obs.Suite) string {
			if proto == "SSLv2" && s.ID24 != 0 {
				return fmt.Sprintf("0x%06x", s.ID24)
			}
			return fmt.Sprintf("0x%04x", s.ID)
		},
		"order":    orderText,
		"oneLine":  oneLine,
		"keyText":  keyText,
		"certName": certName,
		"verdict":  Verdict,
		"statusClass": func(s checks.Status) string {
			return "st-" + strings.ReplaceAll(string(s), "_", "-")
		},
		"join":   strings.Join,
		"refURL": RefURL,
		"short":  fingerprintPrefix,
		"date":   func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"add":    func(a, b int) int { return a + b },
		"plural": plural,
	}).Parse(htmlSource))
})

// renderHTMLBytes is the html format: one page for all reports.
func renderHTMLBytes(reports []*Report) ([]byte, error) {
	var b bytes.Buffer
	err := RenderHTML(&b, reports)
	return b.Bytes(), err
}

// htmlPage is the data of the page template.
type htmlPage struct {
	CSP     string
	Script  template.JS
	Tool    Tool
	Title   string
	Targets []htmlTarget
}

// htmlTarget is the data of one target's section.
type htmlTarget struct {
	*Report
	Anchor      string
	Name        string
	Address     string
	OK          bool
	Subs        []SubScore
	Fixes       []grade.Cap
	Chains      []htmlChain
	Vulns       []checks.Finding
	Probes      []probeRow
	HTTP        *httpView
	HTTPChecks  []checks.Finding
	Failed      []severityGroup
	Others      []checks.Finding
	Counts      []field
	Handshake   []field
	FailedCount int
	// MozillaLine and MozillaDeviations: the profile met and what the next
	// stricter one needs.
	MozillaLine       string
	MozillaDeviations []string
}

// htmlChain is one served chain for the diagram.
type htmlChain struct {
	Title string
	Boxes []htmlCertBox
	Trust []htmlTrust
	Notes []string
	// Facts about the leaf, staple and SCTs, when analysed.
	Facts []field
}

// htmlCertBox is one certificate box of a chain diagram.
type htmlCertBox struct {
	Role    string // "leaf", "intermediate", "root", "anchor", "extra"
	Subject string
	Issuer  string
	Key     string
	Expires string
	Bad     bool
	SHA256  string
	Source  string
}

// htmlTrust is the verdict of one trust store with its path.
type htmlTrust struct {
	Store   string
	Trusted bool
	// Expected: untrusted by a public store on a private PKI (neutral).
	Expected      bool
	Reason        string
	Informational bool   // does not decide the grade
	Note          string // where the store comes from, how old it is
	Path          []htmlCertBox
}

// RenderHTML writes the HTML page for reports to w.
func RenderHTML(w io.Writer, reports []*Report) error {
	page := htmlPage{CSP: htmlCSP(), Script: template.JS(renderedScript), Title: "tlsaudit report"}
	for i, r := range reports {
		if i == 0 {
			page.Tool = r.Tool
		}
		page.Targets = append(page.Targets, htmlTargetOf(i, r))
	}
	if len(reports) == 1 {
		page.Title = "tlsaudit: " + oneLine(reports[0].TargetName())
	}
	if err := htmlTemplate().Execute(w, page); err != nil {
		return fmt.Errorf("report: rendering HTML: %w", err)
	}
	return nil
}

// HTMLStyle is the report's style sheet, for a page that embeds report
// sections (RenderHTMLSections) in its own document.
func HTMLStyle() string {
	var b strings.Builder
	if err := htmlTemplate().ExecuteTemplate(&b, "style", nil); err != nil {
		panic(err) // a constant template
	}
	return b.String()
}

// RenderHTMLSections writes the body of the HTML page for reports (the
// sections RenderHTML puts between the page's heading and footer), escaped
// as there, for a page that embeds them with HTMLStyle.
func RenderHTMLSections(w io.Writer, reports []*Report) error {
	page := htmlPage{}
	for i, r := range reports {
		page.Targets = append(page.Targets, htmlTargetOf(i, r))
	}
	if err := htmlTemplate().ExecuteTemplate(w, "targets", page); err != nil {
		return fmt.Errorf("report: rendering HTML: %w", err)
	}
	return nil
}

func htmlTargetOf(i int, r *Report) htmlTarget {
	t := htmlTarget{Report: r, Anchor: "target-" + strconv.Itoa(i+1), Name: oneLine(r.TargetName())}
	if r.Target.Host != "" {
		t.Address = hostPort(r.Target.Host, r.Target.Port)
		if r.Target.IP != "" && r.Target.IP != r.Target.Host {
			t.Address += " (" + r.Target.IP + ")"
		}
	}
	o := r.Observation
	t.OK = o != nil && o.Status == obs.StatusOK
	t.Subs = SubScores(r.Grade)
	t.Fixes = r.Grade.NextFixes()
	t.Chains = htmlChains(r)
	t.Vulns = findingsIn(r, "vuln")
	t.Probes = probeRows(r)
	t.HTTP = httpOf(r)
	t.HTTPChecks = findingsIn(r, "http")
	t.Failed = failedBySeverity(r)
	for _, g := range t.Failed {
		t.FailedCount += len(g.Findings)
	}
	for _, f := range r.Findings {
		if f.Status != checks.StatusFail {
			t.Others = append(t.Others, f)
		}
	}
	t.Counts = statusCounts(r.Findings)
	if o != nil && o.Handshake != nil {
		t.Handshake = jsonFields(o.Handshake)
	}
	if m := r.Mozilla; m != nil {
		t.MozillaLine = m.Line()
		if next, ok := m.Next(); ok {
			t.MozillaDeviations = next.Deviations
		}
	}
	return t
}

// leafFacts lists what the analysis says about a chain's leaf, staple and
// SCTs, one line each.
func leafFacts(ch *certanalysis.ChainAnalysis) []field {
	var out []field
	if lf := ch.Leaf; lf != nil {
		host := "no host name to match"
		if lf.Hostname != "" {
			host = oneLine(lf.Hostname) + " does not match"
			if lf.HostnameMatch {
				host = oneLine(lf.Hostname) + " matches " + oneLine(lf.MatchedName)
			}
		}
		out = append(out, field{"Host name", host})
		validity := fmt.Sprintf("%d days left, validity period %d days (maximum %d)", lf.DaysLeft, lf.ValidityDays, lf.MaxValidityDays)
		if lf.Expired {
			validity = fmt.Sprintf("expired %d days ago", -lf.DaysLeft)
		} else if lf.NotYetValid {
			validity = "not yet valid"
		}
		out = append(out, field{"Validity", validity})
		if len(lf.DNSNames)+len(lf.IPs) > 0 {
			out = append(out, field{"Names", oneLine(strings.Join(append(append([]string{}, lf.DNSNames...), lf.IPs...), ", "))})
		}
		if lf.Validation != "" {
			out = append(out, field{"Validation", lf.Validation})
		}
		out = append(out, field{"Must-staple", yesNo(lf.MustStaple)})
	}
	staple := "none"
	if st := ch.Staple; st != nil {
		staple = st.Status
		if st.Error != "" {
			staple += ": " + oneLine(st.Error)
		}
	}
	out = append(out, field{"OCSP staple", staple})
	out = append(out, field{"SCTs", strconv.Itoa(len(ch.SCTs))})
	return out
}

// htmlChains builds the chain diagrams: from the certificate analysis when
// the report has one (trust per store with its path), else from the chains
// as served.
func htmlChains(r *Report) []htmlChain {
	var started time.Time
	if r.Observation != nil {
		started = r.Observation.Started
	}
	if a := r.Certificates; a != nil {
		var out []htmlChain
		for i, ch := range a.Chains {
			hc := htmlChain{Title: fmt.Sprintf("Chain %d: %s, %s key", i+1, ch.Protocol, ch.KeyType)}
			for j, c := range ch.Certificates {
				hc.Boxes = append(hc.Boxes, summaryBox(j, len(ch.Certificates), c, started))
			}
			for _, st := range ch.Trust {
				ht := htmlTrust{Store: st.Store, Trusted: st.Trusted, Expected: !st.Trusted && ch.PrivatePKI, Reason: oneLine(st.Reason),
					Informational: st.Informational}
				if pv := st.Provenance; pv != nil {
					ht.Note = oneLine(pv.Describe())
				}
				if p := st.BestPath(); p != nil {
					for k, pc := range p.Certs {
						ht.Path = append(ht.Path, pathBox(k, len(p.Certs), pc))
					}
				}
				hc.Trust = append(hc.Trust, ht)
			}
			hc.Notes = chainProblems(&a.Chains[i])
			hc.Facts = leafFacts(&a.Chains[i])
			out = append(out, hc)
		}
		return out
	}
	if r.Observation == nil {
		return nil
	}
	var out []htmlChain
	for i, ch := range r.Observation.Chains {
		hc := htmlChain{Title: fmt.Sprintf("Chain %d: %s, %s key", i+1, ch.Protocol, ch.KeyType)}
		for j, c := range ch.Certificates {
			box := htmlCertBox{Role: role(j, len(ch.Certificates), c.IsCA, c.SelfSigned), Subject: certName(c.Subject, c),
				Issuer: certName(c.Issuer, c), Key: keyText(c), SHA256: c.SHA256, Source: "served"}
			box.Expires, box.Bad = expiryPlain(c.NotBefore, c.NotAfter, started)
			hc.Boxes = append(hc.Boxes, box)
		}
		out = append(out, hc)
	}
	return out
}

func summaryBox(i, n int, c certanalysis.CertSummary, started time.Time) htmlCertBox {
	box := htmlCertBox{Role: role(i, n, c.IsCA, c.SelfSigned), Subject: certSummaryName(c.Subject, c),
		Issuer: certSummaryName(c.Issuer, c), Key: certKeyText(c.Key), SHA256: c.SHA256, Source: "served"}
	box.Expires, box.Bad = expiryPlain(c.NotBefore, c.NotAfter, started)
	return box
}

func pathBox(i, n int, pc certanalysis.PathCert) htmlCertBox {
	r := "intermediate"
	switch {
	case i == 0:
		r = "leaf"
	case pc.Source == "store":
		r = "anchor"
	case i == n-1:
		r = "root"
	}
	return htmlCertBox{Role: r, Subject: oneLine(pc.Subject), SHA256: pc.SHA256, Source: pc.Source}
}

// role names a certificate's place in a served chain.
func role(i, n int, isCA, selfSigned bool) string {
	switch {
	case i == 0:
		return "leaf"
	case selfSigned:
		return "root"
	case isCA:
		return "intermediate"
	}
	return "extra"
}

// expiryPlain is NotAfter with the days left at the scan's start, and
// whether that is a problem (expired or not yet valid).
func expiryPlain(notBefore, notAfter, started time.Time) (string, bool) {
	if notAfter.IsZero() {
		return "", false
	}
	s := notAfter.UTC().Format("2006-01-02")
	if started.IsZero() {
		return s, false
	}
	days := obs.DaysLeft(notAfter, started)
	switch {
	case notAfter.Before(started):
		return fmt.Sprintf("%s (expired %d days before the scan)", s, -days), true
	case !notBefore.IsZero() && notBefore.After(started):
		return s + " (not yet valid)", true
	}
	return fmt.Sprintf("%s (%d days)", s, days), false
}

// gradeClass is the CSS class of a grade letter.
func gradeClass(letter grade.Letter) string {
	switch {
	case letter == "":
		return "g-none"
	case strings.HasPrefix(string(letter), "A"):
		return "g-a"
	case letter == "B", letter == "C":
		return "g-b"
	}
	return "g-f"
}

// barClass is the CSS class of a score bar.
func barClass(score int) string {
	switch {
	case score >= 80:
		return "bar-good"
	case score >= 50:
		return "bar-warn"
	}
	return "bar-bad"
}

// RefURL links a reference: URLs as they are, CVEs to NVD, CWEs to MITRE,
// RFCs to the RFC editor; "" when there is no link.
func RefURL(r checks.Ref) string {
	switch strings.ToLower(r.Kind) {
	case "url":
		if strings.HasPrefix(r.ID, "https://") || strings.HasPrefix(r.ID, "http://") {
			return r.ID
		}
	case "cve":
		return "https://nvd.nist.gov/vuln/detail/" + r.ID
	case "cwe":
		if n := strings.TrimPrefix(strings.ToUpper(r.ID), "CWE-"); n != "" {
			return "https://cwe.mitre.org/data/definitions/" + n + ".html"
		}
	case "rfc":
		f := strings.Fields(strings.TrimPrefix(strings.ToUpper(r.ID), "RFC"))
		if len(f) > 0 {
			if _, err := strconv.Atoi(f[0]); err == nil {
				return "https://www.rfc-editor.org/rfc/rfc" + f[0]
			}
		}
	}
	return ""
}

// firstNonEmpty returns the first of s that is not empty.
func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
