// Package serve is "tlsaudit serve": a self-hosted SSL Labs. It answers the
// SSL Labs API (v3 and v4, as Qualys documents them) and a native API from
// assessments queued in a database (package serve/store) and run by workers
// with the tlsaudit pipeline. The stored tlsaudit report is the source of
// truth; every SSL Labs object is computed from it when asked.
package serve

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

// Target is one endpoint to audit: the host as asked (its name is the SNI
// and the name certificates must match), and the address to dial, already
// resolved and allowed.
type Target struct {
	Host string
	IP   netip.Addr
	Port int
}

// Auditor runs the tlsaudit pipeline on one endpoint. It must dial t.IP only
// (never resolve t.Host again) and return a report also when the endpoint
// could not be scanned (its Status and Error say why).
type Auditor func(ctx context.Context, t Target) *report.Report

// Config configures a Server.
type Config struct {
	Store store.Store
	Audit Auditor
	// Workers is the number of assessments run at once by this process
	// (default 2; 0 workers is allowed with NoWorkers, for an API-only
	// replica).
	Workers   int
	NoWorkers bool
	// Policy says which addresses may be assessed; Resolver resolves names
	// (default net.DefaultResolver).
	Policy   Policy
	Resolver Resolver
	// APIKeys: when non-empty every request must carry one, in the
	// X-API-Key header or as the URL prefix /k/KEY/.
	APIKeys []string
	// Emails: when non-empty, the v4 email header must be one of them;
	// otherwise it is only checked for syntax.
	Emails []string
	// MaxAssessments is how many queued or running assessments one client
	// may have (SSL Labs' maxAssessments; default 10). CoolOff is the least
	// time between two new assessments of one client (default 1s, negative:
	// none). Target
	// CoolOff: a new assessment of a host finished less than this ago is
	// not started, the finished one is returned (default 1 minute).
	MaxAssessments int
	CoolOff        time.Duration
	TargetCoolOff  time.Duration
	// Lease is how long a claimed assessment stays with its worker without
	// renewal (default 30s); a dead worker's assessment is taken over after
	// it. MaxAttempts: an assessment claimed this many times without
	// finishing is marked ERROR (default 2).
	Lease       time.Duration
	MaxAttempts int
	// MaxEndpoints caps the addresses assessed per host (default 8).
	MaxEndpoints int
	// AuditTimeout bounds one endpoint's audit (default 5 minutes).
	AuditTimeout time.Duration
	// Poll is how often an idle worker looks for work (default 500ms).
	Poll time.Duration
	// EngineVersion is reported as engineVersion (the tlsaudit version).
	EngineVersion string
	// Stores are the trust stores reports are validated against, for
	// getRootCertsRaw.
	Stores func() []checks.TrustStore
	// Pages, when set, serves every path outside the APIs (the web pages),
	// behind the same API key check.
	Pages http.Handler
	// Instance names this process in the queue (default: random).
	Instance string
	Log      *slog.Logger
}

// Server is the HTTP API and the workers.
type Server struct {
	cfg   Config
	mux   *http.ServeMux
	cache *renderCache

	mu       sync.Mutex
	lastNew  map[string]time.Time // client → time of its last new assessment
	took     durations            // endpoint audit times, for progress estimates
	workerWG sync.WaitGroup
}

