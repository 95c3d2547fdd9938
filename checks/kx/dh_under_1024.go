package kx

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDKxDHUnder1024,
		Title: "DH parameters under 1024 bits (Logjam)",
		Description: "DH primes under 1024 bits (e.g. 512-bit export groups) can be broken with modest " +
			"precomputation (Logjam). SSL Labs grades F.",
		Severity: checks.SeverityCritical,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2015-4000"}, {Kind: "cwe", ID: "CWE-326"}},
	}, dhUnder(1024)).When(view.HasProtocols))
}
