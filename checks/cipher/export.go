package cipher

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDCipherExport,
		Title: "Export cipher suites accepted",
		Description: "Export-grade suites use 40/56-bit ciphers and 512-bit RSA or DH key exchange that can be " +
			"broken in hours; accepting them enables the FREAK (RSA_EXPORT) and Logjam (DHE_EXPORT) downgrades.",
		Severity: checks.SeverityCritical,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2015-0204"}, {Kind: "cve", ID: "CVE-2015-4000"}},
	}, view.AnySuite("export suites", func(s view.Suite) bool {
		return s.Info.Export
	})).When(view.HasProtocols))
}
