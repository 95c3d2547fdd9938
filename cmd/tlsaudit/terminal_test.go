package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
)

// The command on a real terminal: a pseudo-terminal 80 columns wide runs
// the test binary as the command (TestTerminalChild), and a small screen
// model replays what it drew.

// TestTerminalChild is the command when the parent test starts it on a
// pseudo-terminal; otherwise it does nothing.
func TestTerminalChild(t *testing.T) {
	if os.Getenv("TLSAUDIT_PTY_CHILD") != "1" {
		return
	}
	ctx, stop := interruptContext(os.Stderr)
	code := runContext(ctx, strings.Split(os.Getenv("TLSAUDIT_PTY_ARGS"), "\x1f"), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runOnTerminal runs the command with args on a cols-wide terminal
// (stdout and stderr both on it) and returns what it wrote.
func runOnTerminal(t *testing.T, cols uint16, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTerminalChild$")
	cmd.Env = append(os.Environ(), "TLSAUDIT_PTY_CHILD=1", "TLSAUDIT_PTY_ARGS="+strings.Join(args, "\x1f"), "COLUMNS=", "NO_COLOR=")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: cols, Rows: 40})
	if err != nil {
		t.Fatalf("start on a pseudo-terminal: %v", err)
	}
	defer f.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&out, f) // ends with EIO when the child exits
		close(done)
	}()
	werr := cmd.Wait()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal output did not end")
	}
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) {
		t.Fatal(werr)
	}
	return out.Bytes()
}

// screen replays terminal output: printable text, CR, LF, and the CSI
// sequences the command and its progress bar use (cursor up "A", erase
// below "J", erase line "K"; colours and the rest change no text). It keeps
// every line ever drawn (no scrolling off), and counts the characters that
// reached the right margin and wrapped.
type screen struct {
	cols      int
	lines     [][]rune
	row, col  int
	overflows []string
}

func (s *screen) line() []rune {
	for len(s.lines) <= s.row {
		s.lines = append(s.lines, nil)
	}
	return s.lines[s.row]
}

func (s *screen) put(r rune) {
	if s.col >= s.cols { // the terminal wraps: the line was too wide
		s.overflows = append(s.overflows, string(s.line()))
		s.row, s.col = s.row+1, 0
	}
	l := s.line()
	for len(l) <= s.col {
		l = append(l, ' ')
	}
	l[s.col] = r
	s.lines[s.row] = l
	s.col++
}

func (s *screen) write(b []byte) {
	for len(b) > 0 {
		switch {
		case b[0] == '\r':
			s.col, b = 0, b[1:]
		case b[0] == '\n':
			s.row, b = s.row+1, b[1:]
			s.line()
		case b[0] == 0x1b && len(b) > 1 && b[1] == '[':
			i := 2
			for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == ';' || b[i] == '?') {
				i++
			}
			if i >= len(b) {
				return
			}
			n, _ := strconv.Atoi(strings.TrimPrefix(string(b[2:i]), "?"))
			switch b[i] {
			case 'A':
				s.row = max(s.row-max(n, 1), 0)
			case 'J':
				l := s.line()
				s.lines[s.row] = l[:min(s.col, len(l))]
				s.lines = s.lines[:s.row+1]
			case 'K':
				l := s.line()
				s.lines[s.row] = l[:min(s.col, len(l))]
			}
			b = b[i+1:]
		case b[0] < 0x20:
			b = b[1:]
		default:
			r, size := utf8.DecodeRune(b)
			s.put(r)
			b = b[size:]
		}
	}
}

func (s *screen) text() string {
	var out []string
	for _, l := range s.lines {
		out = append(out, strings.TrimRight(string(l), " "))
	}
	return strings.Join(out, "\n")
}

// TestAuditFitsAnEightyColumnTerminal: a real audit (the demo's two
// loopback servers) drawn on an 80-column terminal has no line wider
// than the terminal, with or without the detail sections and the OpenSSL
// suite names.
func TestAuditFitsAnEightyColumnTerminal(t *testing.T) {
	for _, args := range [][]string{{"demo"}, {"demo", "--verbose"}, {"demo", "--openssl-names"}} {
		out := runOnTerminal(t, 80, args...)
		s := &screen{cols: 80}
		s.write(out)
		if !strings.Contains(s.text(), "Vulnerabilities") || !strings.Contains(s.text(), "Grade") {
			t.Fatalf("%v: no report on the terminal:\n%s", args, s.text())
		}
		for _, l := range s.overflows {
			t.Errorf("%v: a line wider than 80 columns wrapped: %q", args, l)
		}
		if hasName := strings.Contains(s.text(), "ECDHE-RSA-AES128-SHA"); hasName != slices.Contains(args, "--openssl-names") {
			t.Errorf("%v: OpenSSL suite name shown: %v", args, hasName)
		}
	}
}

// TestBatchResultsStayAboveTheProgressBar: a batch with --quiet on a
// terminal (progress bar on the same terminal) leaves every result line
// on the screen; the bar's redraws erase none of them, and no line wraps.
func TestBatchResultsStayAboveTheProgressBar(t *testing.T) {
	var targets []string
	for range 6 {
		targets = append(targets, b7TLS(t, "127.0.0.1:0").Addr().String())
	}
	// Silent servers keep the batch running across several redraws.
	for range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			var held []net.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				held = append(held, c)
			}
		}()
		targets = append(targets, ln.Addr().String())
	}
	args := append([]string{"--quiet", "--quick", "--system-store=false", "--retries", "0", "--conn-timeout", "1500ms", "--concurrency", "2"}, targets...)
	out := runOnTerminal(t, 80, args...)
	s := &screen{cols: 80}
	s.write(out)
	text := s.text()
	if !strings.Contains(string(out), "\x1b[") || !strings.Contains(string(out), "targets") {
		t.Fatalf("no progress bar was drawn:\n%q", out)
	}
	for _, tg := range targets {
		if !strings.Contains(text, tg+" ") {
			t.Errorf("the result line of %s is not on the screen", tg)
		}
	}
	for _, l := range s.overflows {
		t.Errorf("a line wider than 80 columns wrapped: %q", l)
	}
	if t.Failed() {
		t.Logf("screen:\n%s", text)
	}
}
