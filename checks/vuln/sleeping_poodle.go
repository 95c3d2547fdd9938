package vuln

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnSleepingPoodle,
		Title: "Sleeping POODLE (CBC padding oracle by timeout)",
		Description: "The server leaves one kind of malformed CBC record unanswered (the connection times out) while " +
			"answering the others at once: the timeout is a padding oracle a man in the middle can observe. " +
			"Update the TLS implementation or disable CBC suites.",
		Severity: checks.SeverityHigh,
		Refs:     cbcOracleRefs,
	}, cbcOracleCheck(judgeSleepingPoodle)).When(checks.ScanCompleted))
}

func judgeSleepingPoodle(_ *obs.Observation, r *obs.CBCOraclesResult) checks.Finding {
	a, f := cbcOracleAnswers(r)
	if f != nil {
		return *f
	}
	var slept, answered []string
	for _, v := range obs.CBCOracleVariants {
		if a.resp[v] == "timeout" {
			slept = append(slept, v)
		} else {
			answered = append(answered, v)
		}
	}
	switch {
	case len(slept) == 0:
		return checks.Pass("every malformed CBC record was answered; " + a.evidence())
	case len(answered) == 0:
		return checks.Pass("no malformed CBC record was answered (the server waits on all alike); " + a.evidence())
	case !a.fast:
		return checks.Inconclusive(fmt.Sprintf("%s timed out, but the other answers were slow too (over half the %d ms wait): "+
			"a timeout cannot be told from a slow server; %s", strings.Join(slept, ", "), r.WaitMS, a.evidence()))
	}
	slices.Sort(slept)
	return checks.Fail(a.r.Protocol+" "+a.r.Suite, fmt.Sprintf("Sleeping POODLE: the server did not answer the %s record(s) "+
		"within %d ms but answered the others at once (%s): the timeout is an observable padding oracle; %s",
		strings.Join(slept, ", "), r.WaitMS, strings.Join(answered, ", "), a.evidence()))
}
