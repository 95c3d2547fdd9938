// Command batchserver serves TLS on many loopback endpoints for the batch
// benchmark (bench/batch.sh): -n listeners spread over -ips addresses
// 127.0.0.1, 127.0.0.2, ... on ports the kernel picks. It writes the
// endpoints to -list (ip:port per line, interleaved so consecutive lines
// are on different addresses, repeated to -targets lines) and serves until
// killed. Loopback only: every listener is on 127.0.0.0/8.
//
// By default every endpoint serves the same self-signed certificate; with
// -distinct each serves its own leaf (issued by one test CA, chain leaf +
// root), so that no per-certificate cache of the client can help.
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
	distinct := flag.Bool("distinct", false, "a distinct leaf certificate per endpoint")
	flag.Parse()
	if *targets == 0 {
		*targets = *n
	}
	cert, err := batchtest.SelfSigned("bench.tlsaudit.test")
	if err != nil {
		log.Fatal(err)
	}
	var ca *batchtest.CA
	if *distinct {
		if ca, err = batchtest.NewCA("tlsaudit bench CA"); err != nil {
			log.Fatal(err)
		}
	}
	var addrs []string
	for i := range *n {
		ip := net.IPv4(127, 0, byte(i%*ips/250), byte(1+i%*ips%250))
		ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
		if err != nil {
			log.Fatalf("listener %d: %v (raise ulimit -n)", i, err)
		}
		addrs = append(addrs, ln.Addr().String())
		c := cert
		if ca != nil {
			if c, err = ca.Leaf(int64(i+2), fmt.Sprintf("e%d.bench.tlsaudit.test", i)); err != nil {
				log.Fatal(err)
			}
		}
		go batchtest.ServeTLS(ln, c)
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
