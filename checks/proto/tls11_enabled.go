package proto

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	checks.Register(checks.New(checks.Meta{
		ID:    checks.IDProtoTLS11Enabled,
		Title: "TLS 1.1 is enabled",
		Description: "TLS 1.1 is deprecated (RFC 8996): it relies on MD5/SHA-1 in its PRF and handshake signatures " +
			"and has no AEAD suites. Browsers removed it in 2020.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 8996"}},
	}, enabled(view.TLS11)).When(checks.ScanCompleted))
}
