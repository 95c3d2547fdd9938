package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/serve"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

// Starter starts assessments for a page's request (serve.Server).
type Starter interface {
	StartForRequest(ctx context.Context, r *http.Request, host string, fresh bool) (*store.Assessment, error)
}

// StoreBackend is the Backend of a tlsaudit server: assessments are read
// from its store and started through its API logic (limits, target
// policy). Stored reports are decoded once per assessment version.
type StoreBackend struct {
	Store   store.Store
	Starter Starter
}

// Key implements Backend with the API's host syntax.
func (b StoreBackend) Key(host string) (string, error) {
	hp, err := serve.ParseHost(host)
	if err != nil {
		return "", err
	}
	return hp.Key(), nil
}

// Start implements Backend.
func (b StoreBackend) Start(ctx context.Context, r *http.Request, host string, fresh bool) (*Assessment, error) {
	a, err := b.Starter.StartForRequest(ctx, r, host, fresh)
	if err != nil {
		return nil, err
	}
	return FromStore(a), nil
}

func (b StoreBackend) one(a *store.Assessment, err error) (*Assessment, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return FromStore(a), nil
}

// Active implements Backend.
func (b StoreBackend) Active(ctx context.Context, key string) (*Assessment, error) {
	return b.one(b.Store.Active(ctx, key))
}

// Latest implements Backend.
func (b StoreBackend) Latest(ctx context.Context, key string) (*Assessment, error) {
	return b.one(b.Store.Latest(ctx, key, time.Time{}))
}

// Get implements Backend.
func (b StoreBackend) Get(ctx context.Context, id int64) (*Assessment, error) {
	return b.one(b.Store.Get(ctx, id))
}

// History implements Backend.
func (b StoreBackend) History(ctx context.Context, key string, limit int) ([]*Assessment, error) {
	as, err := b.Store.History(ctx, key, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*Assessment, 0, len(as))
	for _, a := range as {
		out = append(out, FromStore(a))
	}
	return out, nil
}

// Recent implements Backend: the newest assessment of each recent host.
func (b StoreBackend) Recent(ctx context.Context, limit int) ([]*Assessment, error) {
	hs, err := b.Store.Hosts(ctx, limit, 0)
	if err != nil {
		return nil, err
	}
	var out []*Assessment
	for _, h := range hs {
		a, err := b.Store.Active(ctx, h.Host)
		if err != nil {
			a = h.Latest
		}
		if a != nil {
			out = append(out, summaryOf(a))
		}
	}
	return out, nil
}

// summaryOf converts without decoding the reports (lists need none).
func summaryOf(a *store.Assessment) *Assessment {
	out := &Assessment{ID: a.ID, Host: a.Host, State: string(a.State), Message: a.StatusMessage, Grade: a.Grade,
		CreatedAt: a.CreatedAt, FinishedAt: a.FinishedAt}
	for _, ep := range a.Endpoints {
		progress, eta := serve.EndpointProgress(ep, time.Now())
		out.Endpoints = append(out.Endpoints, Endpoint{IP: ep.IP, State: ep.State, Message: ep.Message, Grade: ep.Grade, Progress: progress, ETA: eta})
	}
	return out
}

// FromStore converts a stored assessment, decoding its endpoint reports
// (a report that does not decode is left out, its endpoint says so).
func FromStore(a *store.Assessment) *Assessment {
	out := summaryOf(a)
	for i, ep := range a.Endpoints {
		if len(ep.Report) == 0 {
			continue
		}
		var r report.Report
		if err := json.Unmarshal(ep.Report, &r); err != nil {
			out.Endpoints[i].Message = "stored report unreadable: " + err.Error()
			continue
		}
		out.Endpoints[i].Report = &r
	}
	return out
}

// Reports returns the decoded reports of a stored assessment.
func Reports(a *store.Assessment) []*report.Report {
	var out []*report.Report
	for _, ep := range FromStore(a).Endpoints {
		if ep.Report != nil {
			out = append(out, ep.Report)
		}
	}
	return out
}
