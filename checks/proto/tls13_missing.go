package proto

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
)

func init() {
	checks.Register(checks.New(checks.Meta{
		ID:    checks.IDProtoTLS13Missing,
		Title: "TLS 1.3 is not supported",
		Description: "TLS 1.3 (RFC 8446) removes static RSA, CBC and renegotiation, encrypts most of the handshake " +
			"and is required for post-quantum key exchange. SSL Labs (2009r) warns and caps at A- without it.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 8446"}, {Kind: "rfc", ID: "RFC 9325"}},
	}, missing(view.TLS13, view.TLS12, "which is still acceptable")).When(checks.ScanCompleted))
}
