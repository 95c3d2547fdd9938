package kx

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDKxRSAKeyExchange,
		Title: "Static RSA key exchange accepted",
		Description: "With RSA key transport the premaster secret is encrypted to the server key: no forward " +
			"secrecy, and any Bleichenbacher padding oracle in the server (ROBOT) lets an attacker decrypt or " +
			"sign. TLS 1.3 removed it.",
		Severity: checks.SeverityLow,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 9325"}, {Kind: "cve", ID: "CVE-2017-13099"}},
	}, view.AnySuite("static RSA key-exchange suites", func(s view.Suite) bool {
		return view.IsStaticRSA(s.Info)
	})).When(view.HasProtocols))
}
