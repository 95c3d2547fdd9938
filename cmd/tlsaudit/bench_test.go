package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/batch/batchtest"
)

// The batch benchmark in Go form (bench/batch.sh is the full one, with
// peak RSS and 10k–100k targets): a quick JSONL batch over loopback TLS
// endpoints against bare crypto/tls handshakes over the same list at the
// same concurrency. Compare the handshakes/s of the two:
//
//	go test -run '^$' -bench 'QuickBatch|BareHandshakes' -benchtime 3x ./cmd/tlsaudit/

const (
	benchEndpoints   = 50
	benchTargets     = 300 // per iteration
	benchConcurrency = 32
)

// benchList serves benchEndpoints loopback TLS endpoints (stopped with the
// benchmark) and writes a list of benchTargets of them.
func benchList(b *testing.B) (string, []string) {
	b.Helper()
	cert, err := batchtest.SelfSigned("bench.tlsaudit.test")
	if err != nil {
		b.Fatal(err)
	}
	var addrs []string
	for range benchEndpoints {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ln.Close() })
		go batchtest.ServeTLS(ln, cert)
		addrs = append(addrs, ln.Addr().String())
	}
	var list []string
	for i := range benchTargets {
		list = append(list, addrs[i%len(addrs)])
	}
	file := filepath.Join(b.TempDir(), "targets.txt")
	if err := os.WriteFile(file, []byte(strings.Join(list, "\n")+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	return file, list
}

func BenchmarkQuickBatch(b *testing.B) {
	file, _ := benchList(b)
	args := []string{"--quick", "--format", "jsonl", "--concurrency", fmt.Sprint(benchConcurrency), "--system-store=false", "--targets", file}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errb)
		if ok := bytes.Count(out.Bytes(), []byte(`"status":"ok","observation"`)); code != exitOK || ok != benchTargets {
			b.Fatalf("exit %d, %d of %d records ok; stderr:\n%s", code, ok, benchTargets, errb.String())
		}
	}
	b.ReportMetric(float64(b.N*benchTargets)/b.Elapsed().Seconds(), "handshakes/s")
}

// BenchmarkBareHandshakes is bench/bare in-process: dial and complete a
// crypto/tls handshake, nothing else.
func BenchmarkBareHandshakes(b *testing.B) {
	_, list := benchList(b)
	b.ResetTimer()
	for range b.N {
		work := make(chan string)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failed error
		for range benchConcurrency {
			wg.Go(func() {
				for addr := range work {
					d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true}}
					c, err := d.DialContext(context.Background(), "tcp", addr)
					if err != nil {
						mu.Lock()
						failed = err
						mu.Unlock()
						continue
					}
					c.Close()
				}
			})
		}
		for _, a := range list {
			work <- a
		}
		close(work)
		wg.Wait()
		if failed != nil {
			b.Fatal(failed)
		}
	}
	b.ReportMetric(float64(b.N*benchTargets)/b.Elapsed().Seconds(), "handshakes/s")
}
