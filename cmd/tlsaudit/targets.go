package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxTargetLine bounds one line of a targets file or of standard input.
const maxTargetLine = 64 << 10

// collectInputs gathers target strings in order: the arguments (where "-"
// stands for the lines of stdin), then the lines of the --targets file.
func collectInputs(args []string, targetsFile string, stdin io.Reader) ([]string, error) {
	var out []string
	stdinRead := false
	for _, a := range args {
		if a != "-" {
			out = append(out, a)
			continue
		}
		if stdinRead {
			continue
		}
		stdinRead = true
		lines, err := readTargets(stdin)
		if err != nil {
			return nil, fmt.Errorf("reading targets from standard input: %v", err)
		}
		out = append(out, lines...)
	}
	if targetsFile != "" {
		f, err := os.Open(targetsFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read --targets file: %v", err)
		}
		defer f.Close()
		lines, err := readTargets(f)
		if err != nil {
			return nil, fmt.Errorf("reading --targets file %s: %v", targetsFile, err)
		}
		out = append(out, lines...)
	}
	return out, nil
}

// readTargets returns the non-blank lines of r that do not start with '#'.
func readTargets(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxTargetLine)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out, sc.Err()
}
