package proto

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	checks.Register(checks.New(checks.Meta{
		ID:    checks.IDProtoTLS12Missing,
		Title: "TLS 1.2 is not supported",
		Description: "TLS 1.2 is the oldest version still recommended (RFC 9325); without it or TLS 1.3 clients " +
			"fall back to deprecated versions. A TLS 1.3-only server fails this at info severity.",
		Severity: checks.SeverityLow,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 9325"}},
	}, missing(view.TLS12, view.TLS13, "so only clients without TLS 1.3 are locked out")).When(checks.ScanCompleted))
}