// New checks cfg, fills its defaults and returns the server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("serve: no store")
	}
	if cfg.Audit == nil && !cfg.NoWorkers {
		return nil, errors.New("serve: no auditor")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.MaxAssessments <= 0 {
		cfg.MaxAssessments = 10
	}
	if cfg.CoolOff < 0 {
		cfg.CoolOff = 0 // none
	} else if cfg.CoolOff == 0 {
		cfg.CoolOff = time.Second
	}
	if cfg.TargetCoolOff < 0 {
		cfg.TargetCoolOff = 0
	} else if cfg.TargetCoolOff == 0 {
		cfg.TargetCoolOff = time.Minute
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 2
	}
	if cfg.MaxEndpoints <= 0 {
		cfg.MaxEndpoints = 8
	}
	if cfg.AuditTimeout <= 0 {
		cfg.AuditTimeout = 5 * time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	if cfg.EngineVersion == "" {
		cfg.EngineVersion = "(devel)"
	}
	if cfg.Stores == nil {
		cfg.Stores = func() []checks.TrustStore { return nil }
	}
	if cfg.Instance == "" {
		b := make([]byte, 6)
		rand.Read(b)
		cfg.Instance = hex.EncodeToString(b)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, lastNew: map[string]time.Time{}, cache: newRenderCache(512)}
	s.routes()
	return s, nil
}

// Store returns the server's store (for the web pages and monitoring).
func (s *Server) Store() store.Store { return s.cfg.Store }

// Handler returns the HTTP handler: the APIs, the pages (Config.Pages), and
// the API key check in front of both.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

// maxURL caps the request line: every API parameter is short.
const maxURL = 4096

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.RawQuery)+len(r.URL.Path) > maxURL {
		writeErrors(w, http.StatusRequestURITooLong, apiError{Message: "request URI too long"})
		return
	}
	// /k/KEY/rest: the key in the path, for clients that take only a URL.
	if rest, ok := strings.CutPrefix(r.URL.Path, "/k/"); ok {
		key, path, _ := strings.Cut(rest, "/")
		if !s.validKey(key) {
			writeErrors(w, http.StatusUnauthorized, apiError{Message: "invalid API key"})
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + path
		r2.URL.RawPath = ""
		r2.Header.Set("X-API-Key", key)
		r = r2
	} else if len(s.cfg.APIKeys) > 0 && !s.validKey(r.Header.Get("X-API-Key")) {
		writeErrors(w, http.StatusUnauthorized, apiError{Message: "an API key is required (X-API-Key header or /k/KEY/ URL prefix)"})
		return
	}
	// Clients join their API base and the call with "/": a base given with
	// a trailing slash ("-api http://HOST/api/v3/") asks for
	// ".../api/v3//analyze". Answer it as such; the mux would redirect every
	// poll, and not every client follows a redirect.
	if strings.Contains(r.URL.Path, "//") {
		r2 := r.Clone(r.Context())
		for strings.Contains(r2.URL.Path, "//") {
			r2.URL.Path = strings.ReplaceAll(r2.URL.Path, "//", "/")
		}
		r2.URL.RawPath = ""
		r = r2
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) validKey(k string) bool {
	if len(s.cfg.APIKeys) == 0 {
		return k == ""
	}
	ok := false
	for _, want := range s.cfg.APIKeys {
		if subtle.ConstantTimeCompare([]byte(k), []byte(want)) == 1 {
			ok = true
		}
	}
	return ok
}

func (s *Server) routes() {
	m := http.NewServeMux()
	for _, v := range []int{3, 4} {
		p := "/api/v" + string(rune('0'+v)) + "/"
		m.HandleFunc("GET "+p+"info", s.apiHandler(v, s.info))
		m.HandleFunc("GET "+p+"analyze", s.apiHandler(v, s.analyze))
		m.HandleFunc("GET "+p+"getEndpointData", s.apiHandler(v, s.endpointData))
		m.HandleFunc("GET "+p+"getStatusCodes", s.apiHandler(v, s.statusCodes))
		m.HandleFunc("GET "+p+"getRootCertsRaw", s.apiHandler(v, s.rootCerts))
		m.HandleFunc(p+"{rest...}", func(w http.ResponseWriter, r *http.Request) {
			writeErrors(w, http.StatusNotFound, apiError{Message: "unknown API call " + r.PathValue("rest")})
		})
	}
	m.HandleFunc("POST /api/v4/register", s.register)
	s.nativeRoutes(m)
	if s.cfg.Pages != nil {
		m.Handle("/", s.cfg.Pages)
	}
	s.mux = m
}

// clientOf names who is asking: the API key, the v4 e-mail, or the remote
// address.
func clientOf(r *http.Request) string {
	if k := r.Header.Get("X-API-Key"); k != "" {
		return "key:" + keyName(k)
	}
	if e := strings.TrimSpace(r.Header.Get("email")); e != "" {
		return "email:" + strings.ToLower(e)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + host
}

// keyName is a stable, non-secret name of an API key (stored as the client
// of its assessments).
func keyName(k string) string {
	if len(k) <= 4 {
		return "****"
	}
	return k[:4] + "…"
}

// Run starts the workers and blocks until ctx is done and they have
// stopped. A running assessment is abandoned (its lease lapses and a worker
// takes it over), never reported finished when it was not.
func (s *Server) Run(ctx context.Context) {
	if s.cfg.NoWorkers {
		<-ctx.Done()
		return
	}
	for i := range s.cfg.Workers {
		s.workerWG.Add(1)
		go func() {
			defer s.workerWG.Done()
			s.worker(ctx, i)
		}()
	}
	s.workerWG.Wait()
}
