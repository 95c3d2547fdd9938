package vuln

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnFREAK,
		Title: "FREAK (RSA export key exchange)",
		Description: "A server accepting RSA_EXPORT suites signs a 512-bit RSA key that can be factored in hours; " +
			"clients with the FREAK bug accept it even when they did not ask for export, so a man in the middle " +
			"reads the session. (cipher.export lists every export suite.)",
		Severity: checks.SeverityCritical,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2015-0204"}, {Kind: "url", ID: "https://freakattack.com/"}},
	}, freak).When(checks.ScanCompleted))
}

func freak(o *obs.Observation, _ checks.Env) []checks.Finding {
	all := view.Accepted(o)
	if len(all) == 0 {
		return checks.One(checks.NotApplicable("no protocol version was accepted"))
	}
	bad := view.Select(all, func(s view.Suite) bool {
		return s.Known && s.Protocol != view.SSLv2 && s.Info.Export && s.Info.Kx == "RSA"
	})
	if len(bad) > 0 {
		return checks.One(checks.Fail(view.Protocols(bad), fmt.Sprintf("%d RSA export suite(s) accepted: %s", len(bad), view.Evidence(bad))))
	}
	return checks.One(view.PassUnlessErrored(o, fmt.Sprintf("no RSA export suite among the %d accepted suites%s", len(all), view.Unknown(all))))
}
