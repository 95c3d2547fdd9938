package view

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// HasProtocols is an AppliesFunc: the scan completed and at least one
// protocol version was accepted (otherwise there are no suites to judge).
func HasProtocols(o *obs.Observation) (bool, string) {
	if ok, why := checks.ScanCompleted(o); !ok {
		return false, why
	}
	if len(SupportedProtocols(o)) == 0 {
		return false, "no protocol version was accepted"
	}
	return true, ""
}

// AnySuite returns the body of a check that fails when an accepted suite
// matches: what names the problem in plural ("RC4 suites"). Unknown suites
// are never matched. When nothing matches but some protocol probe errored,
// the finding is inconclusive, since the missing protocol might have had one.
func AnySuite(what string, match func(Suite) bool) checks.EvalFunc {
	return func(o *obs.Observation, _ checks.Env) []checks.Finding {
		all := Accepted(o)
		bad := Select(all, func(s Suite) bool { return s.Known && match(s) })
		if len(bad) > 0 {
			return checks.One(checks.Fail(Protocols(bad), fmt.Sprintf("%d %s accepted: %s", len(bad), what, Evidence(bad))))
		}
		return checks.One(PassUnlessErrored(o, fmt.Sprintf("no %s among the %d accepted suites%s", what, len(all), Unknown(all))))
	}
}

// PassUnlessErrored is a pass with detail, or inconclusive when a protocol
// probe errored (the problem may hide there).
func PassUnlessErrored(o *obs.Observation, detail string) checks.Finding {
	if errs := Errored(o); len(errs) > 0 {
		return checks.Inconclusive(detail + ", but probing failed for " + strings.Join(errs, "; "))
	}
	return checks.Pass(detail)
}

// Protocols lists the distinct protocols of ss, comma-separated (a Subject).
func Protocols(ss []Suite) string {
	var names []string
	for _, s := range ss {
		if len(names) == 0 || names[len(names)-1] != s.Protocol {
			names = append(names, s.Protocol)
		}
	}
	return strings.Join(names, ", ")
}
