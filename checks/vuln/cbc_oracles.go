package vuln

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// The CBC padding oracles of the 2019 research (Craig Young, Tripwire,
// Black Hat Asia 2019): the cbc_oracles probe sends malformed CBC records
// (obs.CBCOracleVariants), each on its own connection, twice. A correct
// server answers them all alike. Each check compares the two variants that
// differ only in what its oracle leaks:
//
//   - Zombie POODLE: valid MAC + bad padding vs bad MAC + bad padding (the
//     MAC's validity shows behind bad padding);
//   - GOLDENDOODLE: bad MAC + valid padding vs bad MAC + bad padding (the
//     padding's validity shows);
//   - 0-length padding oracle (CVE-2019-1559): the same two faults on a
//     record with no content;
//   - Sleeping POODLE: one kind of bad record gets no answer at all
//     (timeout) while the others are answered at once. A timeout on either
//     side of the Zombie POODLE or GOLDENDOODLE pair counts here, not there.
//
// A difference between two alerts is a vulnerability the attacker sees only
// through the alert's encrypted description; a difference in kind (alert
// vs close, reset or timeout) is directly observable ("exploitable" in SSL
// Labs' terms).

var cbcOracleRefs = []checks.Ref{
	{Kind: "cwe", ID: "CWE-203"}, // observable discrepancy: the padding oracle
	{Kind: "url", ID: "https://www.tripwire.com/state-of-security/vert/tls-cbc-padding-oracles/"},
	{Kind: "url", ID: "https://github.com/Tripwire/padcheck"},
}

// cbcOracleCheck is the body of a check judging the CBC padding oracle
// probe's result with judge.
func cbcOracleCheck(judge func(*obs.Observation, *obs.CBCOraclesResult) checks.Finding) checks.EvalFunc {
	return sessionCheck("CBC padding oracle", func(p *obs.SessionProbes) *obs.CBCOraclesResult { return p.CBCOracles },
		func(r *obs.CBCOraclesResult) obs.Attempt { return r.Attempt }, judge)
}

// cbcAnswers are the consistent answers of the rounds, by variant name.
type cbcAnswers struct {
	r    *obs.CBCOraclesResult
	resp map[string]string
	// fast: every answer other than a timeout came within half the wait.
	fast bool
}

// cbcOracleAnswers checks the rounds: at least two, same answers in each,
// no errors. On failure it returns the inconclusive finding.
func cbcOracleAnswers(r *obs.CBCOraclesResult) (*cbcAnswers, *checks.Finding) {
	inc := func(format string, args ...any) (*cbcAnswers, *checks.Finding) {
		f := checks.Inconclusive(fmt.Sprintf(format, args...))
		return nil, &f
	}
	if len(r.Rounds) < 2 {
		return inc("the CBC padding-oracle probe needs two rounds of answers, it has %d", len(r.Rounds))
	}
	a := &cbcAnswers{r: r, resp: map[string]string{}, fast: true}
	n := len(obs.CBCOracleVariants)
	for i, round := range r.Rounds {
		if len(round.Responses) != n {
			return inc("round %d has %d answers for %d record variants", i+1, len(round.Responses), n)
		}
		for j, v := range obs.CBCOracleVariants {
			resp := round.Responses[j]
			if strings.HasPrefix(resp, "error:") {
				return inc("the answer to the %s record could not be interpreted: %s", v, resp)
			}
			if prev, ok := a.resp[v]; ok && prev != resp {
				return inc("the server answered the %s record inconsistently between rounds (%s, then %s)", v, prev, resp)
			}
			a.resp[v] = resp
			if resp != "timeout" && j < len(round.ElapsedMS) && r.WaitMS > 0 && 2*round.ElapsedMS[j] > r.WaitMS {
				a.fast = false
			}
		}
	}
	return a, nil
}

// evidence lists the answers.
func (a *cbcAnswers) evidence() string {
	parts := make([]string, 0, len(obs.CBCOracleVariants))
	for _, v := range obs.CBCOracleVariants {
		parts = append(parts, v+"="+a.resp[v])
	}
	return fmt.Sprintf("%s %s: %s", a.r.Protocol, a.r.Suite, strings.Join(parts, ", "))
}

// observable reports whether two different answers differ in kind (an
// attacker sees it without decrypting) rather than in the alert name only.
func observable(x, y string) bool {
	return !(strings.HasPrefix(x, "alert:") && strings.HasPrefix(y, "alert:"))
}

// comparePair judges one pair of variants: pass when alike, fail when they
// differ. timeouts says whether a timeout on one side counts.
func comparePair(r *obs.CBCOraclesResult, name, x, y, leak string, timeouts bool) checks.Finding {
	a, f := cbcOracleAnswers(r)
	if f != nil {
		return *f
	}
	rx, ry := a.resp[x], a.resp[y]
	if rx == ry {
		return checks.Pass(fmt.Sprintf("the %s and %s records got the same answer (%s); %s", x, y, rx, a.evidence()))
	}
	if !timeouts && (rx == "timeout" || ry == "timeout") {
		return checks.Pass(fmt.Sprintf("the %s and %s records differ only by a timeout (%s vs %s), judged as Sleeping POODLE; %s", x, y, rx, ry, a.evidence()))
	}
	how := "the difference is visible on the wire (exploitable)"
	if !observable(rx, ry) {
		how = "the difference is in the encrypted alert description only"
	}
	return checks.Fail(a.r.Protocol+" "+a.r.Suite, fmt.Sprintf("%s: the %s record got %s but the %s record %s, so %s leaks; %s. %s",
		name, x, rx, y, ry, leak, how, a.evidence()))
}
