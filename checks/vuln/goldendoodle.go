package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnGoldenDoodle,
		Title: "GOLDENDOODLE (CBC padding oracle on padding validity)",
		Description: "The server answers a CBC record with a bad MAC differently depending on whether its padding is " +
			"valid: a fast padding oracle that lets a man in the middle decrypt traffic (found in 2019 in several " +
			"vendors' TLS stacks, e.g. F5 BIG-IP and Fortinet FortiOS). Update the TLS implementation or disable CBC suites.",
		Severity: checks.SeverityHigh,
		Refs: append([]checks.Ref{{Kind: "cve", ID: "CVE-2019-6593"}, {Kind: "cve", ID: "CVE-2019-5592"},
			{Kind: "url", ID: "https://www.tripwire.com/state-of-security/vert/goldendoodle-attack/"}}, cbcOracleRefs...),
	}, cbcOracleCheck(judgeGoldenDoodle)).When(checks.ScanCompleted))
}

func judgeGoldenDoodle(_ *obs.Observation, r *obs.CBCOraclesResult) checks.Finding {
	return comparePair(r, "GOLDENDOODLE", "bad_mac", "bad_mac_bad_pad", "the padding's validity", false)
}
