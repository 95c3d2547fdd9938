package proto

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	checks.Register(checks.New(checks.Meta{
		ID:    checks.IDProtoSSLv3Enabled,
		Title: "SSLv3 is enabled",
		Description: "SSL 3.0 is deprecated (RFC 7568): its CBC padding is not covered by the MAC (POODLE) and its " +
			"only other ciphers are RC4 variants.",
		Severity: checks.SeverityHigh,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2014-3566"}, {Kind: "rfc", ID: "RFC 7568"}},
	}, enabled(view.SSLv3)).When(checks.ScanCompleted))
}
