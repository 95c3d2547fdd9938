// Package proto holds the protocol-version checks (IDs "proto.*"). Each
// check lives in its own file and adds itself to the package's list in
// init(); Checks returns them.
package proto

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// probe returns the named protocol's entry, or the finding to return when
// there is nothing to judge: not probed (not_applicable), or not accepted
// but the probe errored (inconclusive).
func probe(o *obs.Observation, name string) (obs.Protocol, []checks.Finding) {
	p, ok := view.Protocol(o, name)
	switch {
	case !ok:
		return p, checks.One(checks.NotApplicable(name + " was not probed"))
	case !p.Supported && p.Error != "":
		return p, checks.One(checks.Inconclusive(name + " probe failed: " + p.Error))
	}
	return p, nil
}

// enabled returns the body of a check that fails when protocol name is
// accepted.
func enabled(name string) checks.EvalFunc {
	return func(o *obs.Observation, _ checks.Env) []checks.Finding {
		p, stop := probe(o, name)
		switch {
		case stop != nil:
			return stop
		case p.Supported:
			return checks.One(checks.Fail(name, name+" is accepted"+suiteList(p)))
		}
		return checks.One(checks.Pass(name + " is not accepted"))
	}
}

// missing returns the body of a check that fails when protocol name is not
// accepted; note explains the consequence when other is accepted instead.
func missing(name, other, note string) checks.EvalFunc {
	return func(o *obs.Observation, _ checks.Env) []checks.Finding {
		p, stop := probe(o, name)
		switch {
		case stop != nil:
			return stop
		case p.Supported:
			return checks.One(checks.Pass(name + " is accepted" + suiteList(p)))
		}
		f := checks.Fail(name, name+" is not accepted")
		if view.Supported(o, other) {
			f.Detail += "; " + other + " is, " + note
			f.Severity = checks.SeverityInfo
		}
		return checks.One(f)
	}
}

func suiteList(p obs.Protocol) string {
	if len(p.Suites) == 0 {
		if p.Name == view.SSLv2 {
			return " (no cipher specs offered: still enabled, CVE-2015-3197)"
		}
		return ""
	}
	ss := make([]view.Suite, len(p.Suites))
	for i, s := range p.Suites {
		ss[i] = view.Suite{Protocol: p.Name, Suite: s}
	}
	return fmt.Sprintf(" with %d suite(s): %s", len(ss), view.Evidence(ss))
}

// registered holds the checks of this package; each check's file adds its
// own in init.
var registered checks.List

func register(c checks.Check) { registered.Add(c) }

// Checks returns the checks of this package.
func Checks() []checks.Check { return registered.Checks() }
