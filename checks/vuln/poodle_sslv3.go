package vuln

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnPoodleSSLv3,
		Title: "POODLE (SSLv3 with CBC)",
		Description: "SSLv3 does not cover CBC padding with the MAC, so an attacker who can make a client retry " +
			"decrypts one byte per 256 requests (POODLE). Any CBC suite accepted under SSLv3 is exposed.",
		Severity: checks.SeverityHigh,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2014-3566"}, {Kind: "rfc", ID: "RFC 7568"}},
	}, poodleSSLv3).When(checks.ScanCompleted))
}

func poodleSSLv3(o *obs.Observation, _ checks.Env) []checks.Finding {
	p, ok := view.Protocol(o, view.SSLv3)
	switch {
	case !ok:
		return checks.One(checks.NotApplicable("SSLv3 was not probed"))
	case !p.Supported && p.Error != "":
		return checks.One(checks.Inconclusive("SSLv3 probe failed: " + p.Error))
	case !p.Supported:
		return checks.One(checks.Pass("SSLv3 is not accepted"))
	}
	ss := view.Select(view.Accepted(o), func(s view.Suite) bool { return s.Protocol == view.SSLv3 })
	cbc := view.Select(ss, func(s view.Suite) bool { return s.Known && view.IsCBC(s.Info) })
	if len(cbc) > 0 {
		return checks.One(checks.Fail(view.SSLv3, fmt.Sprintf("SSLv3 accepts %d CBC suite(s): %s", len(cbc), view.Evidence(cbc))))
	}
	return checks.One(checks.Pass("SSLv3 is accepted but with no CBC suite" + view.Unknown(ss)))
}
