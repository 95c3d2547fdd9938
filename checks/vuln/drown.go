package vuln

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnDROWN,
		Title: "DROWN (SSLv2 on this endpoint)",
		Description: "A server that speaks SSLv2 with an RSA key is a Bleichenbacher oracle that decrypts TLS " +
			"sessions using the same key, even when SSLv2 offers no cipher (CVE-2015-3197). Only this endpoint " +
			"is checked: other hosts sharing its key or certificate with SSLv2 on are not.",
		Severity: checks.SeverityCritical,
		Refs: []checks.Ref{{Kind: "cve", ID: "CVE-2016-0800"}, {Kind: "cve", ID: "CVE-2015-3197"},
			{Kind: "url", ID: "https://drownattack.com/"}},
	}, drown).When(checks.ScanCompleted))
}

func drown(o *obs.Observation, _ checks.Env) []checks.Finding {
	p, ok := view.Protocol(o, view.SSLv2)
	switch {
	case !ok:
		return checks.One(checks.NotApplicable("SSLv2 was not probed"))
	case p.Supported:
		d := fmt.Sprintf("SSLv2 is accepted with %d cipher kind(s)", len(p.Suites))
		if len(p.Suites) == 0 {
			d = "SSLv2 is accepted although it lists no cipher (CVE-2015-3197)"
		}
		return checks.One(checks.Fail(view.SSLv2, d+": this endpoint is a DROWN oracle for its RSA key"))
	case p.Error != "":
		return checks.One(checks.Inconclusive("SSLv2 probe failed: " + p.Error))
	}
	return checks.One(checks.Pass("SSLv2 is not accepted on this endpoint (other hosts sharing the key were not checked)"))
}
