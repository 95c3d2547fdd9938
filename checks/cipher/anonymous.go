package cipher

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDCipherAnonymous,
		Title: "Anonymous cipher suites accepted",
		Description: "Anonymous (DH_anon, ECDH_anon) suites do not authenticate the server: any active attacker " +
			"can impersonate it. SSL Labs scores anonymous key exchange 0.",
		Severity: checks.SeverityCritical,
		Refs:     []checks.Ref{{Kind: "cwe", ID: "CWE-287"}, {Kind: "rfc", ID: "RFC 9325"}},
	}, view.AnySuite("anonymous suites", func(s view.Suite) bool {
		return view.IsAnonymous(s.Info)
	})).When(view.HasProtocols))
}
