package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progress shows how a batch advances on stderr. It is drawn only when
// stderr is a terminal; otherwise it prints nothing of its own (error lines
// still go through log).
type progress interface {
	// target counts one input target finished (all its records) or skipped.
	target()
	// record counts one endpoint record, failed when its status is not ok.
	record(failed bool)
	// log writes a line to stderr above the bar.
	log(stderr io.Writer, line string)
	// close finishes the display.
	close()
}

// newProgress returns a bar on stderr when it is a terminal, else a no-op.
// total is the number of input targets, 0 when unknown (stdin).
// isTerm decides whether stderr gets the bar (see progressTerminal).
func newProgress(stderr io.Writer, total int64, isTerm func(io.Writer) bool) progress {
	if !isTerm(stderr) {
		return noProgress{}
	}
	p := mpb.New(mpb.WithOutput(stderr), mpb.WithWidth(100), mpb.WithRefreshRate(250*time.Millisecond), mpb.WithAutoRefresh())
	bp := &barProgress{p: p, start: time.Now(), known: total > 0, width: terminalWidth(stderr)}
	bp.bar = p.AddBar(total, mpb.BarWidth(24),
		mpb.PrependDecorators(
			decor.Name("tlsaudit ", decor.WCSyncSpaceR),
			decor.Any(func(s decor.Statistics) string {
				if s.Total <= 0 || !bp.known {
					return fmt.Sprintf("%d targets", s.Current)
				}
				return fmt.Sprintf("%d/%d targets", s.Current, s.Total)
			}, decor.WCSyncSpaceR),
		),
		mpb.AppendDecorators(
			decor.Any(func(s decor.Statistics) string {
				el := time.Since(bp.start).Seconds()
				rate := 0.0
				if el > 0 {
					rate = float64(s.Current) / el
				}
				eta := "?"
				if bp.known && rate > 0 && s.Total > s.Current {
					eta = (time.Duration(float64(s.Total-s.Current)/rate) * time.Second).Round(time.Second).String()
				} else if bp.known && s.Total <= s.Current {
					eta = "0s"
				}
				return fmt.Sprintf("%.1f/s  ETA %s  failures %d", rate, eta, bp.failures.Load())
			}),
		),
	)
	return bp
}

// progressTerminal reports whether stderr gets a progress bar: a terminal
// file (a dependency apart from isTerminal, which decides colour on
// stdout).
func progressTerminal(stderr io.Writer) bool {
	_, file := stderr.(*os.File)
	return file && isTerminal(stderr)
}

type barProgress struct {
	p        *mpb.Progress
	bar      *mpb.Bar
	start    time.Time
	known    bool
	width    int // of the terminal: lines written above the bar fit it
	failures atomic.Int64
}

func (b *barProgress) target() { b.bar.Increment() }

func (b *barProgress) record(failed bool) {
	if failed {
		b.failures.Add(1)
	}
}

// log writes line above the bar, or to w once the display has ended (the
// bar completes when its last target is counted).
func (b *barProgress) log(w io.Writer, line string) {
	line = fitWidth(line, b.width)
	if _, err := b.p.Write([]byte(line)); err != nil {
		io.WriteString(w, line)
	}
}

// fitWidth wraps each line of text wider than width columns at spaces
// (a longer word is cut), the continuation lines indented by four: a line
// the terminal wrapped itself would confuse the bar's redraw, which counts
// the lines it drew.
func fitWidth(text string, width int) string {
	if width < 20 {
		return text
	}
	var out strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		body := strings.TrimSuffix(line, "\n")
		for utf8.RuneCountInString(body) > width {
			rs := []rune(body)
			cut := width
			for i := width; i > width/2; i-- {
				if rs[i] == ' ' {
					cut = i
					break
				}
			}
			out.WriteString(string(rs[:cut]) + "\n")
			body = "    " + strings.TrimLeft(string(rs[cut:]), " ")
		}
		out.WriteString(body + line[len(strings.TrimSuffix(line, "\n")):])
	}
	return out.String()
}

func (b *barProgress) close() {
	b.bar.SetTotal(-1, true) // complete at the current count
	b.p.Wait()
}

// aboveBar is stdout while a bar is drawn on the same terminal: complete
// lines go through the progress display, which prints them above the bar
// (a line written straight to the terminal would be erased by the bar's
// next redraw, which moves the cursor up over what it drew last). Once the
// display is closed (detach), writes go straight to stdout again. Only
// used when stdout is a terminal, so the lines still reach the screen the
// user watches, never a file or pipe.
type aboveBar struct {
	mu     sync.Mutex
	p      progress
	direct io.Writer
	buf    []byte
	closed bool
}

func (a *aboveBar) Write(b []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return a.direct.Write(b)
	}
	a.buf = append(a.buf, b...)
	if i := bytes.LastIndexByte(a.buf, '\n'); i >= 0 {
		a.p.log(a.direct, string(a.buf[:i+1]))
		a.buf = append(a.buf[:0], a.buf[i+1:]...)
	}
	return len(b), nil
}

// detach writes what is left of a line and sends later writes straight to
// stdout; call it after the display is closed.
func (a *aboveBar) detach() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	if len(a.buf) > 0 {
		a.direct.Write(a.buf)
		a.buf = nil
	}
}

type noProgress struct{}

func (noProgress) target()                           {}
func (noProgress) record(bool)                       {}
func (noProgress) log(stderr io.Writer, line string) { io.WriteString(stderr, line) }
func (noProgress) close()                            {}

// detachingProgress closes its display, then lets stdout write straight
// to the terminal again.
type detachingProgress struct {
	progress
	ab *aboveBar
}

func (d *detachingProgress) close() {
	d.progress.close()
	d.ab.detach()
}
