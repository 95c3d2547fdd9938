package tlstest

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// connLoop accepts connections on a loopback listener and runs one handler
// goroutine per connection. close() stops the listener, closes every open
// connection and waits for all handlers.
type connLoop struct {
	ln     net.Listener
	handle func(c net.Conn, done <-chan struct{})
	done   chan struct{}
	wg     sync.WaitGroup
	count  atomic.Int64
	// state is the scripted server behind the loop (e.g. *fakeEngine).
	state any

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// loops maps the servers started by this file's users to their loop, so that
// (*Server).ConnCount can find it (also after Close).
var loops sync.Map // *Server -> *connLoop

func startLoop(handle func(c net.Conn, done <-chan struct{})) (*connLoop, error) {
	ln, err := listen()
	if err != nil {
		return nil, err
	}
	l := &connLoop{ln: ln, handle: handle, done: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	l.wg.Add(1)
	go l.accept()
	return l, nil
}

// server wraps the loop in a *Server and registers it for ConnCount.
func (l *connLoop) server() *Server {
	s := newServer(l.ln.Addr(), l.close)
	// The entry stays after Close so that ConnCount can be read afterwards.
	loops.Store(s, l)
	return s
}

func (l *connLoop) accept() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		l.count.Add(1)
		l.mu.Lock()
		select {
		case <-l.done:
			l.mu.Unlock()
			c.Close()
			return
		default:
		}
		l.conns[c] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go func() {
			defer l.wg.Done()
			defer func() {
				l.mu.Lock()
				delete(l.conns, c)
				l.mu.Unlock()
				c.Close()
			}()
			l.handle(c, l.done)
		}()
	}
}

func (l *connLoop) close() error {
	l.mu.Lock()
	close(l.done)
	err := l.ln.Close()
	for c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
	return err
}

// ConnCount returns the number of TCP connections a scripted (fake or hostile)
// server has accepted so far; 0 for other servers.
func (s *Server) ConnCount() int {
	if v, ok := loops.Load(s); ok {
		return int(v.(*connLoop).count.Load())
	}
	return 0
}

// sleepOrDone waits d or until done is closed; it reports whether d elapsed.
func sleepOrDone(d time.Duration, done <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}
