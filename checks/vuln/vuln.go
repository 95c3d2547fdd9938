// Package vuln holds the vulnerability checks (IDs "vuln.*"): verdicts on
// what the scan's probes recorded (obs.HandshakeProbes) and, for the
// vulnerabilities that follow from protocol and suite support alone
// (DROWN, POODLE over SSLv3, FREAK, Logjam), on the discovery data. "fail"
// means vulnerable. RC4, SWEET32, BEAST and Lucky13 are judged by the
// cipher checks (cipher.rc4, cipher.des_64bit_block, cipher.cbc_tls10,
// cipher.cbc) and not repeated here.
//
// A probe that did not run gives not_applicable; one that could not
// interpret the server's answer gives inconclusive: never a fail.
package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// probeCheck returns the body of a check judging one probe result: absent
// → not_applicable (the probe did not run), not applicable or inconclusive
// or errored → the same with the probe's reason, completed → judge.
func probeCheck[R any](name string, get func(*obs.HandshakeProbes) *R, attempt func(*R) obs.Attempt,
	judge func(o *obs.Observation, r *R) checks.Finding) checks.EvalFunc {
	return resultCheck(name, func(p *obs.Probes) *R { return get(&p.HandshakeProbes) }, attempt, judge)
}

// sessionCheck is probeCheck for the results in obs.SessionProbes.
func sessionCheck[R any](name string, get func(*obs.SessionProbes) *R, attempt func(*R) obs.Attempt,
	judge func(o *obs.Observation, r *R) checks.Finding) checks.EvalFunc {
	return resultCheck(name, func(p *obs.Probes) *R { return get(&p.SessionProbes) }, attempt, judge)
}

// resultCheck is the body shared by probeCheck and sessionCheck.
func resultCheck[R any](name string, get func(*obs.Probes) *R, attempt func(*R) obs.Attempt,
	judge func(o *obs.Observation, r *R) checks.Finding) checks.EvalFunc {
	return func(o *obs.Observation, _ checks.Env) []checks.Finding {
		var r *R
		if o.Probes != nil {
			r = get(o.Probes)
		}
		if r == nil {
			return checks.One(checks.NotApplicable("the " + name + " probe did not run"))
		}
		at := attempt(r)
		switch at.Status {
		case obs.AttemptCompleted:
			return checks.One(judge(o, r))
		case obs.AttemptNotApplicable:
			return checks.One(checks.NotApplicable(name + " probe not applicable: " + at.Reason))
		case obs.AttemptError:
			return checks.One(checks.Inconclusive(name + " probe failed: " + at.Reason))
		}
		return checks.One(checks.Inconclusive(name + " probe inconclusive: " + at.Reason))
	}
}

// registered holds the checks of this package; each check's file adds its
// own in init.
var registered checks.List

func register(c checks.Check) { registered.Add(c) }

// Checks returns the checks of this package.
func Checks() []checks.Check { return registered.Checks() }
