package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnZombiePoodle,
		Title: "Zombie POODLE (CBC padding oracle on MAC validity)",
		Description: "The server answers a CBC record with invalid padding differently depending on whether its MAC " +
			"is valid: a POODLE-style padding oracle that lets a man in the middle decrypt traffic (found in 2019 in " +
			"several vendors' TLS stacks, e.g. Citrix ADC). Update the TLS implementation or disable CBC suites.",
		Severity: checks.SeverityHigh,
		Refs: append([]checks.Ref{{Kind: "cve", ID: "CVE-2019-6485"},
			{Kind: "url", ID: "https://www.tripwire.com/state-of-security/vert/zombie-poodle/"}}, cbcOracleRefs...),
	}, cbcOracleCheck(judgeZombiePoodle)).When(checks.ScanCompleted))
}

func judgeZombiePoodle(_ *obs.Observation, r *obs.CBCOraclesResult) checks.Finding {
	if a, f := cbcOracleAnswers(r); f == nil && a.resp["bad_pad"] == "data" {
		return checks.Inconclusive("the server accepted a record with bad padding and a valid MAC (POODLE over TLS, see " +
			checks.IDVulnPoodleTLS + "), so a MAC-validity oracle cannot be told apart; " + a.evidence())
	}
	return comparePair(r, "Zombie POODLE", "bad_pad", "bad_mac_bad_pad", "the MAC's validity behind bad padding", false)
}
