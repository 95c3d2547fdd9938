// Package web is the browser front end of "tlsaudit serve": a form to
// start an assessment, the assessment page at SSL Labs' URL
// (/ssltest/analyze.html?d=HOST) with live progress and the tlsaudit HTML
// report, a host's history (an SVG chart of grade and days to expiry, and
// the changes between two reports), a certificate decoder, and the
// dashboard of monitored hosts.
//
// Every page is one self-contained document: inline CSS, no external
// asset, and one constant inline script allowed by its hash in the
// Content-Security-Policy (it polls the progress of a running assessment
// and marks the page rendered). Pages are rendered with html/template, so
// every string from a server, a report or a request is escaped for its
// context; the policy forbids any other script even if markup slipped
// through.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/inspect"
	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
	"github.com/tlsaudit/tlsaudit/serve/monitor"
)

// Assessment is one assessment of a host as the pages show it.
type Assessment struct {
	ID         int64
	Host       string // the host key: name or address, ":port" unless 443
	State      string // queued, running, ready, error
	Message    string
	Grade      string // worst endpoint grade
	CreatedAt  time.Time
	FinishedAt time.Time // zero until finished
	Endpoints  []Endpoint
}

// Finished says whether the assessment is over.
func (a *Assessment) Finished() bool { return a.State == "ready" || a.State == "error" }

// Endpoint is one address of an assessed host.
type Endpoint struct {
	IP      string
	State   string // pending, running, ready, error
	Message string
	Grade   string
	// Progress (percent) and ETA (seconds) are the SSL Labs API's
	// estimates while the endpoint runs; -1 while pending.
	Progress int
	ETA      int
	Report   *report.Report // nil until ready
}

// ErrNotFound is returned by Backend reads when there is nothing.
var ErrNotFound = errors.New("not found")

// Backend is the server the pages read from and start assessments on.
type Backend interface {
	// Key normalises a host as typed (a name or address with an optional
	// port) to the key its assessments are stored under. Its error is
	// shown to the user.
	Key(host string) (string, error)
	// Start returns the running assessment of host, or starts one (fresh:
	// even when a recent finished one exists), under the server's limits
	// and target policy for the client of r. Its error is shown to the
	// user.
	Start(ctx context.Context, r *http.Request, host string, fresh bool) (*Assessment, error)
	// Active is the queued or running assessment of key; Latest its newest
	// finished one; Get one by ID (ErrNotFound when none).
	Active(ctx context.Context, key string) (*Assessment, error)
	Latest(ctx context.Context, key string) (*Assessment, error)
	Get(ctx context.Context, id int64) (*Assessment, error)
	// History lists key's assessments, newest first; Recent the newest
	// assessment of the most recently assessed hosts.
	History(ctx context.Context, key string, limit int) ([]*Assessment, error)
	Recent(ctx context.Context, limit int) ([]*Assessment, error)
}

// Monitor is the set of monitored hosts (package serve/monitor).
type Monitor interface {
	Hosts() []monitor.Host
	Add(target string) error
	Remove(target string) error
	Trigger(target string) bool
}

// Config configures the pages.
type Config struct {
	Backend Backend
	// Monitor, when set, enables the dashboard.
	Monitor Monitor
	// Stores validate chains pasted on the decoder page (default: the
	// Mozilla store).
	Stores func() []checks.TrustStore
	// ExpiryWarn: a leaf expiring within it is flagged (default 21 days).
	ExpiryWarn time.Duration
	Tool       report.Tool
	Log        *slog.Logger
	Now        func() time.Time
}

// Pages serves the web front end.
type Pages struct {
	cfg Config
	mux *http.ServeMux
}

// New returns the pages.
func New(cfg Config) (*Pages, error) {
	if cfg.Backend == nil {
		return nil, errors.New("web: no backend")
	}
	if cfg.Stores == nil {
		cfg.Stores = func() []checks.TrustStore { return []checks.TrustStore{truststore.Mozilla()} }
	}
	if cfg.ExpiryWarn <= 0 {
		cfg.ExpiryWarn = 21 * 24 * time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tool.Name == "" {
		cfg.Tool.Name = "tlsaudit"
	}
	p := &Pages{cfg: cfg, mux: http.NewServeMux()}
	p.mux.HandleFunc("GET /{$}", p.home)
	p.mux.HandleFunc("GET /ssltest/analyze.html", p.analyze)
	p.mux.HandleFunc("GET /ssltest/status.json", p.status)
	p.mux.HandleFunc("GET /history", p.history)
	p.mux.HandleFunc("GET /decoder", p.decoder)
	p.mux.HandleFunc("POST /decoder", p.decoder)
	p.mux.HandleFunc("GET /dashboard", p.dashboard)
	p.mux.HandleFunc("POST /dashboard", p.dashboardPost)
	p.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p.fail(w, r, http.StatusNotFound, "No such page.")
	})
	return p, nil
}

