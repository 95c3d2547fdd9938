package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/batch"
)

// maxTargetLine bounds one line of a targets file or of standard input.
const maxTargetLine = 64 << 10

// inputSource reads the targets lazily, in order: the arguments (where "-"
// stands for the lines of stdin, read once), then the lines of the
// --targets file. Only the line being handed out is held in memory.
type inputSource struct {
	args      []string
	stdin     io.Reader
	file      *os.File // --targets, opened up front so that a bad path is a usage error
	closer    io.Closer
	fileName  string
	prepare   func(raw string) batch.Input
	cur       *bufio.Scanner
	curName   string
	curLine   int
	stdinRead bool
}

// newInputSource opens the --targets file (if any).
func newInputSource(args []string, targetsFile string, stdin io.Reader, prepare func(string) batch.Input) (*inputSource, error) {
	s := &inputSource{args: args, stdin: stdin, fileName: targetsFile, prepare: prepare}
	if targetsFile != "" {
		f, err := os.Open(targetsFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read --targets file: %v", err)
		}
		s.file, s.closer = f, f
	}
	return s, nil
}

// Next returns the next target (batch.Source).
func (s *inputSource) Next() (batch.Input, error) {
	for {
		if s.cur != nil {
			for s.cur.Scan() {
				s.curLine++
				if line := strings.TrimSpace(s.cur.Text()); line != "" && !strings.HasPrefix(line, "#") {
					return s.prepare(line), nil
				}
			}
			err := s.cur.Err()
			s.cur = nil
			if errors.Is(err, bufio.ErrTooLong) {
				err = fmt.Errorf("line %d is longer than %d bytes", s.curLine+1, maxTargetLine)
			}
			if err != nil {
				return batch.Input{}, fmt.Errorf("reading targets from %s: %v", s.curName, err)
			}
			continue
		}
		if len(s.args) > 0 {
			a := s.args[0]
			s.args = s.args[1:]
			if a != "-" {
				return s.prepare(a), nil
			}
			if !s.stdinRead {
				s.stdinRead = true
				s.open(s.stdin, "standard input")
			}
			continue
		}
		if s.file != nil {
			s.open(s.file, "--targets file "+s.fileName)
			s.file = nil
			continue
		}
		return batch.Input{}, io.EOF
	}
}

func (s *inputSource) open(r io.Reader, name string) {
	s.cur = bufio.NewScanner(r)
	s.cur.Buffer(make([]byte, 4096), maxTargetLine)
	s.curName, s.curLine = name, 0
}

// Close closes the --targets file.
func (s *inputSource) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// countTargets counts the targets of a --targets file and the arguments
// (for the progress total) with a cheap first pass over the file; ok is
// false when the total cannot be known (stdin, unreadable file).
func countTargets(args []string, targetsFile string) (n int64, ok bool) {
	for _, a := range args {
		if a == "-" {
			return 0, false
		}
		n++
	}
	if targetsFile == "" {
		return n, true
	}
	f, err := os.Open(targetsFile)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), maxTargetLine)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			n++
		}
	}
	return n, sc.Err() == nil
}
