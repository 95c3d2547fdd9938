package cipher

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDCipherNoForwardSecrecy,
		Title: "Suites without forward secrecy accepted",
		Description: "Suites with static RSA or static DH key exchange let anyone who later obtains the server key " +
			"decrypt recorded traffic. Fails at medium severity when no accepted suite has forward secrecy (SSL " +
			"Labs caps at B) and at low severity when only some lack it.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 9325"}, {Kind: "cwe", ID: "CWE-327"}},
	}, noForwardSecrecy).When(view.HasProtocols))
}

func noForwardSecrecy(o *obs.Observation, _ checks.Env) []checks.Finding {
	all := view.Accepted(o)
	known := view.Select(all, func(s view.Suite) bool { return s.Known && !s.Info.Signalling })
	noFS := view.Select(known, func(s view.Suite) bool { return !s.Info.FS })
	switch {
	case len(noFS) > 0 && len(noFS) == len(known):
		return checks.One(checks.Fail("all suites", fmt.Sprintf("none of the %d accepted suites has forward secrecy: %s",
			len(known), view.Evidence(noFS))))
	case len(noFS) > 0:
		f := checks.Fail(view.Protocols(noFS), fmt.Sprintf("%d of %d accepted suites lack forward secrecy: %s",
			len(noFS), len(known), view.Evidence(noFS)))
		f.Severity = checks.SeverityLow
		return checks.One(f)
	case len(known) == 0:
		return checks.One(checks.Inconclusive("no accepted suite is known to the registry" + view.Unknown(all)))
	}
	return checks.One(view.PassUnlessErrored(o, fmt.Sprintf("all %d accepted suites have forward secrecy%s", len(known), view.Unknown(all))))
}
