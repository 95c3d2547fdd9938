package cipher

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDCipherCBC,
		Title: "CBC-mode suites accepted (potentially Lucky13)",
		Description: "MAC-then-encrypt CBC suites are potentially exposed to padding-oracle timing attacks such as " +
			"Lucky13. Whether this server is actually vulnerable depends on its TLS implementation, which this " +
			"check does not test; it only says CBC suites are accepted. Prefer AEAD suites.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2013-0169"}},
	}, view.AnySuite("CBC suites", func(s view.Suite) bool {
		return s.Protocol != view.SSLv2 && view.IsCBC(s.Info)
	})).When(view.HasProtocols))
}
