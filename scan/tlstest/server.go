// Package tlstest provides loopback TLS servers for tests and the demo, in the
// spirit of net/http/httptest: in-process crypto/tls servers, launchers for
// real servers (openssl s_server, nginx, gnutls-serv) and scripted wire-level
// servers that behave like legacy, vulnerable or hostile servers.
//
// Every server listens on 127.0.0.1 only.
package tlstest

import (
	"net"
	"strconv"
	"sync"
)

// Server is a running loopback server.
type Server struct {
	// Addr is "127.0.0.1:port".
	Addr string
	Host string // "127.0.0.1"
	Port int
	// Name is the DNS name the server's certificate is for (use it as SNI).
	Name string
	// CertDER is the leaf certificate the server serves first (if any).
	CertDER []byte
	// Chain is the chain served, leaf first (DER), if known.
	Chain [][]byte
	// Chains are all chains the server can serve (e.g. RSA and ECDSA), leaf
	// first; Chains[0] is Chain.
	Chains [][][]byte
	// PKI issued the served certificates, when they came from this package
	// (verify against PKI.RootPool()).
	PKI *PKI

	output func() string // diagnostic output of an external process
	pid    int           // process (group) id of an external server, 0 if none

	closeOnce sync.Once
	closeFn   func() error
	closeErr  error
}

// Close stops the server and waits for it to exit. It is safe to call twice.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.closeFn != nil {
			s.closeErr = s.closeFn()
		}
	})
	return s.closeErr
}

// Output returns what an external server process wrote to stdout/stderr so
// far (capped), for error messages; "" for in-process servers.
func (s *Server) Output() string {
	if s.output == nil {
		return ""
	}
	return s.output()
}

// newServer fills the address fields from a listener address.
func newServer(addr net.Addr, closeFn func() error) *Server {
	host, portStr, _ := net.SplitHostPort(addr.String())
	port, _ := strconv.Atoi(portStr)
	return &Server{Addr: addr.String(), Host: host, Port: port, closeFn: closeFn}
}

// listen opens a TCP listener on a free loopback port.
func listen() (net.Listener, error) {
	return net.Listen("tcp", "127.0.0.1:0")
}
