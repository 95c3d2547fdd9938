package cipher

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDCipherRC4,
		Title: "RC4 cipher suites accepted",
		Description: "RC4 keystream biases allow plaintext recovery of repeated secrets such as cookies; RFC 7465 " +
			"prohibits RC4 in TLS.",
		Severity: checks.SeverityHigh,
		Refs: []checks.Ref{{Kind: "rfc", ID: "RFC 7465"}, {Kind: "cve", ID: "CVE-2013-2566"},
			{Kind: "cve", ID: "CVE-2015-2808"}},
	}, view.AnySuite("RC4 suites", func(s view.Suite) bool {
		return view.IsRC4(s.Info)
	})).When(view.HasProtocols))
}