func (p *Pages) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// script is the only script of every page: it marks the page rendered and,
// on a running assessment's page, polls its status, updates the endpoint
// table in place (text and <progress> elements only, never markup) and
// opens the report when done. Its progress text is progressText's.
const script = `document.body.setAttribute("data-rendered","ok");(function(){var p=document.getElementById("progress");if(!p)return;var n=0;function prog(e){var t=e.state;if(e.state==="running"&&e.progress>=0){t+=" "+e.progress+"%";if(e.eta>0)t+=", about "+e.eta+" s left"}return t}function tick(){fetch(p.getAttribute("data-status"),{cache:"no-store"}).then(function(r){if(!r.ok)throw r.status;return r.json()}).then(function(s){document.getElementById("state").textContent=s.state+(s.message?": "+s.message:"");var tb=document.getElementById("eps");tb.textContent="";s.endpoints.forEach(function(e){var tr=document.createElement("tr");[e.ip,prog(e),e.grade||"",e.message||""].forEach(function(v,i){var td=document.createElement("td");td.textContent=v;if(i===1&&e.state==="running"&&e.progress>=0){var b=document.createElement("progress");b.max=100;b.value=e.progress;td.appendChild(b)}tr.appendChild(td)});tb.appendChild(tr)});p.setAttribute("data-polls",String(++n));if(s.done){location.replace(p.getAttribute("data-done"))}else{setTimeout(tick,700)}}).catch(function(){setTimeout(tick,2000)})}setTimeout(tick,300)})();`

// RenderedMarker is what the script adds to <body>.
const RenderedMarker = `data-rendered="ok"`

