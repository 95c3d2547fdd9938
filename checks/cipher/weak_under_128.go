package cipher

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDCipherWeakUnder128,
		Title: "Cipher suites with less than 128-bit encryption accepted",
		Description: "Symmetric encryption below 128 bits (DES 56, export 40, 3DES counted as its effective 112) " +
			"falls short of current guidance; SSL Labs scores it 20% and grades F below 112 bits. NULL suites " +
			"are reported by cipher.null.",
		Severity: checks.SeverityHigh,
		Refs:     []checks.Ref{{Kind: "cwe", ID: "CWE-326"}, {Kind: "rfc", ID: "RFC 9325"}},
	}, view.AnySuite("suites under 128 bits", func(s view.Suite) bool {
		b := view.EffectiveBits(s.Info)
		return b > 0 && b < 128
	})).When(view.HasProtocols))
}
