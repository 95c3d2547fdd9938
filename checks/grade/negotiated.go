package grade

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Negotiated semantics (SSL Labs): the RC4, 3DES, forward secrecy and AEAD
// rules judge the suites the simulated reference clients negotiated
// (obs.Observation.ClientSimulations with Reference set and OK), not every
// suite the server accepts.

// resolveSemantics picks the semantics Compute uses and fills in.judged:
// Options.Semantics "" means negotiated when client simulations are
// present, offered otherwise; negotiated without any successful reference
// simulation falls back to offered, with a note.
func (in *Input) resolveSemantics() Semantics {
	want := in.Opts.Semantics
	if want == "" {
		want = Offered
		if len(in.Obs.ClientSimulations) > 0 {
			want = Negotiated
		}
	}
	in.judged = in.accepted
	if want != Negotiated {
		return Offered
	}
	neg := negotiatedSuites(in.Obs, in.accepted)
	if len(neg) == 0 {
		in.notAssessed("negotiated semantics: no simulated reference client completed a handshake; " +
			"forward secrecy, AEAD, RC4 and 3DES were judged by the suites offered")
		return Offered
	}
	in.judged = neg
	return Negotiated
}

// negotiatedSuites lists, once each, the (protocol, suite) pairs reference
// clients negotiated, with Pos taken from the server's accepted list (for
// the 3DES server-order exemption).
func negotiatedSuites(o *obs.Observation, accepted []view.Suite) []view.Suite {
	var out []view.Suite
	seen := map[string]bool{}
	for _, sim := range o.ClientSimulations {
		if !sim.OK || !sim.Reference || sim.SuiteID == 0 {
			continue
		}
		key := fmt.Sprintf("%s/%04x", sim.Protocol, sim.SuiteID)
		if seen[key] {
			continue
		}
		seen[key] = true
		s := obs.Suite{ID: sim.SuiteID, Name: sim.Suite}
		info, ok := view.Lookup(sim.Protocol, s)
		if !ok || info.Signalling {
			continue
		}
		vs := view.Suite{Protocol: sim.Protocol, Suite: s, Info: info, Known: true, Pos: len(accepted)}
		for _, a := range accepted {
			if a.Protocol == sim.Protocol && a.ID == sim.SuiteID {
				vs.Pos = a.Pos
			}
		}
		out = append(out, vs)
	}
	return out
}

// Judged returns the suites the RC4, 3DES, FS and AEAD rules judge: those
// negotiated by reference clients under negotiated semantics, else Suites.
func (in *Input) Judged() []view.Suite { return in.judged }

// judgedLabel says what the judged suites are, for evidence.
func (in *Input) judgedLabel() string {
	if in.semantics == Negotiated {
		return "negotiated by the simulated reference clients"
	}
	return "offered"
}

// anyJudged: some judged suite matches; the evidence lists them.
func anyJudged(match func(view.Suite) bool) func(in *Input) (string, bool) {
	return func(in *Input) (string, bool) {
		hit := view.Select(in.Judged(), match)
		return view.Evidence(hit), len(hit) > 0
	}
}

// noneJudged: suites were judged and none matches.
func noneJudged(match func(view.Suite) bool) func(in *Input) (string, bool) {
	return func(in *Input) (string, bool) {
		all := in.Judged()
		return fmt.Sprintf("%d suites judged as %s", len(all), in.judgedLabel()), len(all) > 0 && len(view.Select(all, match)) == 0
	}
}
