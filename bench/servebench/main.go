// Command servebench measures "tlsaudit serve" on loopback:
//
//   - cached reads: one finished assessment, then P concurrent pollers of
//     analyze?all=done (the SSL Labs polling call) for a while; latency
//     p50/p99, requests per second and the server's CPU time;
//   - throughput: T loopback targets submitted at once, assessed by N
//     workers; assessments per minute.
//
// The server is the tlsaudit binary (-bin), a child process with its own
// SQLite database, so its CPU time is its own; the targets are in-process Go
// TLS servers of this program.
//
//	go build -o tlsaudit ./cmd/tlsaudit
//	go run ./bench/servebench -bin ./tlsaudit -pollers 200 -duration 20s -workers 1,2,4 -targets 12
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

func main() {
	bin := flag.String("bin", "", "tlsaudit binary (required)")
	pollers := flag.Int("pollers", 200, "concurrent pollers of the cached result")
	duration := flag.Duration("duration", 20*time.Second, "how long the pollers run")
	workerList := flag.String("workers", "1,2,4", "worker counts for the throughput runs")
	targets := flag.Int("targets", 12, "loopback targets per throughput run")
	quick := flag.Bool("quick", false, "serve --quick (one handshake per endpoint)")
	flag.Parse()
	if *bin == "" {
		log.Fatal("servebench: -bin is required")
	}
	srv, err := tlstest.NewGoServer(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	// Cached reads.
	s := start(*bin, 2, *quick)
	getOK(s.base + "/api/v3/analyze?host=" + srv.Addr + "&startNew=on")
	waitReady(s.base, srv.Addr)
	url := s.base + "/api/v3/analyze?host=" + srv.Addr + "&all=done"
	cpu0 := s.cpu()
	lat := poll(url, *pollers, *duration)
	cpu := s.cpu() - cpu0
	s.stop()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("cached analyze, %d pollers, %v: %d requests (%.0f/s), p50 %v, p99 %v, server CPU %.2fs (%.0f%% of one core)\n",
		*pollers, *duration, len(lat), float64(len(lat))/duration.Seconds(), q(0.50).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond),
		cpu.Seconds(), 100*cpu.Seconds()/duration.Seconds())

	// Throughput.
	var ts []*tlstest.Server
	for range *targets {
		t, err := tlstest.NewGoServer(nil)
		if err != nil {
			log.Fatal(err)
		}
		defer t.Close()
		ts = append(ts, t)
	}
	for _, w := range strings.Split(*workerList, ",") {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 {
			log.Fatalf("servebench: bad -workers %q", w)
		}
		s := start(*bin, n, *quick)
		var body strings.Builder
		for _, t := range ts {
			fmt.Fprintf(&body, "{\"host\":%q}\n", t.Addr)
		}
		t0 := time.Now()
		resp, err := http.Post(s.base+"/api/tlsaudit/v1/assessments", "application/x-ndjson", strings.NewReader(body.String()))
		if err != nil {
			log.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			log.Fatalf("submit: %d %s", resp.StatusCode, b)
		}
		for _, t := range ts {
			waitReady(s.base, t.Addr)
		}
		el := time.Since(t0)
		cpu := s.cpu()
		s.stop()
		fmt.Printf("throughput, %d workers, %d loopback targets: %v, %.1f assessments/min, server CPU %.1fs\n",
			n, len(ts), el.Round(time.Millisecond), float64(len(ts))/el.Minutes(), cpu.Seconds())
	}
}

type server struct {
	cmd  *exec.Cmd
	base string
	dir  string
}

func start(bin string, workers int, quick bool) *server {
	dir, err := os.MkdirTemp("", "servebench")
	if err != nil {
		log.Fatal(err)
	}
	args := []string{"serve", "--db", filepath.Join(dir, "bench.db"), "--listen", "127.0.0.1:0", "--allow-targets", "127.0.0.1",
		"--workers", strconv.Itoa(workers), "--max-assessments", "1000", "--cool-off", "0"}
	if quick {
		args = append(args, "--quick")
	}
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		log.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on http://([0-9.:]+)/`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return &server{cmd: cmd, base: "http://" + a, dir: dir}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		log.Fatal("servebench: serve did not start")
	}
	return nil
}

// cpu is the server's user+system CPU time so far (/proc/PID/stat).
func (s *server) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		log.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
	os.RemoveAll(s.dir)
}

func getOK(url string) []byte {
	resp, err := http.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		log.Fatalf("%s: %d %s", url, resp.StatusCode, b)
	}
	return b
}

func waitReady(base, host string) {
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var h struct{ Status, StatusMessage string }
		if err := json.Unmarshal(getOK(base+"/api/v3/analyze?host="+host), &h); err != nil {
			log.Fatal(err)
		}
		switch h.Status {
		case "READY":
			return
		case "ERROR":
			log.Fatalf("%s: ERROR %s", host, h.StatusMessage)
		}
	}
	log.Fatalf("%s did not finish", host)
}

// poll runs n pollers of url for d and returns every request's latency.
func poll(url string, n int, d time.Duration) []time.Duration {
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}
	client := &http.Client{Transport: tr}
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(stop) {
				t0 := time.Now()
				resp, err := client.Get(url)
				if err != nil {
					log.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					log.Fatalf("poll: %d", resp.StatusCode)
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all
}
