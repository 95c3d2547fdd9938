// Command batchserver serves TLS on many loopback endpoints for the batch
// benchmark (bench/batch.sh): -n listeners spread over -ips addresses
// 127.0.0.1, 127.0.0.2, ... on ports the kernel picks. It writes the
// endpoints to -list (ip:port per line, interleaved so consecutive lines
// are on different addresses, repeated to -targets lines) and serves until
// killed. Loopback only: every listener is on 127.0.0.0/8.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net"
	"os"

	"github.com/tlsaudit/tlsaudit/scan/batch/batchtest"
)

func main() {
	n := flag.Int("n", 10000, "endpoints (listeners)")
	ips := flag.Int("ips", 100, "loopback addresses to spread them over (127.0.0.1 up)")
	list := flag.String("list", "", "write the target list here")
	targets := flag.Int("targets", 0, "lines in the list (repeating endpoints; default -n)")
	flag.Parse()
	if *targets == 0 {
		*targets = *n
	}
	cert, err := batchtest.SelfSigned("bench.tlsaudit.test")
	if err != nil {
		log.Fatal(err)
	}
	var addrs []string
	for i := range *n {
		ip := net.IPv4(127, 0, byte(i%*ips/250), byte(1+i%*ips%250))
		ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
		if err != nil {
			log.Fatalf("listener %d: %v (raise ulimit -n)", i, err)
		}
		addrs = append(addrs, ln.Addr().String())
		go batchtest.ServeTLS(ln, cert)
	}
	f, err := os.Create(*list)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range *targets {
		fmt.Fprintln(w, addrs[i%len(addrs)])
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	f.Close()
	fmt.Println("ready")
	select {}
}