// CSP is the pages' Content-Security-Policy.
var CSP = func() string {
	sum := sha256.Sum256([]byte(script))
	return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; form-action 'self'; " +
		"base-uri 'none'; frame-ancestors 'none'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

//go:embed pages.tmpl
var pagesSource string

var pages = template.Must(template.New("pages").Funcs(template.FuncMap{
	"gradeClass": gradeClass,
	"time":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"date":       func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"oneLine":    oneLine,
	"analyzeURL": analyzeURL,
	"historyURL": func(host string) string { return "/history?d=" + url.QueryEscape(host) },
	"short":      shortDN,
	"add":        func(a, b int) int { return a + b },
	"progress":   progressText,
}).Parse(pagesSource))

// progressText is an endpoint's state with its progress and ETA while it
// runs, as the page's script writes it.
func progressText(ep Endpoint) string {
	t := ep.State
	if ep.State == "running" && ep.Progress >= 0 {
		t += " " + strconv.Itoa(ep.Progress) + "%"
		if ep.ETA > 0 {
			t += ", about " + strconv.Itoa(ep.ETA) + " s left"
		}
	}
	return t
}

// page is the data every page template gets.
type page struct {
	Title  string
	CSP    string
	Script template.JS
	Style  template.CSS
	Tool   report.Tool
	Base   string // the path prefix of every link: "" or /k/KEY
	Nav    string // the current section: home, dashboard, decoder
	Dash   bool   // the dashboard is enabled
	Body   any
	Report template.HTML // the embedded report sections (already escaped)
}

// basePath is the prefix the page's links need: a request that came
// through the API key path (/k/KEY/..., which the server rewrites into the
// X-API-Key header) links back through it.
func basePath(r *http.Request) string {
	k := r.Header.Get("X-API-Key")
	if k == "" || strings.ContainsAny(k, "/?#%") {
		return ""
	}
	return "/k/" + url.PathEscape(k)
}

func (p *Pages) render(w http.ResponseWriter, r *http.Request, code int, name, nav, title string, body any, rep template.HTML) {
	pg := page{Title: title, CSP: CSP, Script: template.JS(script), Tool: p.cfg.Tool, Nav: nav, Base: basePath(r),
		Dash: p.cfg.Monitor != nil, Body: body, Report: rep, Style: template.CSS(baseCSS)}
	if rep != "" {
		pg.Style = template.CSS(report.HTMLStyle() + baseCSS)
	}
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, pg); err != nil {
		p.cfg.Log.Error("web: rendering", "page", name, "err", err)
		http.Error(w, "rendering failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

func (p *Pages) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	p.render(w, r, code, "error", "", "Error", struct {
		Code    int
		Message string
		Host    string
	}{code, msg, r.URL.Query().Get("d")}, "")
}

func analyzeURL(host string, extra ...string) string {
	v := url.Values{"d": {host}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/ssltest/analyze.html?" + v.Encode()
}

// --- home ---

func (p *Pages) home(w http.ResponseWriter, r *http.Request) {
	recent, err := p.cfg.Backend.Recent(r.Context(), 25)
	if err != nil {
		p.cfg.Log.Warn("web: recent", "err", err)
	}
	p.render(w, r, http.StatusOK, "home", "home", "tlsaudit", struct{ Recent []*Assessment }{recent}, "")
}

// --- analyze ---

type analyzeBody struct {
	Host      string
	A         *Assessment
	Endpoint  string // s=IP selected
	Endpoints []endpointRow
	Earlier   []*Assessment
	StatusURL string
	DoneURL   string
}

type endpointRow struct {
	Endpoint
	URL      string
	Selected bool
}

func (p *Pages) analyze(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := strings.TrimSpace(q.Get("d"))
	if d == "" {
		http.Redirect(w, r, basePath(r)+"/", http.StatusSeeOther)
		return
	}
	key, err := p.cfg.Backend.Key(d)
	if err != nil {
		p.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	var a *Assessment
	switch {
	case q.Get("id") != "":
		id, perr := strconv.ParseInt(q.Get("id"), 10, 64)
		if perr != nil || id <= 0 {
			p.fail(w, r, http.StatusBadRequest, "id: want a positive integer")
			return
		}
		a, err = p.cfg.Backend.Get(ctx, id)
		if err == nil && a.Host != key {
			err = ErrNotFound
		}
	case q.Get("clearCache") == "on" || q.Get("startNew") == "on":
		a, err = p.cfg.Backend.Start(ctx, r, d, true)
		if err == nil {
			// The scan-again link must not start another one on reload.
			http.Redirect(w, r, basePath(r)+analyzeURL(key, "id", strconv.FormatInt(a.ID, 10)), http.StatusSeeOther)
			return
		}
	default:
		a, err = p.cfg.Backend.Active(ctx, key)
		if errors.Is(err, ErrNotFound) {
			a, err = p.cfg.Backend.Latest(ctx, key)
		}
		if errors.Is(err, ErrNotFound) && !q.Has("latest") {
			a, err = p.cfg.Backend.Start(ctx, r, d, false)
		}
	}
	if errors.Is(err, ErrNotFound) {
		p.fail(w, r, http.StatusNotFound, "No assessment of "+key+" yet.")
		return
	}
	if err != nil {
		p.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	body := analyzeBody{Host: key, A: a, Endpoint: q.Get("s")}
	id := strconv.FormatInt(a.ID, 10)
	if !a.Finished() {
		body.StatusURL = "/ssltest/status.json?id=" + id
		body.DoneURL = analyzeURL(key, "id", id)
		p.render(w, r, http.StatusOK, "progress", "", "Assessing "+key, body, "")
		return
	}
	var reps []*report.Report
	for _, ep := range a.Endpoints {
		row := endpointRow{Endpoint: ep, URL: analyzeURL(key, "id", id, "s", ep.IP), Selected: ep.IP == body.Endpoint}
		body.Endpoints = append(body.Endpoints, row)
		if ep.Report != nil && (body.Endpoint == "" || row.Selected) {
			reps = append(reps, ep.Report)
		}
	}
	if hist, herr := p.cfg.Backend.History(ctx, key, 11); herr == nil {
		for _, h := range hist {
			if h.ID != a.ID && h.Finished() {
				body.Earlier = append(body.Earlier, h)
			}
		}
	}
	var sections bytes.Buffer
	if len(reps) > 0 {
		if err := report.RenderHTMLSections(&sections, reps); err != nil {
			p.cfg.Log.Error("web: report", "err", err)
		}
	}
	// RenderHTMLSections escaped every string it wrote (html/template).
	p.render(w, r, http.StatusOK, "analyze", "", key+": "+gradeOr(a.Grade), body, template.HTML(sections.String()))
}

func gradeOr(g string) string {
	if g == "" {
		return "no grade"
	}
	return "grade " + g
}

// statusJSON is the progress the page's script polls.
type statusJSON struct {
	State     string         `json:"state"`
	Message   string         `json:"message,omitempty"`
	Done      bool           `json:"done"`
	Endpoints []statusDetail `json:"endpoints"`
}

type statusDetail struct {
	IP       string `json:"ip"`
	State    string `json:"state"`
	Progress int    `json:"progress"` // percent, -1 while pending
	ETA      int    `json:"eta"`      // seconds, -1 while pending
	Grade    string `json:"grade,omitempty"`
	Message  string `json:"message,omitempty"`
}

func (p *Pages) status(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err != nil || id <= 0 {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"id: want a positive integer"}`))
		return
	}
	a, err := p.cfg.Backend.Get(r.Context(), id)
	if err != nil {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"no such assessment"}`))
		return
	}
	out := statusJSON{State: a.State, Message: oneLine(a.Message), Done: a.Finished(), Endpoints: []statusDetail{}}
	for _, ep := range a.Endpoints {
		out.Endpoints = append(out.Endpoints, statusDetail{IP: ep.IP, State: ep.State, Progress: ep.Progress, ETA: ep.ETA, Grade: ep.Grade, Message: oneLine(ep.Message)})
	}
	json.NewEncoder(w).Encode(out)
}

// --- decoder ---

type decoderBody struct {
	Text   string
	Host   string
	Error  string
	Result *inspect.Result
}

// maxPaste caps the decoder's input.
const maxPaste = 1 << 20

func (p *Pages) decoder(w http.ResponseWriter, r *http.Request) {
	var body decoderBody
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxPaste+4096)
		if err := r.ParseForm(); err != nil {
			p.fail(w, r, http.StatusRequestEntityTooLarge, "The text is larger than 1 MiB.")
			return
		}
		body.Text = r.PostForm.Get("pem")
		body.Host = strings.TrimSpace(r.PostForm.Get("host"))
		var in inspect.Input
		if err := in.Add("pasted", []byte(body.Text)); err != nil {
			body.Error = "Nothing to analyse: paste certificates, a CSR or a private key in PEM form."
		} else {
			env := checks.Env{Now: p.cfg.Now().UTC(), ExpiryWarn: p.cfg.ExpiryWarn, Hostname: body.Host, Stores: p.cfg.Stores()}
			res := inspect.Inspect(in, []string{"pasted"}, env)
			body.Result = &res
		}
		// What was pasted is not kept: it lives in this response only.
		body.Text = ""
	}
	p.render(w, r, http.StatusOK, "decoder", "decoder", "Certificate decoder", body, "")
}

