package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/report"
)

// runChecks is `tlsaudit checks [--json]`: the checks catalogue.
func runChecks(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("checks", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "Usage: tlsaudit checks [--json]\n\nLists every check: ID, severity, category, title and references.")
			return exitOK
		}
		return usageError(stderr, err.Error(), "usage: tlsaudit checks [--json]")
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fmt.Sprintf("checks takes no arguments (got %q)", fs.Arg(0)), "usage: tlsaudit checks [--json]")
	}
	style := report.Style{Color: isTerminal(stdout) && os.Getenv("NO_COLOR") == ""}
	if err := report.WriteCatalogue(stdout, checks.Catalogue(), *asJSON, style); err != nil {
		errorf(stderr, "%v", err)
		return exitWrite
	}
	return exitOK
}
