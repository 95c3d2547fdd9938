package serve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/tlsaudit/tlsaudit/serve/store"
)

// The native API, under /api/tlsaudit/v1/:
//
//	POST /assessments                 one {"host": "..."} object, or JSON lines of them (a batch);
//	                                  answers a JSON array of assessment summaries
//	GET  /assessments/{id}            an assessment's summary (state, endpoints, grades)
//	GET  /assessments/{id}/reports    its tlsaudit reports (schema v1), a JSON array, one per endpoint
//	GET  /hosts                       hosts, newest first (?limit=&offset=)
//	GET  /hosts/{host}/history        a host's assessments, newest first (?limit=)
//
// Errors are {"errors":[{"field":…,"message":…}]} as in the SSL Labs API.

// maxBatch caps the targets of one POST, and maxBody its size.
const (
	maxBatch = 1000
	maxBody  = 1 << 20
)

// AssessmentJSON is the native summary of an assessment.
type AssessmentJSON struct {
	ID            int64      `json:"id"`
	Host          string     `json:"host"`
	State         string     `json:"state"`
	StatusMessage string     `json:"status_message,omitempty"`
	Grade         string     `json:"grade,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	StartedAt     *time.Time `json:"started_at,omitempty"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
	Attempts      int        `json:"attempts"`
	// Owner is the worker that holds or last held it ("INSTANCE/N").
	Owner     string         `json:"owner,omitempty"`
	Endpoints []EndpointJSON `json:"endpoints"`
}

// EndpointJSON is the native summary of one endpoint.
type EndpointJSON struct {
	IP      string `json:"ip"`
	State   string `json:"state"`
	Message string `json:"message,omitempty"`
	Grade   string `json:"grade,omitempty"`
}

func timep(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Summary converts an assessment to its native summary.
func Summary(a *store.Assessment) AssessmentJSON {
	out := AssessmentJSON{ID: a.ID, Host: a.Host, State: string(a.State), StatusMessage: a.StatusMessage, Grade: a.Grade,
		CreatedAt: a.CreatedAt.UTC(), StartedAt: timep(a.StartedAt.UTC()), FinishedAt: timep(a.FinishedAt.UTC()),
		Attempts: a.Attempts, Owner: a.Owner, Endpoints: []EndpointJSON{}}
	if a.StartedAt.IsZero() {
		out.StartedAt = nil
	}
	if a.FinishedAt.IsZero() {
		out.FinishedAt = nil
	}
	for _, ep := range a.Endpoints {
		out.Endpoints = append(out.Endpoints, EndpointJSON{IP: ep.IP, State: ep.State, Message: ep.Message, Grade: ep.Grade})
	}
	return out
}

func (s *Server) nativeRoutes(m *http.ServeMux) {
	const p = "/api/tlsaudit/v1/"
	m.HandleFunc("POST "+p+"assessments", s.nativeSubmit)
	m.HandleFunc("GET "+p+"assessments/{id}", s.nativeGet)
	m.HandleFunc("GET "+p+"assessments/{id}/reports", s.nativeReports)
	m.HandleFunc("GET "+p+"hosts", s.nativeHosts)
	m.HandleFunc("GET "+p+"hosts/{host}/history", s.nativeHistory)
	m.HandleFunc(p+"{rest...}", func(w http.ResponseWriter, r *http.Request) {
		writeErrors(w, http.StatusNotFound, apiError{Message: "unknown native API call " + r.Method + " " + r.PathValue("rest")})
	})
}

func (s *Server) nativeSubmit(w http.ResponseWriter, r *http.Request) {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 4096), 64<<10)
	var targets []analyzeParams
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var req struct {
			Host           string `json:"host"`
			IgnoreMismatch bool   `json:"ignore_mismatch"`
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeErrors(w, http.StatusBadRequest, apiError{Field: "line " + strconv.Itoa(line), Message: "invalid JSON: " + sanitize(err.Error(), 200)})
			return
		}
		hp, err := ParseHost(req.Host)
		if err != nil {
			writeErrors(w, http.StatusBadRequest, apiError{Field: "line " + strconv.Itoa(line), Message: "host: " + err.Error()})
			return
		}
		if len(targets) == maxBatch {
			writeErrors(w, http.StatusRequestEntityTooLarge, apiError{Message: "more than " + strconv.Itoa(maxBatch) + " targets in one request"})
			return
		}
		targets = append(targets, analyzeParams{hp: hp, startNew: true, ignoreMismatch: req.IgnoreMismatch})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			writeErrors(w, http.StatusRequestEntityTooLarge, apiError{Field: "line " + strconv.Itoa(line+1), Message: "line over 64 KiB"})
			return
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeErrors(w, http.StatusRequestEntityTooLarge, apiError{Message: "request body over " + strconv.Itoa(maxBody) + " bytes"})
			return
		}
		writeErrors(w, http.StatusBadRequest, apiError{Message: "reading the body: " + sanitize(err.Error(), 200)})
		return
	}
	if len(targets) == 0 {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "host", Message: "qp.mandatory"})
		return
	}
	client := clientOf(r)
	out := make([]AssessmentJSON, 0, len(targets))
	for i, p := range targets {
		a, status, aerr := s.lookupOrStartBatch(r, client, p, i)
		if aerr != nil {
			writeErrors(w, status, *aerr)
			return
		}
		out = append(out, Summary(a))
	}
	writeJSON(w, http.StatusOK, out)
}

