//go:build linux

package tlstest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// GnuTLSOptions configure a gnutls-serv. The zero value serves an RSA-2048
// chain for DefaultName with priority "NORMAL" and answers HTTP.
type GnuTLSOptions struct {
	// Name is the DNS name of generated certificates (default DefaultName).
	Name string
	// Leaves are served (--x509certfile/--x509keyfile pairs, e.g. RSA and
	// ECDSA); default: one RSA-2048 leaf for Name from SharedPKI().
	Leaves []*Leaf
	// Priority is the GnuTLS priority string, e.g.
	// "NORMAL:+VERS-TLS1.0:+3DES-CBC:+ARCFOUR-128:+RSA" (default "NORMAL").
	Priority string
	// DH parameters (--dhparams), as in OpenSSLOptions.
	DHParamFile string
	DHGroup     string
	DHParamBits int
	// Echo runs the echo server instead of the HTTP one.
	Echo bool
	// OCSPResponse is a DER OCSP response file to staple (--ocsp-response).
	OCSPResponse string
	// ExtraArgs are appended to the gnutls-serv command line.
	ExtraArgs []string
}

// gnutlsInnerPort is the port gnutls-serv listens on inside its private
// network namespace (no other process can hold it there).
const gnutlsInnerPort = 4433

// StartGnuTLS runs gnutls-serv and makes it reachable on a free port of
// 127.0.0.1.
//
// gnutls-serv cannot bind to one address, so it runs in a network namespace
// of its own that holds only a loopback interface (`unshare -n`, then `ip
// link set lo up`): it is never reachable from other hosts. A forwarder in
// this process listens on 127.0.0.1 and relays every accepted connection to
// a socket created inside that namespace (one OS thread joins it with
// setns(2)). This needs root or CAP_SYS_ADMIN. Each connection to Addr is
// one connection to gnutls-serv; Server.ConnCount counts them.
func StartGnuTLS(opts GnuTLSOptions) (*Server, error) {
	bins := map[string]string{}
	for _, b := range [][2]string{{"gnutls-serv", "gnutls-bin"}, {"unshare", "util-linux"}, {"ip", "iproute2"}} {
		p, err := findBinary(b[0], b[1])
		if err != nil {
			return nil, err
		}
		bins[b[0]] = p
	}
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	if opts.Priority == "" {
		opts.Priority = "NORMAL"
	}
	leaves, pki, err := prepareLeaves(opts.Name, opts.Leaves)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "tlstest-gnutls-")
	if err != nil {
		return nil, err
	}
	srv, err := startGnuTLS(dir, bins, opts, leaves)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("tlstest: %w", err)
	}
	srv.setLeaves(opts.Name, pki, leaves)
	return srv, nil
}

// StartGnuTLST is StartGnuTLS for tests: it fails t (e.g. when gnutls-serv is
// not installed) and stops the server in t.Cleanup.
func StartGnuTLST(t testing.TB, opts GnuTLSOptions) *Server {
	t.Helper()
	srv, err := StartGnuTLS(opts)
	return cleanupT(t, "StartGnuTLS", srv, err)
}

func startGnuTLS(dir string, bins map[string]string, opts GnuTLSOptions, leaves []*Leaf) (*Server, error) {
	args := []string{"--port", strconv.Itoa(gnutlsInnerPort), "--priority", opts.Priority, "--disable-client-cert"}
	for i, l := range leaves {
		certFile, keyFile, err := writeFullChain(dir, i, l)
		if err != nil {
			return nil, err
		}
		args = append(args, "--x509certfile", certFile, "--x509keyfile", keyFile)
	}
	if opts.DHParamFile != "" || opts.DHGroup != "" || opts.DHParamBits != 0 {
		opensslBin, err := findBinary("openssl", "openssl")
		if err != nil {
			return nil, err
		}
		dhFile, _, err := DHParamsFor(opensslBin, dir, opts.DHParamFile, opts.DHGroup, opts.DHParamBits)
		if err != nil {
			return nil, err
		}
		args = append(args, "--dhparams", dhFile)
	}
	mode := "--http"
	if opts.Echo {
		mode = "--echo"
	}
	args = append(args, mode)
	if opts.OCSPResponse != "" {
		args = append(args, "--ocsp-response", opts.OCSPResponse)
	}
	args = append(args, opts.ExtraArgs...)

	// sh brings lo up with ip ($1), then execs gnutls-serv, which keeps
	// unshare's pid: /proc/PID/ns/net is the server's namespace.
	script := `"$1" link set lo up && shift && exec "$@"`
	full := append([]string{"-n", "sh", "-c", script, "sh", bins["ip"], bins["gnutls-serv"]}, args...)
	p, err := startProcess(dir, bins["unshare"], full...)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Server, error) {
		p.stop()
		return nil, err
	}
	nsPath := fmt.Sprintf("/proc/%d/ns/net", p.cmd.Process.Pid)
	if err := waitOwnNetns(p, nsPath); err != nil {
		return fail(err)
	}
	nsd, err := newNetnsDialer(nsPath, net.JoinHostPort("127.0.0.1", strconv.Itoa(gnutlsInnerPort)))
	if err != nil {
		return fail(err)
	}
	if err := p.waitReady("gnutls-serv", "listening on IPv4", nsd.dial); err != nil {
		nsd.close()
		return fail(err)
	}
	loop, err := startLoop(func(c net.Conn, done <-chan struct{}) {
		backend, err := nsd.dial()
		if err != nil {
			return
		}
		relay(c, backend, done)
	})
	if err != nil {
		nsd.close()
		return fail(err)
	}
	srv := loop.server()
	srv.closeFn = func() error {
		err := loop.close()
		nsd.close()
		p.stop()
		return errors.Join(err, os.RemoveAll(dir))
	}
	srv.output = p.out.String
	srv.pid = p.cmd.Process.Pid
	return srv, nil
}