// --- dashboard ---

type dashRow struct {
	monitor.Host
	Grade     string
	GradeRank int
	DaysLeft  *int
	Expiring  bool
	Failing   []policyfile.Violation
	URL       string
}

type dashBody struct {
	Rows  []dashRow
	Sort  string
	Error string
}

func (p *Pages) dashRows(sortBy string) []dashRow {
	now := p.cfg.Now()
	var rows []dashRow
	for _, h := range p.cfg.Monitor.Hosts() {
		row := dashRow{Host: h, Failing: h.Violations, GradeRank: 99, URL: analyzeURL(h.Target, "latest", "")}
		for _, r := range h.Reports {
			if r.Grade != nil && r.Grade.Letter != "" {
				rank, _ := policyfile.GradeRank(r.Grade.Letter)
				if row.Grade == "" || rank < row.GradeRank {
					row.Grade, row.GradeRank = string(r.Grade.Letter), rank
				}
			}
			if d, ok := daysLeft(r, now); ok && (row.DaysLeft == nil || d < *row.DaysLeft) {
				row.DaysLeft = &d
			}
		}
		row.Expiring = row.DaysLeft != nil && time.Duration(*row.DaysLeft)*24*time.Hour < p.cfg.ExpiryWarn
		rows = append(rows, row)
	}
	days := func(r dashRow) int {
		if r.DaysLeft == nil {
			return 1 << 30
		}
		return *r.DaysLeft
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if sortBy == "grade" {
			if a.GradeRank != b.GradeRank {
				return a.GradeRank < b.GradeRank
			}
			return days(a) < days(b)
		}
		if days(a) != days(b) {
			return days(a) < days(b)
		}
		return a.GradeRank < b.GradeRank
	})
	return rows
}