// lookupOrStartBatch is lookupOrStart for the native API: within one
// request, the per-client cool-off applies to the request, not to each
// target of the batch (the client's concurrency limit still does).
func (s *Server) lookupOrStartBatch(r *http.Request, client string, p analyzeParams, i int) (*store.Assessment, int, *apiError) {
	if i > 0 {
		s.mu.Lock()
		delete(s.lastNew, client)
		s.mu.Unlock()
	}
	return s.lookupOrStart(r.Context(), client, p)
}

func (s *Server) assessmentOf(w http.ResponseWriter, r *http.Request) *store.Assessment {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "id", Message: "qp.invalid: want a positive integer"})
		return nil
	}
	a, err := s.cfg.Store.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeErrors(w, http.StatusNotFound, apiError{Field: "id", Message: "no such assessment"})
		return nil
	}
	if err != nil {
		s.internal(w, err)
		return nil
	}
	return a
}

func (s *Server) nativeGet(w http.ResponseWriter, r *http.Request) {
	if a := s.assessmentOf(w, r); a != nil {
		writeJSON(w, http.StatusOK, Summary(a))
	}
}

func (s *Server) nativeReports(w http.ResponseWriter, r *http.Request) {
	a := s.assessmentOf(w, r)
	if a == nil {
		return
	}
	var b bytes.Buffer
	b.WriteByte('[')
	n := 0
	for _, ep := range a.Endpoints {
		if len(ep.Report) == 0 {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		b.Write(ep.Report)
		n++
	}
	b.WriteByte(']')
	writeRaw(w, http.StatusOK, b.Bytes())
}

func intParam(r *http.Request, name string, def, max int) (int, *apiError) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > max {
		return 0, &apiError{Field: name, Message: "qp.invalid: want 0.." + strconv.Itoa(max)}
	}
	return n, nil
}

// HostJSON is the native summary of a host.
type HostJSON struct {
	Host        string          `json:"host"`
	Assessments int             `json:"assessments"`
	Active      bool            `json:"active"`
	Latest      *AssessmentJSON `json:"latest,omitempty"`
}

func (s *Server) nativeHosts(w http.ResponseWriter, r *http.Request) {
	limit, e1 := intParam(r, "limit", 100, 1000)
	offset, e2 := intParam(r, "offset", 0, 1<<30)
	if e1 != nil || e2 != nil {
		writeErrors(w, http.StatusBadRequest, *firstErr(e1, e2))
		return
	}
	hs, err := s.cfg.Store.Hosts(r.Context(), limit, offset)
	if err != nil {
		s.internal(w, err)
		return
	}
	out := make([]HostJSON, 0, len(hs))
	for _, h := range hs {
		j := HostJSON{Host: h.Host, Assessments: h.Assessment, Active: h.Active}
		if h.Latest != nil {
			sm := Summary(h.Latest)
			j.Latest = &sm
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, out)
}

func firstErr(es ...*apiError) *apiError {
	for _, e := range es {
		if e != nil {
			return e
		}
	}
	return nil
}

func (s *Server) nativeHistory(w http.ResponseWriter, r *http.Request) {
	hp, err := ParseHost(r.PathValue("host"))
	if err != nil {
		writeErrors(w, http.StatusBadRequest, apiError{Field: "host", Message: "qp.invalid: " + err.Error()})
		return
	}
	limit, e := intParam(r, "limit", 100, 1000)
	if e != nil {
		writeErrors(w, http.StatusBadRequest, *e)
		return
	}
	as, err := s.cfg.Store.History(r.Context(), hp.Key(), limit)
	if err != nil {
		s.internal(w, err)
		return
	}
	out := make([]AssessmentJSON, 0, len(as))
	for _, a := range as {
		out = append(out, Summary(a))
	}
	writeJSON(w, http.StatusOK, out)
}
