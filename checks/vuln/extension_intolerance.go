package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnExtensionIntolerance,
		Title: "Extension or hello-size intolerance",
		Description: "A server must ignore extensions and GREASE values it does not know (RFC 8446 4.2, RFC 8701) " +
			"and accept hellos of any length; some stacks fail hellos of 256-511 bytes or long post-quantum " +
			"ones. Intolerance breaks modern clients or forces fallback.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 8701"}, {Kind: "rfc", ID: "RFC 7685"}, {Kind: "cwe", ID: "CWE-20"}},
	}, intolerance(obs.VariantLong300, obs.VariantLong1800, obs.VariantUnknownExt, obs.VariantGREASE)).When(checks.ScanCompleted))
}
