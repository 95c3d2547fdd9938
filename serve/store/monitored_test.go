//go:build linux

package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
	"github.com/tlsaudit/tlsaudit/serve/store"
)

// backends opens the same store twice (a first process, and the one that
// replaces it after a restart) for each backend: a SQLite file, and a
// throwaway PostgreSQL cluster on loopback (Debian's postgresql package; the
// test fails when it is missing).
func backends(t *testing.T) map[string]string {
	t.Helper()
	pg := tlstest.StartPostgresT(t, tlstest.PostgresOptions{SSLOff: true})
	return map[string]string{
		"sqlite":   filepath.Join(t.TempDir(), "serve.db"),
		"postgres": fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", pg.Addr),
	}
}

func open(t *testing.T, dsn string) *store.SQL {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestMonitoredHostsOutliveARestartOnEveryBackend(t *testing.T) {
	ctx := context.Background()
	for name, dsn := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t, dsn)
			for _, h := range []string{"b.example.test", "a.example.test:8443", "b.example.test", "[::1]:4433"} {
				if err := st.AddMonitored(ctx, h); err != nil {
					t.Fatalf("add %s: %v", h, err)
				}
			}
			if err := st.RemoveMonitored(ctx, "[::1]:4433"); err != nil {
				t.Fatal(err)
			}
			if err := st.RemoveMonitored(ctx, "never.added.test"); err != nil {
				t.Errorf("removing an unknown target: %v", err)
			}
			if err := st.AddMonitored(ctx, ""); err == nil {
				t.Errorf("an empty target was stored")
			}
			st.Close()

			// The next process reads what the first one stored.
			st = open(t, dsn)
			defer st.Close()
			got, err := st.Monitored(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"b.example.test", "a.example.test:8443"}; !slices.Equal(got, want) && !slices.Equal(got, []string{"a.example.test:8443", "b.example.test"}) {
				t.Errorf("after a restart: %q, want %q", got, want)
			}
			if v, err := st.SchemaVersion(ctx); err != nil || v < 2 {
				t.Errorf("schema version %d, %v", v, err)
			}
		})
	}
}

func TestQueueDepthCountsQueuedAndRunningOfEveryClient(t *testing.T) {
	ctx := context.Background()
	for name, dsn := range backends(t) {
		t.Run(name, func(t *testing.T) {
			var st store.Store = open(t, dsn)
			defer st.Close()
			for i, client := range []string{"a", "b", "b"} {
				if _, _, err := st.Enqueue(ctx, fmt.Sprintf("h%d.test", i), client, store.Options{}, time.Time{}); err != nil {
					t.Fatal(err)
				}
			}
			a, err := st.Claim(ctx, "w", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := st.CountQueued(ctx); err != nil || n != 3 {
				t.Errorf("queue depth with one running, two queued: %d, %v", n, err)
			}
			a.State = store.StateReady
			if err := st.Finish(ctx, a, "w"); err != nil {
				t.Fatal(err)
			}
			if n, err := st.CountQueued(ctx); err != nil || n != 2 {
				t.Errorf("queue depth after one finished: %d, %v", n, err)
			}
		})
	}
}
