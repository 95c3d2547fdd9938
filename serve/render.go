package serve

import (
	"container/list"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

// renderCache keeps the rendered JSON of finished assessments (which never
// change), so that pollers of a cached result cost one row read.
type renderCache struct {
	mu  sync.Mutex
	max int
	ll  *list.List
	m   map[string]*list.Element
}

type cacheEntry struct {
	key string
	b   []byte
}

func newRenderCache(max int) *renderCache {
	return &renderCache{max: max, ll: list.New(), m: map[string]*list.Element{}}
}

func (c *renderCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheEntry).b, true
	}
	return nil, false
}

func (c *renderCache) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; ok {
		return
	}
	c.m[key] = c.ll.PushFront(&cacheEntry{key, b})
	for c.ll.Len() > c.max {
		e := c.ll.Back()
		c.ll.Remove(e)
		delete(c.m, e.Value.(*cacheEntry).key)
	}
}

// decodeReports decodes the stored report of each endpoint (nil when the
// endpoint has none yet).
func decodeReports(a *store.Assessment) ([]*report.Report, error) {
	out := make([]*report.Report, len(a.Endpoints))
	for i, ep := range a.Endpoints {
		if len(ep.Report) == 0 {
			continue
		}
		var r report.Report
		if err := json.Unmarshal(ep.Report, &r); err != nil {
			return nil, fmt.Errorf("assessment %d endpoint %s: %w", a.ID, ep.IP, err)
		}
		out[i] = &r
	}
	return out, nil
}

// HostObject computes the SSL Labs Host object of an assessment; with
// details, each finished endpoint carries its EndpointDetails.
func HostObject(a *store.Assessment, engine string, withDetails bool) (*Host, error) {
	reports, err := decodeReports(a)
	if err != nil {
		return nil, err
	}
	hp, _ := ParseHost(a.Host)
	h := &Host{
		Host: hp.Host, Port: hp.Port, Protocol: "http", StartTime: a.CreatedAt.UnixMilli(),
		EngineVersion: engine, CriteriaVersion: CriteriaVersion,
	}
	switch a.State {
	case store.StateQueued:
		h.Status, h.StatusMessage = "DNS", "Resolving domain names"
	case store.StateRunning:
		h.Status, h.StatusMessage = "DNS", "Resolving domain names"
		if len(a.Endpoints) > 0 {
			h.Status, h.StatusMessage = "IN_PROGRESS", "In progress"
		}
	case store.StateReady:
		h.Status = "READY"
		h.TestTime = a.FinishedAt.UnixMilli()
	case store.StateError:
		h.Status, h.StatusMessage = "ERROR", a.StatusMessage
		h.TestTime = a.FinishedAt.UnixMilli()
		h.CacheExpiryTime = a.FinishedAt.Add(15 * time.Minute).UnixMilli()
	}
	var done []*report.Report
	for i, ep := range a.Endpoints {
		e := endpointObject(ep, reports[i], h.StartTime, withDetails)
		h.Endpoints = append(h.Endpoints, e)
		if reports[i] != nil {
			done = append(done, reports[i])
		}
	}
	var names []string
	h.Certs, names = hostCerts(done)
	mismatch := false
	for _, r := range done {
		if r.Certificates != nil {
			for _, ch := range r.Certificates.Chains {
				if ch.Leaf != nil && !ch.Leaf.HostnameMatch {
					mismatch = true
				}
			}
		}
	}
	if mismatch {
		h.CertHostnames = names
	}
	return h, nil
}

// endpointObject computes one Endpoint object.
func endpointObject(ep store.Endpoint, r *report.Report, hostStart int64, withDetails bool) Endpoint {
	e := Endpoint{IPAddress: ep.IP, Delegation: 1}
	switch ep.State {
	case store.EndpointPending:
		e.StatusMessage, e.Progress, e.ETA = "Pending", -1, -1
	case store.EndpointRunning:
		e.StatusMessage = "In progress"
		e.Progress, e.ETA = EndpointProgress(ep, time.Now())
		e.StatusDetails, e.StatusDetailsMessage = "TESTING", statusDetails["TESTING"]
	default:
		e.StatusMessage, e.Progress = ep.Message, 100
		if ep.FinishedAt > ep.StartedAt && ep.StartedAt > 0 {
			e.Duration = ep.FinishedAt - ep.StartedAt
		}
	}
	if r != nil && ep.State == store.EndpointReady {
		e.Grade, e.GradeTrustIgnored, e.HasWarnings, e.IsExceptional = sslLabsGrade(r)
		if withDetails {
			e.Details = details(r, hostStart)
		}
	}
	return e
}

func hostKey(id int64, details bool) string { return fmt.Sprintf("h/%d/%t", id, details) }

// renderHost renders the Host JSON of a, from the cache when finished.
func (s *Server) renderHost(a *store.Assessment, withDetails bool) ([]byte, error) {
	key := hostKey(a.ID, withDetails)
	if a.State.Finished() {
		if b, ok := s.cache.get(key); ok {
			return b, nil
		}
	}
	h, err := HostObject(a, s.cfg.EngineVersion, withDetails)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	if a.State.Finished() {
		s.cache.put(key, b)
	}
	return b, nil
}

// renderEndpoint renders the Endpoint JSON (with details) of address ip.
func (s *Server) renderEndpoint(a *store.Assessment, ip string) ([]byte, bool, error) {
	reports, err := decodeReports(a)
	if err != nil {
		return nil, false, err
	}
	for i, ep := range a.Endpoints {
		if ep.IP != ip {
			continue
		}
		b, err := json.Marshal(endpointObject(ep, reports[i], a.CreatedAt.UnixMilli(), true))
		return b, true, err
	}
	return nil, false, nil
}
