package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnNoExtendedMasterSecret,
		Title: "Extended master secret (RFC 7627) not supported",
		Description: "Without the extended master secret a TLS 1.2 master secret is not bound to the handshake " +
			"transcript, which the triple handshake attack exploits across resumption and renegotiation. TLS 1.3 " +
			"binds it always.",
		Severity: checks.SeverityLow,
		Refs: []checks.Ref{{Kind: "rfc", ID: "RFC 7627"}, {Kind: "cve", ID: "CVE-2014-1295"},
			{Kind: "url", ID: "https://mitls.org/pages/attacks/3SHAKE"}},
	}, probeCheck("extended master secret", serverHelloExtensions, extensionsAttempt, judgeEMS)).When(checks.ScanCompleted))
}

func judgeEMS(_ *obs.Observation, r *obs.ServerHelloExtensionsResult) checks.Finding {
	if r.ViaSCSV {
		return checks.Fail(r.Version, "only SSLv3 is accepted below TLS 1.3, which has no extended master secret")
	}
	if !r.ExtendedMasterSecret {
		return checks.Fail(r.Version, "the "+r.Version+" ServerHello ("+r.Suite+") does not echo extended_master_secret")
	}
	return checks.Pass("extended_master_secret is echoed in the " + r.Version + " ServerHello")
}
