// Command capture records the first ClientHello a real TLS client sends.
//
// It listens on 127.0.0.1 (a free port), runs the client command given after
// "--" with every "{PORT}" replaced by that port, reads the first
// connection's ClientHello record(s) byte for byte, answers with a fatal
// handshake_failure alert so the client gives up at once, and writes
// DIR/<name>-<version>.hello (see ../README.md for the format) and
// DIR/<name>-<version>.json (metadata: client, version, capture date, the
// exact command, how the client was configured).
//
//	capture -out testdata/clients -name curl -version 7.88.1 \
//	    -label "curl 7.88.1 (OpenSSL 3.0)" -config "defaults" -- \
//	    curl -sk --resolve tlsaudit.test:{PORT}:127.0.0.1 https://tlsaudit.test:{PORT}/
//
// capture.sh drives every client this way inside a loopback-only network
// namespace. The command is killed when the hello is in or after -timeout.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tlsaudit/tlsaudit/scan/clientsim"
)

func main() {
	out := flag.String("out", "testdata/clients", "output directory")
	name := flag.String("name", "", "client name, e.g. chromium (file name part)")
	version := flag.String("version", "", "client version, e.g. 140.0 (file name part)")
	label := flag.String("label", "", "display name, e.g. \"Chromium 140\" (default: name version)")
	config := flag.String("config", "defaults", "how the client was configured")
	reference := flag.Bool("reference", false, "a reference client: grading with negotiated semantics judges what it negotiates")
	timeout := flag.Duration("timeout", 30*time.Second, "give up after this long")
	flag.Parse()
	if *name == "" || *version == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: capture -out DIR -name NAME -version VERSION [-label L] [-config C] [-reference] -- command args ({PORT} is replaced)")
		os.Exit(2)
	}
	if err := run(*out, *name, *version, *label, *config, *reference, *timeout, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "capture:", err)
		os.Exit(1)
	}
}

func run(out, name, version, label, config string, reference bool, timeout time.Duration, argv []string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	args := make([]string, len(argv))
	for i, a := range argv {
		args[i] = strings.ReplaceAll(a, "{PORT}", port)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logFile := filepath.Join(os.TempDir(), "capture-"+name+".log")
	if f, err := os.Create(logFile); err == nil {
		cmd.Stdout, cmd.Stderr = f, f
		defer f.Close()
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", args[0], err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
	}()

	type result struct {
		h   *clientsim.Hello
		err error
	}
	got := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- result{err: err}
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(timeout))
		h, err := clientsim.ReadHello(c)
		// A fatal handshake_failure alert: the client gives up quickly.
		c.Write([]byte{21, 3, 1, 0, 2, 2, 40})
		got <- result{h, err}
	}()
	var r result
	select {
	case r = <-got:
	case err := <-exited:
		select {
		case r = <-got: // the hello came just before the exit
		case <-time.After(time.Second):
			return fmt.Errorf("%s exited (%v) without connecting; its output is in %s", args[0], err, logFile)
		}
	case <-ctx.Done():
		return errors.New("no ClientHello within " + timeout.String() + "; client output in " + logFile)
	}
	if r.err != nil {
		return r.err
	}
	if label == "" {
		label = name + " " + version
	}
	meta := clientsim.Meta{
		Name: name, Version: version, Label: label, Reference: reference,
		Captured: time.Now().UTC().Format("2006-01-02"),
		Command:  strings.Join(quoteAll(argv), " "), Config: config,
	}
	base := filepath.Join(out, clientsim.FileBase(name, version))
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(base+".hello", clientsim.FormatHello(r.h, meta), 0o644); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(meta, "", "  ")
	if err := os.WriteFile(base+".json", append(js, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d-byte ClientHello -> %s.hello\n", label, len(r.h.Msg), base)
	return nil
}

// quoteAll shell-quotes arguments that need it, for the recorded command.
func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'$\\;&|<>*?(){}") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}
