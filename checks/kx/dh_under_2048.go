package kx

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDKxDHUnder2048,
		Title: "DH parameters under 2048 bits",
		Description: "Finite-field DH primes under 2048 bits give less than 112-bit security (NIST SP 800-57); " +
			"RFC 9325 and Mozilla require at least 2048 (use ffdhe2048, RFC 7919). SSL Labs scores key exchange " +
			"under 2048 bits at 80% and caps the grade at B.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 7919"}, {Kind: "rfc", ID: "RFC 9325"}, {Kind: "cwe", ID: "CWE-326"}},
	}, dhUnder(2048)).When(view.HasProtocols))
}
