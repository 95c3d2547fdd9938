package serve

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/serve/store"
)

// apiError is one entry of an SSL Labs error response.
type apiError struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// writeErrors writes {"errors":[...]} with status code.
func writeErrors(w http.ResponseWriter, code int, errs ...apiError) {
	writeJSON(w, code, struct {
		Errors []apiError `json:"errors"`
	}{errs})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"errors":[{"message":"internal error"}]}`, http.StatusInternalServerError)
		return
	}
	writeRaw(w, code, b)
}

func writeRaw(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	w.Write(b)
}

// call is one API request being answered.
type call struct {
	v      int // API version, 3 or 4
	client string
	q      url.Values
}

type apiFunc func(ctx context.Context, w http.ResponseWriter, c *call)

// apiHandler checks what every call of one API version needs (the v4
// email header, the query's shape) and sets the assessment-count headers
// real clients track.
func (s *Server) apiHandler(v int, f apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			writeErrors(w, http.StatusBadRequest, apiError{Message: "malformed query string"})
			return
		}
		for k, vs := range q {
			if len(vs) > 1 {
				writeErrors(w, http.StatusBadRequest, apiError{Field: k, Message: "parameter given more than once"})
				return
			}
		}
		if v == 4 {
			if msg := s.checkEmail(r.Header.Get("email")); msg != "" {
				writeErrors(w, http.StatusBadRequest, apiError{Field: "email", Message: msg})
				return
			}
		}
		c := &call{v: v, client: clientOf(r), q: q}
		n, err := s.cfg.Store.CountActive(r.Context(), c.client)
		if err != nil {
			s.internal(w, err)
			return
		}
		w.Header().Set("X-Max-Assessments", strconv.Itoa(s.cfg.MaxAssessments))
		w.Header().Set("X-Current-Assessments", strconv.Itoa(n))
		f(r.Context(), w, c)
	}
}

func (s *Server) internal(w http.ResponseWriter, err error) {
	s.cfg.Log.Error("internal error", "err", err)
	writeErrors(w, http.StatusInternalServerError, apiError{Message: "internal error"})
}

func (s *Server) checkEmail(e string) string {
	e = strings.TrimSpace(e)
	if e == "" {
		return "the email header is required"
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "invalid email address"
	}
	if len(s.cfg.Emails) > 0 && !slices.ContainsFunc(s.cfg.Emails, func(x string) bool { return strings.EqualFold(x, e) }) {
		return "email address not registered with this server"
	}
	return ""
}

// Info is the SSL Labs Info object.
type Info struct {
	EngineVersion        string   `json:"engineVersion"`
	CriteriaVersion      string   `json:"criteriaVersion"`
	MaxAssessments       int      `json:"maxAssessments"`
	CurrentAssessments   int      `json:"currentAssessments"`
	NewAssessmentCoolOff int64    `json:"newAssessmentCoolOff"`
	Messages             []string `json:"messages"`
}

// CriteriaVersion is the SSL Labs rating criteria the grades follow.
const CriteriaVersion = "2009r"

func (s *Server) info(ctx context.Context, w http.ResponseWriter, c *call) {
	n, err := s.cfg.Store.CountActive(ctx, c.client)
	if err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, Info{
		EngineVersion: s.cfg.EngineVersion, CriteriaVersion: CriteriaVersion,
		MaxAssessments: s.cfg.MaxAssessments, CurrentAssessments: n,
		NewAssessmentCoolOff: s.cfg.CoolOff.Milliseconds(),
		Messages:             []string{"tlsaudit serve: a self-hosted SSL Labs API; assessments run by this server, not by Qualys"},
	})
}

// onOff parses an on/off parameter (absent: off).
func onOff(q url.Values, name string, errs *[]apiError) bool {
	switch v := q.Get(name); v {
	case "", "off":
		return false
	case "on":
		return true
	default:
		*errs = append(*errs, apiError{Field: name, Message: "qp.invalid: want on or off"})
		return false
	}
}

type analyzeParams struct {
	hp                                  HostPort
	startNew, fromCache, ignoreMismatch bool
	maxAge                              time.Duration // 0: any
	all                                 string        // "", "on", "done"
}

func parseAnalyze(q url.Values) (analyzeParams, []apiError) {
	var p analyzeParams
	var errs []apiError
	host := q.Get("host")
	if host == "" {
		errs = append(errs, apiError{Field: "host", Message: "qp.mandatory"})
	} else if hp, err := ParseHost(host); err != nil {
		errs = append(errs, apiError{Field: "host", Message: "qp.invalid: " + err.Error()})
	} else {
		p.hp = hp
	}
	p.startNew = onOff(q, "startNew", &errs)
	p.fromCache = onOff(q, "fromCache", &errs)
	p.ignoreMismatch = onOff(q, "ignoreMismatch", &errs)
	onOff(q, "publish", &errs) // accepted and ignored: nothing is published
	if p.startNew && p.fromCache {
		errs = append(errs, apiError{Field: "fromCache", Message: "qp.invalid: startNew and fromCache cannot be used together"})
	}
	if v := q.Get("maxAge"); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil || h < 0 || h > 24*365*10 {
			errs = append(errs, apiError{Field: "maxAge", Message: "qp.invalid: want a number of hours"})
		}
		p.maxAge = time.Duration(h) * time.Hour
	}
	switch v := q.Get("all"); v {
	case "", "off":
	case "on", "done":
		p.all = v
	default:
		errs = append(errs, apiError{Field: "all", Message: "qp.invalid: want on or done"})
	}
	return p, errs
}

func (s *Server) analyze(ctx context.Context, w http.ResponseWriter, c *call) {
	p, errs := parseAnalyze(c.q)
	if len(errs) > 0 {
		writeErrors(w, http.StatusBadRequest, errs...)
		return
	}
	details := p.all == "on" || p.all == "done"
	// The common poll of a finished assessment: answered from the render
	// cache after a look at the host's newest assessment only.
	// (Not for a new assessment with ignoreMismatch: the cached one may have
	// been withheld for a mismatch.)
	if id, st, created, err := s.cfg.Store.Head(ctx, p.hp.Key()); err == nil && st.Finished() && !(p.startNew && p.ignoreMismatch) {
		if since := s.since(p); since.IsZero() || !created.Before(since) {
			if b, ok := s.cache.get(hostKey(id, details)); ok {
				writeRaw(w, http.StatusOK, b)
				return
			}
		}
	}
	a, status, aerr := s.lookupOrStart(ctx, c.client, p)
	if aerr != nil {
		writeErrors(w, status, *aerr)
		return
	}
	if status == http.StatusCreated {
		// Headers were set before the call; the new assessment counts now.
		status = http.StatusOK
		if n, err := s.cfg.Store.CountActive(ctx, c.client); err == nil {
			w.Header().Set("X-Current-Assessments", strconv.Itoa(n))
		}
	}
	details = p.all == "on" || p.all == "done" && a.State.Finished()
	b, err := s.renderHost(a, details)
	if err != nil {
		s.internal(w, err)
		return
	}
	writeRaw(w, http.StatusOK, b)
}

// lookupOrStart finds the assessment the analyze call is about, or starts
// one (status 201, answered as 200). On refusal it returns the HTTP status
// and the error.
func (s *Server) lookupOrStart(ctx context.Context, client string, p analyzeParams) (*store.Assessment, int, *apiError) {
	key := p.hp.Key()
	internal := func(err error) (*store.Assessment, int, *apiError) {
		s.cfg.Log.Error("analyze", "err", err)
		return nil, http.StatusInternalServerError, &apiError{Message: "internal error"}
	}
	// An assessment in progress is always what is returned.
	a, err := s.cfg.Store.Active(ctx, key)
	if err == nil {
		return a, http.StatusOK, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return internal(err)
	}
	since := s.since(p)
	a, err = s.cfg.Store.Latest(ctx, key, since)
	if err == nil && p.startNew && p.ignoreMismatch && stoppedForMismatch(a) {
		// Asked to proceed despite the mismatch that stopped the recent
		// one: a new assessment, however recent that one is.
		since, err = time.Now(), store.ErrNotFound
	}
	if err == nil {
		return a, http.StatusOK, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return internal(err)
	}
	// Start a new assessment, within the client's limits.
	n, err := s.cfg.Store.CountActive(ctx, client)
	if err != nil {
		return internal(err)
	}
	if n >= s.cfg.MaxAssessments {
		return nil, http.StatusTooManyRequests, &apiError{Message: "Running at full capacity: too many concurrent assessments (maxAssessments " + strconv.Itoa(s.cfg.MaxAssessments) + ")"}
	}
	s.mu.Lock()
	if last, ok := s.lastNew[client]; ok && time.Since(last) < s.cfg.CoolOff {
		s.mu.Unlock()
		return nil, http.StatusTooManyRequests, &apiError{Message: "New assessment submitted before newAssessmentCoolOff expired"}
	}
	s.lastNew[client] = time.Now()
	s.mu.Unlock()
	a, created, err := s.cfg.Store.Enqueue(ctx, key, client, store.Options{IgnoreMismatch: p.ignoreMismatch}, since)
	if err != nil {
		return internal(err)
	}
	if created {
		return a, http.StatusCreated, nil // answered with 200; the caller recounts
	}
	return a, http.StatusOK, nil
}

// since is how recent a finished assessment must be to answer p (zero:
// any).
func (s *Server) since(p analyzeParams) time.Time {
	switch {
	case p.startNew:
		// A fresh result is asked for; one finished within the per-target
		// cool-off is fresh enough (the target is not assessed again).
		return time.Now().Add(-s.cfg.TargetCoolOff)
	case p.fromCache && p.maxAge > 0:
		return time.Now().Add(-p.maxAge)
	}
	return time.Time{}
}

func (s *Server) endpointData(ctx context.Context, w http.ResponseWriter, c *call) {
	var errs []apiError
	var hp HostPort
	if h := c.q.Get("host"); h == "" {
		errs = append(errs, apiError{Field: "host", Message: "qp.mandatory"})
	} else if x, err := ParseHost(h); err != nil {
		errs = append(errs, apiError{Field: "host", Message: "qp.invalid: " + err.Error()})
	} else {
		hp = x
	}
	ip := c.q.Get("s")
	if ip == "" {
		errs = append(errs, apiError{Field: "s", Message: "qp.mandatory"})
	} else if x, err := ParseHost(ip); err != nil || !x.IsAddr() || x.Port != 443 {
		errs = append(errs, apiError{Field: "s", Message: "qp.invalid: want an IP address"})
	} else {
		ip = x.Host
	}
	onOff(c.q, "fromCache", &errs)
	if len(errs) > 0 {
		writeErrors(w, http.StatusBadRequest, errs...)
		return
	}
	a, err := s.cfg.Store.Active(ctx, hp.Key())
	if errors.Is(err, store.ErrNotFound) {
		a, err = s.cfg.Store.Latest(ctx, hp.Key(), time.Time{})
	}
	if errors.Is(err, store.ErrNotFound) {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "host", Message: "no assessment of this host (call analyze first)"})
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	b, ok, err := s.renderEndpoint(a, ip)
	if err != nil {
		s.internal(w, err)
		return
	}
	if !ok {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "s", Message: "no such endpoint in the assessment of this host"})
		return
	}
	writeRaw(w, http.StatusOK, b)
}

// StatusCodes is the SSL Labs StatusCodes object.
type StatusCodes struct {
	StatusDetails map[string]string `json:"statusDetails"`
}

var statusDetails = map[string]string{
	"TESTING_PROTOCOL_INTOLERANCE": "Testing protocol intolerance",
	"TESTING_PROTOCOLS":            "Testing protocols",
	"TESTING_SUITES":               "Testing cipher suites",
	"TESTING_NAMED_GROUPS":         "Testing named groups",
	"TESTING_SIGNATURE_ALGORITHMS": "Testing signature algorithms",
	"TESTING_HANDSHAKE_SIMULATION": "Simulating handshakes",
	"TESTING_HEARTBLEED":           "Testing Heartbleed",
	"TESTING_HTTPS":                "Sending one complete HTTPS request",
	"RETRIEVING_CERT_V3__SNI":      "Retrieving certificate",
	"PENDING":                      "Waiting for the assessment to start",
	"TESTING":                      "Assessing the server",
}

func (s *Server) statusCodes(_ context.Context, w http.ResponseWriter, _ *call) {
	writeJSON(w, http.StatusOK, StatusCodes{StatusDetails: statusDetails})
}

// rootStoreIDs are the trustStore values of the v4 getRootCertsRaw call and
// the tlsaudit store names they stand for.
var rootStoreIDs = map[string]string{"1": "mozilla", "2": "apple", "3": "android", "4": "java", "5": "windows"}

func (s *Server) rootCerts(_ context.Context, w http.ResponseWriter, c *call) {
	id := c.q.Get("trustStore")
	if id == "" {
		id = "1"
	}
	name, ok := rootStoreIDs[id]
	if !ok {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "trustStore", Message: "qp.invalid: want 1 (Mozilla), 2 (Apple), 3 (Android), 4 (Java) or 5 (Windows)"})
		return
	}
	var out strings.Builder
	found := false
	for _, st := range s.cfg.Stores() {
		if !strings.EqualFold(st.Name, name) {
			continue
		}
		found = true
		for _, der := range st.Roots {
			pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: der})
		}
	}
	if !found {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "trustStore", Message: "this server has no " + name + " trust store"})
		return
	}
	writeJSON(w, http.StatusOK, struct {
		RootCerts string `json:"rootCerts"`
	}{out.String()})
}

// register accepts the v4 registration (nothing is sent anywhere; with a
// configured e-mail list the address must be on it).
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var body struct {
		FirstName    string `json:"firstName"`
		LastName     string `json:"lastName"`
		Email        string `json:"email"`
		Organization string `json:"organization"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&body); err != nil {
		writeErrors(w, http.StatusBadRequest, apiError{Message: "invalid JSON body"})
		return
	}
	var errs []apiError
	for _, f := range []struct{ name, v string }{{"firstName", body.FirstName}, {"lastName", body.LastName}, {"organization", body.Organization}} {
		if strings.TrimSpace(f.v) == "" {
			errs = append(errs, apiError{Field: f.name, Message: "qp.mandatory"})
		}
	}
	if msg := s.checkEmail(body.Email); msg != "" {
		errs = append(errs, apiError{Field: "email", Message: msg})
	}
	if len(errs) > 0 {
		writeErrors(w, http.StatusBadRequest, errs...)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "success", "message": "User has been registered successfully"})
}
