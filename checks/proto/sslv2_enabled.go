package proto

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	checks.Register(checks.New(checks.Meta{
		ID:    checks.IDProtoSSLv2Enabled,
		Title: "SSLv2 is enabled",
		Description: "SSL 2.0 is broken beyond repair (RFC 6176 prohibits it). A server accepting it, even with no " +
			"cipher specs, exposes its RSA key to the DROWN attack against all its TLS connections.",
		Severity: checks.SeverityCritical,
		Refs: []checks.Ref{{Kind: "cve", ID: "CVE-2016-0800"}, {Kind: "cve", ID: "CVE-2015-3197"},
			{Kind: "rfc", ID: "RFC 6176"}},
	}, enabled(view.SSLv2)).When(checks.ScanCompleted))
}
