// Command crossval cross-validates tlsaudit's findings against the peers
// (sslscan, nmap ssl-enum-ciphers, testssl.sh) on a set of loopback servers.
//
//	crossval serve -targets FILE [-only a,b]   start the servers, write FILE, run until killed
//	crossval compare -targets FILE -tlsaudit BIN [-testssl DIR] [-out DIR]
//
// Everything stays on 127.0.0.1: every tool is given the address and the
// server name (SNI) separately, and no tool resolves a name.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crossval serve|compare [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	targetsFile := fs.String("targets", "crossval-targets.json", "target list (written by serve, read by compare)")
	only := fs.String("only", "", "comma-separated target names (default: all)")
	bin := fs.String("tlsaudit", "tlsaudit", "tlsaudit binary (compare)")
	testsslDir := fs.String("testssl", "", "directories (comma-separated) of testssl.sh JSON files NAME.json; the first complete one is used (compare)")
	outDir := fs.String("out", "", "directory for the raw outputs of every tool (compare; default: a temporary directory)")
	fs.Parse(os.Args[2:])
	sel := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n != "" {
			sel[n] = true
		}
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(*targetsFile, sel)
	case "compare":
		err = compare(*targetsFile, sel, *bin, *testsslDir, *outDir)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "crossval:", err)
		os.Exit(1)
	}
}
