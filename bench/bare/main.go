// Command bare is the throughput limit of a Go TLS client for the batch
// benchmark (bench/batch.sh): it only dials and completes crypto/tls
// handshakes over a target list (ip:port per line) at a fixed concurrency,
// then prints handshakes per second and its peak RSS (VmHWM).
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	list := flag.String("list", "", "target list, ip:port per line")
	conc := flag.Int("c", 64, "concurrent handshakes")
	timeout := flag.Duration("timeout", 10*time.Second, "per handshake")
	flag.Parse()
	f, err := os.Open(*list)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	work := make(chan string)
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *conc {
		wg.Go(func() {
			for addr := range work {
				if handshake(addr, *timeout) {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		})
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			work <- line
		}
	}
	close(work)
	wg.Wait()
	el := time.Since(start).Seconds()
	fmt.Printf("bare: %d handshakes (%d failed) in %.2fs: %.0f/s, peak RSS %s\n", ok.Load(), failed.Load(), el, float64(ok.Load())/el, vmHWM())
}

func handshake(addr string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	d := tls.Dialer{NetDialer: &net.Dialer{}, Config: &tls.Config{InsecureSkipVerify: true}}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