// daysLeft is the days until the earliest leaf of r expires, from now.
func daysLeft(r *report.Report, now time.Time) (int, bool) {
	if r.Observation == nil {
		return 0, false
	}
	var first time.Time
	for _, ch := range r.Observation.Chains {
		if len(ch.Certificates) > 0 && !ch.Certificates[0].NotAfter.IsZero() {
			if na := ch.Certificates[0].NotAfter; first.IsZero() || na.Before(first) {
				first = na
			}
		}
	}
	if first.IsZero() {
		return 0, false
	}
	return int(first.Sub(now).Hours() / 24), true
}

func (p *Pages) dashboard(w http.ResponseWriter, r *http.Request) {
	if p.cfg.Monitor == nil {
		p.fail(w, r, http.StatusNotFound, "Monitoring is off: start the server with --watch FILE or --monitor.")
		return
	}
	sortBy := r.URL.Query().Get("sort")
	if sortBy != "grade" {
		sortBy = "expiry"
	}
	p.render(w, r, http.StatusOK, "dashboard", "dashboard", "Monitored hosts", dashBody{Rows: p.dashRows(sortBy), Sort: sortBy}, "")
}

// crossOrigin refuses a form posted from another site, by the request's
// Sec-Fetch-Site, else its Origin against its Host (net/http's check). The
// pages' Referrer-Policy (no-referrer) makes browsers send "Origin: null"
// with their own forms, so Sec-Fetch-Site is what accepts them.
var crossOrigin = http.NewCrossOriginProtection()

func (p *Pages) dashboardPost(w http.ResponseWriter, r *http.Request) {
	if p.cfg.Monitor == nil {
		p.fail(w, r, http.StatusNotFound, "Monitoring is off.")
		return
	}
	if crossOrigin.Check(r) != nil {
		p.fail(w, r, http.StatusForbidden, "Cross-site form refused.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8192)
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, http.StatusBadRequest, "Bad form.")
		return
	}
	target := strings.TrimSpace(r.PostForm.Get("target"))
	switch r.PostForm.Get("action") {
	case "add":
		if _, err := p.cfg.Backend.Key(target); err != nil {
			p.dashError(w, r, http.StatusBadRequest, err)
			return
		}
		if err := p.cfg.Monitor.Add(target); err != nil {
			p.dashError(w, r, http.StatusBadRequest, err)
			return
		}
	case "remove":
		if err := p.cfg.Monitor.Remove(target); err != nil {
			p.dashError(w, r, http.StatusInternalServerError, err)
			return
		}
	case "audit":
		p.cfg.Monitor.Trigger(target)
	default:
		p.fail(w, r, http.StatusBadRequest, "Unknown action.")
		return
	}
	http.Redirect(w, r, basePath(r)+"/dashboard", http.StatusSeeOther)
}

// dashError shows the dashboard with err above it.
func (p *Pages) dashError(w http.ResponseWriter, r *http.Request, code int, err error) {
	p.render(w, r, code, "dashboard", "dashboard", "Monitored hosts",
		dashBody{Rows: p.dashRows("expiry"), Sort: "expiry", Error: err.Error()}, "")
}

// --- helpers ---

func gradeClass(letter string) string {
	switch {
	case letter == "":
		return "g-none"
	case strings.HasPrefix(letter, "A"):
		return "g-a"
	case letter == "B", letter == "C":
		return "g-b"
	}
	return "g-f"
}

// oneLine makes server text one line: control characters become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, s)
}

// shortDN is a DN's CN when it has one.
func shortDN(dn string) string {
	for _, part := range strings.Split(dn, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "CN="); ok {
			return v
		}
	}
	return dn
}
