package main

import (
	"bufio"
	"bytes"
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
	cur       *bufio.Reader
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

// Next returns the next target (batch.Source). A line longer than
// maxTargetLine becomes one invalid_target input of its own (its first
// bytes name it) and the list goes on.
func (s *inputSource) Next() (batch.Input, error) {
	for {
		if s.cur != nil {
			for {
				raw, tooLong, err := readTargetLine(s.cur)
				if err != nil && !errors.Is(err, io.EOF) {
					s.cur = nil
					return batch.Input{}, fmt.Errorf("reading targets from %s: %v", s.curName, err)
				}
				if raw == "" && !tooLong && err != nil {
					s.cur = nil
					break
				}
				s.curLine++
				if tooLong {
					return batch.Input{Raw: raw + "...", Err: fmt.Errorf("%s line %d is longer than %d bytes", s.curName, s.curLine, maxTargetLine)}, nil
				}
				if line := strings.TrimSpace(raw); line != "" && !strings.HasPrefix(line, "#") {
					return s.prepare(line), nil
				}
				if err != nil {
					s.cur = nil
					break
				}
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

// targetPrefix is how much of an overlong line its record keeps.
const targetPrefix = 64

// readTargetLine reads one line without its newline. A line longer than
// maxTargetLine is read to its end but not kept: its first targetPrefix
// bytes are returned with tooLong set. err is io.EOF with the last line
// when it has no newline, and with "" at the end.
func readTargetLine(br *bufio.Reader) (line string, tooLong bool, err error) {
	var buf []byte
	n := 0
	for {
		chunk, err := br.ReadSlice('\n')
		n += len(chunk)
		if n <= maxTargetLine+1 {
			buf = append(buf, chunk...)
		} else if !tooLong {
			tooLong = true
			buf = buf[:min(len(buf), targetPrefix)]
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil {
			buf = bytes.TrimSuffix(buf, []byte("\n"))
		}
		if len(buf) > maxTargetLine {
			tooLong, buf = true, buf[:targetPrefix]
		}
		return string(buf), tooLong, err
	}
}

func (s *inputSource) open(r io.Reader, name string) {
	s.cur = bufio.NewReaderSize(r, 16<<10)
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
	br := bufio.NewReaderSize(f, 16<<10)
	for {
		line, tooLong, err := readTargetLine(br)
		if line = strings.TrimSpace(line); tooLong || line != "" && !strings.HasPrefix(line, "#") {
			n++
		}
		if errors.Is(err, io.EOF) {
			return n, true
		}
		if err != nil {
			return 0, false
		}
	}
}