// hostNetns is the network namespace this process started in, read before
// any netnsDialer ran. /proc/self/ns/net cannot be read later: it names the
// namespace of the main thread, and a netnsDialer may have locked that very
// thread and moved it into a server's namespace (that made waitOwnNetns
// return before unshare had run, and the dialer join our own namespace).
var hostNetns, hostNetnsErr = func() (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/self/ns/net", &st); err != nil {
		return 0, err
	}
	return st.Ino, nil
}()

// waitOwnNetns waits until the process at nsPath has left our network
// namespace (unshare has run).
func waitOwnNetns(p *process, nsPath string) error {
	if hostNetnsErr != nil {
		return hostNetnsErr
	}
	var st syscall.Stat_t
	deadline := time.Now().Add(startTimeout)
	for {
		if p.exited() {
			return p.exitError("unshare -n (needs root or CAP_SYS_ADMIN)")
		}
		if err := syscall.Stat(nsPath, &st); err == nil && st.Ino != hostNetns {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gnutls-serv did not enter its own network namespace within %v", startTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// netnsDialer dials addr from inside another network namespace: one
// goroutine, locked to its OS thread, joins the namespace and makes every
// connection (a socket belongs to the namespace of the thread creating it;
// once connected it can be used from any thread).
type netnsDialer struct {
	reqs chan chan dialResult
	quit chan struct{}
	done chan struct{}
}

type dialResult struct {
	c   net.Conn
	err error
}

func newNetnsDialer(nsPath, addr string) (*netnsDialer, error) {
	d := &netnsDialer{reqs: make(chan chan dialResult), quit: make(chan struct{}), done: make(chan struct{})}
	started := make(chan error, 1)
	go d.run(nsPath, addr, started)
	if err := <-started; err != nil {
		return nil, err
	}
	return d, nil
}

func (d *netnsDialer) run(nsPath, addr string, started chan<- error) {
	defer close(d.done)
	runtime.LockOSThread()
	orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		started <- fmt.Errorf("open own network namespace: %w", err)
		return
	}
	defer unix.Close(orig)
	target, err := unix.Open(nsPath, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		started <- fmt.Errorf("open %s: %w", nsPath, err)
		return
	}
	err = unix.Setns(target, unix.CLONE_NEWNET)
	unix.Close(target)
	if err != nil {
		runtime.UnlockOSThread()
		started <- fmt.Errorf("setns %s (needs root or CAP_SYS_ADMIN): %w", nsPath, err)
		return
	}
	started <- nil
	for {
		select {
		case r := <-d.reqs:
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			r <- dialResult{c, err}
		case <-d.quit:
			// Return the thread to our namespace so the runtime can reuse
			// it; if that fails, exiting while locked destroys the thread.
			if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
				runtime.UnlockOSThread()
			}
			return
		}
	}
}

func (d *netnsDialer) dial() (net.Conn, error) {
	r := make(chan dialResult, 1)
	select {
	case d.reqs <- r:
	case <-d.done:
		return nil, errors.New("namespace dialer closed")
	}
	res := <-r
	return res.c, res.err
}

func (d *netnsDialer) close() {
	select {
	case <-d.quit:
	default:
		close(d.quit)
	}
	<-d.done
}

// relay copies between a and b in both directions, passing half-closes on,
// until both directions are finished or done is closed.
func relay(a, b net.Conn, done <-chan struct{}) {
	finished := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		} else {
			_ = dst.Close()
		}
		finished <- struct{}{}
	}
	go pipe(a, b)
	go pipe(b, a)
	for n := 0; n < 2; {
		select {
		case <-finished:
			n++
		case <-done:
			a.Close()
			b.Close()
			done = nil
		}
	}
	a.Close()
	b.Close()
}
