//go:build linux

package serve

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

// startPostgres starts a throwaway PostgreSQL cluster on loopback and
// returns its URL (Debian's postgresql package; the test fails when it is
// missing).
func startPostgres(t *testing.T) string {
	t.Helper()
	pg := tlstest.StartPostgresT(t, tlstest.PostgresOptions{SSLOff: true})
	return fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", pg.Addr)
}

func openPG(t *testing.T, url string) *store.SQL {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestTwoReplicasOnPostgresShareTheQueueAndRunEachAssessmentOnce(t *testing.T) {
	url := startPostgres(t)
	// Both replicas migrate at start, concurrently: one waits for the other.
	var wg sync.WaitGroup
	stores := make([]*store.SQL, 2)
	for i := range stores {
		wg.Add(1)
		go func() { defer wg.Done(); stores[i] = openPG(t, url) }()
	}
	wg.Wait()
	if v, err := stores[0].SchemaVersion(context.Background()); err != nil || v != 2 {
		t.Fatalf("schema version %d, %v", v, err)
	}

	var mu sync.Mutex
	runs := map[string][]string{} // host → instances that audited it
	auditor := func(instance string) Auditor {
		return func(ctx context.Context, tg Target) *report.Report {
			mu.Lock()
			runs[tg.Host] = append(runs[tg.Host], instance)
			mu.Unlock()
			time.Sleep(30 * time.Millisecond) // long enough for the other replica to try to claim it
			return (&countingAuditor{}).audit(ctx, tg)
		}
	}
	res := fakeResolver{}
	const n = 24
	for i := range n {
		res[fmt.Sprintf("h%d.test", i)] = []netip.Addr{netip.MustParseAddr(fmt.Sprintf("192.0.2.%d", i+1))}
	}
	policy := mustAllow(t, "192.0.2.0/24")
	a := startServer(t, stores[0], Config{Audit: auditor("a"), Instance: "a", Workers: 3, Resolver: res, Policy: policy, MaxAssessments: 100, CoolOff: -1})
	b := startServer(t, stores[1], Config{Audit: auditor("b"), Instance: "b", Workers: 3, Resolver: res, Policy: policy, MaxAssessments: 100, CoolOff: -1})
	// Submit through both replicas; the same host asked of both at once is
	// one assessment.
	var sub sync.WaitGroup
	for i := range n {
		for _, ts := range []*testServer{a, b} {
			sub.Add(1)
			go func() {
				defer sub.Done()
				if code, _, body := get(t, ts.URL+fmt.Sprintf("/api/v3/analyze?host=h%d.test&startNew=on", i)); code != 200 {
					t.Errorf("submit h%d: %d %s", i, code, body)
				}
			}()
		}
	}
	sub.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for {
		done := 0
		for i := range n {
			if x, err := stores[0].Latest(context.Background(), fmt.Sprintf("h%d.test", i), time.Time{}); err == nil && x.State == store.StateReady {
				done++
			}
		}
		if done == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d assessments finished", done, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	by := map[string]int{}
	for i := range n {
		h := fmt.Sprintf("h%d.test", i)
		if len(runs[h]) != 1 {
			t.Errorf("%s audited %d times (%v)", h, len(runs[h]), runs[h])
		}
		for _, who := range runs[h] {
			by[who]++
		}
		hist, err := stores[1].History(context.Background(), h, 10)
		if err != nil || len(hist) != 1 {
			t.Errorf("%s: %d assessments stored, %v", h, len(hist), err)
		}
	}
	if by["a"] == 0 || by["b"] == 0 {
		t.Errorf("one replica did all the work: %v", by)
	}
}

func TestAKilledReplicasAssessmentIsTakenOverOnPostgres(t *testing.T) {
	url := startPostgres(t)
	sa, sb := openPG(t, url), openPG(t, url)
	res := fakeResolver{"slow.test": {netip.MustParseAddr("192.0.2.50")}}
	policy := mustAllow(t, "192.0.2.0/24")
	started := make(chan struct{})
	var once sync.Once
	// Replica a's auditor never finishes: it stands for a process that
	// dies mid-assessment (its lease is no longer renewed).
	hang := func(ctx context.Context, _ Target) *report.Report {
		once.Do(func() { close(started) })
		<-ctx.Done()
		return nil
	}
	a := startServer(t, sa, Config{Audit: hang, Instance: "a", Workers: 1, Resolver: res, Policy: policy, Lease: 600 * time.Millisecond})
	if code, _, body := get(t, a.URL+"/api/v3/analyze?host=slow.test&startNew=on"); code != 200 {
		t.Fatalf("submit: %d %s", code, body)
	}
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		t.Fatal("replica a never started the assessment")
	}
	a.stop() // a is gone: no renewal, no finish
	ca := &countingAuditor{}
	b := startServer(t, sb, Config{Audit: ca.audit, Instance: "b", Workers: 1, Resolver: res, Policy: policy, Lease: 600 * time.Millisecond})
	h := assessOnce(t, b, "slow.test")
	if h.Status != "READY" {
		t.Fatalf("after takeover: %s %q", h.Status, h.StatusMessage)
	}
	x, err := sb.Latest(context.Background(), "slow.test", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if x.Attempts != 2 || x.Owner != "b/0" || ca.n.Load() != 1 {
		t.Errorf("attempts %d, owner %q, audits by b %d", x.Attempts, x.Owner, ca.n.Load())
	}
	hist, _ := sb.History(context.Background(), "slow.test", 10)
	if len(hist) != 1 {
		t.Errorf("%d assessments of slow.test, want the one taken over", len(hist))
	}
}
