package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnVersionIntolerance,
		Title: "Version intolerance",
		Description: "A server must answer a hello with a higher version than it supports with its own highest " +
			"version. Intolerant servers fail such hellos, which pushes clients into insecure fallback retries " +
			"and blocks new versions. The probe sends legacy_version 0x0304 without supported_versions and " +
			"0x0305 (a future TLS 1.4).",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 8446"}, {Kind: "cwe", ID: "CWE-757"}},
	}, intolerance(obs.VariantTLS13NoSV, obs.VariantTLS14)).When(checks.ScanCompleted))
}
