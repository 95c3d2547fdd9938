package cipher

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDCipherClientOrder,
		Title: "Server follows the client's cipher suite order",
		Description: "Without a server preference, the suite used is whatever the client lists first, which may " +
			"be a weak one the server also accepts. Harmless when every accepted suite is strong (Mozilla's " +
			"intermediate and modern profiles let the client choose), so informational.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "rfc", ID: "RFC 9325"}},
	}, clientOrder).When(view.HasProtocols))
}

func clientOrder(o *obs.Observation, _ checks.Env) []checks.Finding {
	var client, server, unknown []string
	for _, p := range view.SupportedProtocols(o) {
		switch {
		case p.ServerOrder == nil:
			unknown = append(unknown, p.Name)
		case *p.ServerOrder:
			server = append(server, p.Name)
		default:
			client = append(client, p.Name)
		}
	}
	switch {
	case len(client) > 0:
		return checks.One(checks.Fail(strings.Join(client, ", "), "the client's suite order is followed for "+strings.Join(client, ", ")))
	case len(server) > 0:
		return checks.One(checks.Pass("the server enforces its suite order for " + strings.Join(server, ", ")))
	}
	return checks.One(checks.Inconclusive("the suite order could not be determined for " + strings.Join(unknown, ", ") + " (fewer than 2 suites or not probed)"))
}
