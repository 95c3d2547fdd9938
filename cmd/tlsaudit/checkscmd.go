package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/report"
)

func checksFlagSet(asJSON *bool) *flag.FlagSet {
	fs := newFlagSet("checks")
	fs.BoolVar(asJSON, "json", false, "")
	return fs
}

// runChecks is `tlsaudit checks [--json]`: the checks catalogue.
func runChecks(d deps, args []string, stdout, stderr io.Writer) int {
	var asJSON bool
	rest, _, err := parseArgs(checksFlagSet(&asJSON), args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, checksUsage)
			return exitOK
		}
		return usageError(stderr, err.Error(), "usage: tlsaudit checks [--json]")
	}
	if len(rest) > 0 {
		return usageError(stderr, fmt.Sprintf("checks takes no arguments (got %q)", rest[0]), "usage: tlsaudit checks [--json]")
	}
	style := report.Style{Color: d.isTerminal(stdout) && os.Getenv("NO_COLOR") == ""}
	if err := report.WriteCatalogue(stdout, all.Registry().Catalogue(), asJSON, style); err != nil {
		errorf(stderr, "%v", err)
		return exitWrite
	}
	return exitOK
}
