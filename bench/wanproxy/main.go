// Command wanproxy is a loopback TCP proxy that makes a local server look
// far away: every connection costs one round trip to open, and every chunk
// of bytes takes half a round trip to cross, each way, in order. Optional
// jitter (a random extra delay per chunk, order kept) and bandwidth (bytes
// per second per direction and connection) make the link rougher.
//
// It is hand-written because the kernel's netem qdisc would delay every
// loopback packet of the machine (other tests and benches share it) and
// needs tc; a user-space proxy delays only the connections of the bench.
//
// The model of one connection accepted at t0 (RTT = -rtt):
//   - the proxy dials the server at t0 + RTT/2 (the SYN's arrival);
//   - bytes the client writes at t reach the server at
//     max(t, t0 + RTT) + RTT/2 (a real client can send only once the
//     handshake completed, one RTT after its SYN);
//   - bytes the server writes at s reach the client at s + RTT/2;
//   - an end of stream (FIN) or reset travels like a byte, after the data.
//
// With -control ADDR, each connection to ADDR is answered with one line,
// "connections N", the number of connections accepted so far: benches read
// it before and after a run to count connections exactly.
//
// Usage: wanproxy -listen 127.0.0.1:PORT -target 127.0.0.1:PORT -rtt 50ms
// [-jitter 5ms] [-bandwidth 1000000] [-control 127.0.0.1:PORT]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

type link struct {
	target    string
	rtt       time.Duration
	jitter    time.Duration
	bandwidth float64 // bytes per second per direction; 0: unlimited
	accepted  atomic.Int64
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to accept connections on")
	target := flag.String("target", "", "server address to relay to (host:port)")
	rtt := flag.Duration("rtt", 50*time.Millisecond, "round-trip time added to every connection")
	jitter := flag.Duration("jitter", 0, "random extra one-way delay per chunk, up to this much (order is kept)")
	bw := flag.Float64("bandwidth", 0, "bytes per second per direction and connection (0: unlimited)")
	control := flag.String("control", "", "address answering \"connections N\" (accepted so far) to every connection")
	flag.Parse()
	if *target == "" || *rtt < 0 || *jitter < 0 || *bw < 0 {
		fmt.Fprintln(os.Stderr, "usage: wanproxy -listen ADDR -target HOST:PORT [-rtt 50ms] [-jitter 0] [-bandwidth 0] [-control ADDR]")
		os.Exit(2)
	}
	l := &link{target: *target, rtt: *rtt, jitter: *jitter, bandwidth: *bw}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("wanproxy: %v", err)
	}
	if *control != "" {
		cl, err := net.Listen("tcp", *control)
		if err != nil {
			log.Fatalf("wanproxy: %v", err)
		}
		go l.serveControl(cl)
	}
	// The bound address on stdout, for scripts that asked for port 0.
	fmt.Println(ln.Addr().String())
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			log.Fatalf("wanproxy: %v", err)
		}
		l.accepted.Add(1)
		go l.relay(c.(*net.TCPConn), time.Now())
	}
}

func (l *link) serveControl(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		fmt.Fprintf(c, "connections %d\n", l.accepted.Load())
		c.Close()
	}
}

// chunk is bytes (or, with end set, the end of the stream: err nil for a
// FIN) due at the far side at due.
type chunk struct {
	data []byte
	due  time.Time
	end  bool
	err  error
}

// relay carries one client connection accepted at t0.
func (l *link) relay(client *net.TCPConn, t0 time.Time) {
	defer client.Close()
	half := l.rtt / 2
	time.Sleep(time.Until(t0.Add(half)))
	server, err := net.DialTimeout("tcp", l.target, 10*time.Second)
	if err != nil {
		// The client sees the refusal half a round trip later.
		time.Sleep(half)
		client.SetLinger(0)
		return
	}
	defer server.Close()
	var wg sync.WaitGroup
	wg.Add(2)
	// Client to server: nothing leaves before the client's handshake is done.
	go func() {
		defer wg.Done()
		l.pipe(client, server.(*net.TCPConn), t0.Add(l.rtt))
	}()
	go func() {
		defer wg.Done()
		l.pipe(server.(*net.TCPConn), client, time.Time{})
	}()
	wg.Wait()
}

// pipe reads from src and delivers to dst half a round trip later (after
// notBefore at the earliest), in order, then passes on the end of the
// stream: a FIN as a half-close, an error as a reset of both sides.
func (l *link) pipe(src, dst *net.TCPConn, notBefore time.Time) {
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		last := time.Time{} // due time of the previous chunk: order is kept
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			now := time.Now()
			sent := now
			if sent.Before(notBefore) {
				sent = notBefore
			}
			due := sent.Add(l.rtt / 2)
			if l.jitter > 0 {
				due = due.Add(time.Duration(rand.Int64N(int64(l.jitter))))
			}
			if l.bandwidth > 0 && n > 0 {
				// Serialisation: the link carries one chunk after the other.
				start := sent
				if prev := last.Add(-l.rtt / 2); prev.After(start) {
					start = prev
				}
				due = start.Add(l.rtt/2 + time.Duration(float64(n)/l.bandwidth*float64(time.Second)))
			}
			if due.Before(last) {
				due = last
			}
			last = due
			if n > 0 {
				q <- chunk{data: buf[:n], due: due}
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				q <- chunk{due: due, end: true, err: err}
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.due))
		if c.end {
			if c.err != nil {
				// A reset (or any failure) resets the other side too.
				dst.SetLinger(0)
				dst.Close()
				src.Close()
			} else {
				dst.CloseWrite()
			}
			break
		}
		if _, err := dst.Write(c.data); err != nil {
			src.SetLinger(0)
			src.Close()
			break
		}
	}
	// Drain what the reader still queues so it never blocks.
	for range q {
	}
}
