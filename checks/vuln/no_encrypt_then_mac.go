package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnNoEncryptThenMAC,
		Title: "Encrypt-then-MAC (RFC 7366) not used with CBC suites",
		Description: "CBC suites authenticate before encrypting (MAC-then-encrypt), the root of padding-oracle " +
			"attacks such as Lucky13 and POODLE over TLS. Encrypt-then-MAC removes them for clients that offer " +
			"it. Only judged when the server accepts CBC suites; few servers support it, hence informational.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 7366"}, {Kind: "cve", ID: "CVE-2013-0169"}},
	}, probeCheck("encrypt-then-MAC", serverHelloExtensions, extensionsAttempt, judgeETM)).When(checks.ScanCompleted))
}

func judgeETM(_ *obs.Observation, r *obs.ServerHelloExtensionsResult) checks.Finding {
	switch {
	case r.ETMError != "":
		return checks.Inconclusive("the hello offering only CBC suites with encrypt_then_mac failed: " + r.ETMError)
	case r.EncryptThenMAC == nil:
		return checks.NotApplicable("no CBC suite is accepted with " + r.Version)
	case !*r.EncryptThenMAC:
		return checks.Fail(r.Version, "the server chose "+r.ETMSuite+" without echoing encrypt_then_mac")
	}
	return checks.Pass("encrypt_then_mac is echoed with " + r.ETMSuite)
}
