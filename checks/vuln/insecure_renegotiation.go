package vuln

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnInsecureRenegotiation,
		Title: "Secure renegotiation (RFC 5746) not supported",
		Description: "Without the renegotiation_info extension a man in the middle can splice his own handshake " +
			"and data in front of a client's renegotiated session (CVE-2009-3555). The probe offers the extension " +
			"(or the SCSV for SSLv3) and looks for it in the ServerHello. SSL Labs grades F.",
		Severity: checks.SeverityHigh,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2009-3555"}, {Kind: "rfc", ID: "RFC 5746"}},
	}, probeCheck("secure renegotiation", serverHelloExtensions, extensionsAttempt, judgeRenegotiation)).When(checks.ScanCompleted))
}

func serverHelloExtensions(p *obs.HandshakeProbes) *obs.ServerHelloExtensionsResult {
	return p.ServerHelloExtensions
}

func extensionsAttempt(r *obs.ServerHelloExtensionsResult) obs.Attempt { return r.Attempt }

func judgeRenegotiation(_ *obs.Observation, r *obs.ServerHelloExtensionsResult) checks.Finding {
	switch {
	case !r.SecureRenegotiation:
		return checks.Fail(r.Version, "the "+r.Version+" ServerHello ("+r.Suite+") has no renegotiation_info extension")
	case r.RenegotiationInfoLength != 0:
		return checks.Inconclusive(fmt.Sprintf("renegotiation_info is echoed but carries %d bytes on an initial handshake "+
			"(RFC 5746 3.6 requires it empty)", r.RenegotiationInfoLength))
	}
	return checks.Pass("renegotiation_info is echoed in the " + r.Version + " ServerHello")
}
