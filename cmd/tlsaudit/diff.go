package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tlsaudit/tlsaudit/report"
)

// diffUsage is the help of `tlsaudit diff`.
const diffUsage = `Usage: tlsaudit diff [flags] OLD.json NEW.json

Compare two sets of reports (tlsaudit --format json or jsonl), target by
target (matched by the target as written, or host:port): grade, protocols,
cipher suites, groups, leaf certificate, expiry and findings.

Flags:
  --json                the comparison as JSON
  --expiry-warn DUR     a leaf that has come within DUR of expiry is a regression
                        (default 30d; e.g. 14d, 720h)
  --color WHEN          auto (default), always, never

Exit status:
  0  no regression
  1  a regression: grade down, target no longer scannable, weak protocol or
     suite enabled, new failed finding of severity medium or worse, leaf
     newly within the expiry window
  2  usage error or unreadable input
`

// diffVars are the flags of diff.
type diffVars struct {
	asJSON        bool
	expiry, color string
}

func diffFlagSet(v *diffVars) *flag.FlagSet {
	fs := newFlagSet("diff")
	fs.BoolVar(&v.asJSON, "json", false, "")
	fs.StringVar(&v.expiry, "expiry-warn", "30d", "")
	fs.StringVar(&v.color, "color", "auto", "")
	return fs
}

// runDiff is `tlsaudit diff OLD NEW`.
func runDiff(dp deps, args []string, stdout, stderr io.Writer) int {
	var v diffVars
	files, _, err := parseArgs(diffFlagSet(&v), args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, diffUsage)
			return exitOK
		}
		return usageError(stderr, err.Error(), "run 'tlsaudit diff --help' for usage")
	}
	asJSON, expiry, color := v.asJSON, v.expiry, v.color
	if len(files) != 2 {
		return usageError(stderr, fmt.Sprintf("diff takes two report files, got %d", len(files)), "tlsaudit diff OLD.json NEW.json")
	}
	warn, err := parseDays(expiry)
	if err != nil {
		return usageError(stderr, fmt.Sprintf("invalid --expiry-warn %q: %v", expiry, err), "")
	}
	var st report.Style
	switch color {
	case "auto":
		st.Color = dp.isTerminal(stdout) && os.Getenv("NO_COLOR") == ""
	case "always":
		st.Color = true
	case "never":
	default:
		return usageError(stderr, fmt.Sprintf("unknown --color %q (want auto, always or never)", color), "")
	}
	var sets [2][]*report.Report
	for i, path := range files {
		var skipped int
		if sets[i], skipped, err = readReportFile(path); err != nil {
			errorf(stderr, "diff: %s: %v", path, err)
			return exitUsage
		}
		if skipped > 0 {
			fmt.Fprintf(stderr, "tlsaudit: warning: diff: %s: %d partial record(s) of a killed run skipped\n", path, skipped)
		}
	}
	d := report.Compare(sets[0], sets[1], report.DiffOptions{ExpiryWarn: warn})
	if asJSON {
		err = d.WriteJSON(stdout)
	} else {
		err = d.WriteText(stdout, st)
	}
	if err != nil {
		errorf(stderr, "diff: writing: %v", err)
		return exitWrite
	}
	if d.Regression {
		return exitPolicy
	}
	return exitOK
}

func readReportFile(path string) ([]*report.Report, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	return report.ReadReportsTolerant(f)
}
