package cipher

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDCipherNoAEAD,
		Title: "No AEAD cipher suite accepted",
		Description: "AEAD suites (AES-GCM, ChaCha20-Poly1305, AES-CCM) are the only ones without the CBC " +
			"padding-oracle family of attacks. SSL Labs caps a server without AEAD at B.",
		Severity: checks.SeverityMedium,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 9325"}},
	}, noAEAD).When(view.HasProtocols))
}

func noAEAD(o *obs.Observation, _ checks.Env) []checks.Finding {
	all := view.Accepted(o)
	aead := view.Select(all, func(s view.Suite) bool { return s.Info.AEAD })
	if len(aead) > 0 {
		return checks.One(checks.Pass(fmt.Sprintf("%d of %d accepted suites are AEAD: %s", len(aead), len(all), view.Evidence(aead))))
	}
	if f := view.PassUnlessErrored(o, "no AEAD suite among the accepted ones"); f.Status == checks.StatusInconclusive {
		return checks.One(f)
	}
	return checks.One(checks.Fail("", fmt.Sprintf("none of the %d accepted suites is AEAD%s", len(all), view.Unknown(all))))
}
