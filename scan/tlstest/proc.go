//go:build linux

// The launchers of external servers use Linux process and namespace
// features (Pdeathsig, setns); tlstest offers them on Linux only.

package tlstest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// startTimeout bounds the wait for an external server to accept connections.
	startTimeout = 20 * time.Second
	// stopTimeout is how long a process gets to exit after SIGTERM before SIGKILL.
	stopTimeout = 3 * time.Second
	// maxOutput caps the captured stdout+stderr of an external server.
	maxOutput = 64 << 10
	// portAttempts is how often a launcher retries when its port was taken.
	portAttempts = 4
)

// findBinary locates an external server binary or explains how to install it.
func findBinary(name, aptPackage string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		p := dir + "/" + name
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not installed: apt-get install %s", name, aptPackage)
}

// capBuffer keeps the first maxOutput bytes written to it.
type capBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *capBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := maxOutput - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *capBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// process is an external server started in its own process group.
type process struct {
	cmd  *exec.Cmd
	out  *capBuffer
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, valid after done
}

// startProcess runs path with args in its own process group; stdout and
// stderr go to a capped buffer. The process is killed if the calling OS
// thread's process dies (Pdeathsig), so a crashed test leaves no orphan.
func startProcess(dir, path string, args ...string) (*process, error) {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out := &capBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	p := &process{cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, waits, then SIGKILLs it.
func (p *process) stop() {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// Children that outlived the leader (none expected) share its group.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// exitError describes an early exit with the process output.
func (p *process) exitError(what string) error {
	return fmt.Errorf("%s exited during start-up (%v): %s", what, p.err, strings.TrimSpace(p.out.String()))
}

// errPortBusy marks a start-up failure caused by the port being taken
// between choosing and binding it; the launcher retries on another port.
var errPortBusy = errors.New("port already in use")

// waitReady waits until p has printed marker (if any) and dial succeeds.
func (p *process) waitReady(what string, marker string, dial func() (net.Conn, error)) error {
	deadline := time.Now().Add(startTimeout)
	var lastErr error
	for {
		if p.exited() {
			err := p.exitError(what)
			if strings.Contains(p.out.String(), "in use") {
				return fmt.Errorf("%w: %v", errPortBusy, err)
			}
			return err
		}
		if marker == "" || strings.Contains(p.out.String(), marker) {
			c, err := dial()
			if err == nil {
				c.Close()
				if !p.exited() {
					return nil
				}
				continue
			}
			lastErr = err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not accept connections within %v (last dial: %v): %s", what, startTimeout, lastErr, strings.TrimSpace(p.out.String()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := listen()
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// dialLoopback returns a dial function for 127.0.0.1:port.
func dialLoopback(port int) func() (net.Conn, error) {
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
	return func() (net.Conn, error) { return net.DialTimeout("tcp", addr, 200*time.Millisecond) }
}

// launch starts an external server on a free loopback port, retrying on
// another port when the chosen one was taken in the meantime. start gets
// the port and returns the running process; marker is the readiness line.
func launch(what, marker string, start func(port int) (*process, error)) (*process, int, error) {
	var lastErr error
	for range portAttempts {
		port, err := freePort()
		if err != nil {
			return nil, 0, err
		}
		p, err := start(port)
		if err != nil {
			return nil, 0, err
		}
		err = p.waitReady(what, marker, dialLoopback(port))
		if err == nil {
			return p, port, nil
		}
		p.stop()
		if !errors.Is(err, errPortBusy) {
			return nil, 0, err
		}
		lastErr = err
	}
	return nil, 0, lastErr
}

// launchServer creates a temporary directory, lets prepare write its files
// and return the start function, launches the process (see launch) and wraps
// it in a Server serving leaves. The directory is removed on failure or Close.
func launchServer(kind, marker, name string, pki *PKI, leaves []*Leaf,
	prepare func(dir string) (func(port int) (*process, error), error)) (*Server, error) {
	dir, err := os.MkdirTemp("", "tlstest-"+kind+"-")
	if err != nil {
		return nil, err
	}
	start, err := prepare(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p, port, err := launch(kind, marker, start)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("tlstest: %w", err)
	}
	srv := procServer(p, port, dir)
	srv.setLeaves(name, pki, leaves)
	return srv, nil
}

// procServer wraps a running process in a Server that stops it and removes
// dir on Close.
func procServer(p *process, port int, dir string) *Server {
	srv := newServer(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, func() error {
		p.stop()
		return os.RemoveAll(dir)
	})
	srv.output = p.out.String
	srv.pid = p.cmd.Process.Pid
	return srv
}

// setLeaves records the served chains in srv.
func (s *Server) setLeaves(name string, pki *PKI, leaves []*Leaf) {
	s.Name, s.PKI = name, pki
	for _, l := range leaves {
		s.Chains = append(s.Chains, l.ChainDER)
	}
	if len(s.Chains) > 0 {
		s.Chain = s.Chains[0]
		s.CertDER = s.Chain[0]
	}
}

// prepareLeaves fills in a default RSA-2048 leaf from the shared PKI when
// leaves is empty and returns the PKI that issued them (nil for given leaves).
func prepareLeaves(name string, leaves []*Leaf) ([]*Leaf, *PKI, error) {
	for _, l := range leaves {
		if l == nil {
			return nil, nil, errNoLeaf
		}
	}
	if len(leaves) > 0 {
		return leaves, nil, nil
	}
	p, err := SharedPKI()
	if err != nil {
		return nil, nil, err
	}
	l, err := p.IssueLeaf(LeafOptions{DNSNames: []string{name}})
	if err != nil {
		return nil, nil, err
	}
	return []*Leaf{l}, p, nil
}

// writeFullChain writes the full chain (leaf first) and the key of l into
// dir as fullchainI.pem and keyI.pem, the form nginx and gnutls-serv read.
func writeFullChain(dir string, i int, l *Leaf) (certFile, keyFile string, err error) {
	keyPEM, err := l.KeyPEM()
	if err != nil {
		return "", "", err
	}
	certFile = filepath.Join(dir, fmt.Sprintf("fullchain%d.pem", i))
	keyFile = filepath.Join(dir, fmt.Sprintf("key%d.pem", i))
	if err := os.WriteFile(certFile, l.FullChainPEM(), 0o644); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return "", "", err
	}
	return certFile, keyFile, nil
}
