package cipher

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDCipherCBCTLS10,
		Title: "CBC suites accepted with SSLv3 or TLS 1.0 (BEAST)",
		Description: "SSLv3 and TLS 1.0 use the previous record's last block as IV, which BEAST exploits. Modern " +
			"clients mitigate it (1/n-1 record splitting), so this is informational.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2011-3389"}},
	}, view.AnySuite("CBC suites under SSLv3/TLS 1.0", func(s view.Suite) bool {
		return (s.Protocol == view.SSLv3 || s.Protocol == view.TLS10) && view.IsCBC(s.Info)
	})).When(view.HasProtocols))
}
