package cipher

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCipherNull,
		Title:       "NULL cipher suites accepted",
		Description: "NULL suites authenticate but do not encrypt: application data travels in clear text.",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{{Kind: "cwe", ID: "CWE-319"}, {Kind: "rfc", ID: "RFC 9325"}},
	}, view.AnySuite("NULL (unencrypted) suites", func(s view.Suite) bool {
		return view.IsNull(s.Info)
	})).When(view.HasProtocols))
}
