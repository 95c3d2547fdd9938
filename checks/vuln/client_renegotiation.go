package vuln

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnClientRenegotiation,
		Title: "Client-initiated renegotiation allowed",
		Description: "A server that completes renegotiations started by the client lets one client make it do " +
			"repeated expensive handshakes on a single connection (a denial-of-service lever). Disable " +
			"client-initiated renegotiation.",
		Severity: checks.SeverityMedium,
		Refs: []checks.Ref{{Kind: "cve", ID: "CVE-2011-1473"}, {Kind: "rfc", ID: "RFC 5746"},
			{Kind: "url", ID: "https://www.thc.org/thc-ssl-dos/"}},
	}, sessionCheck("client renegotiation", func(p *obs.SessionProbes) *obs.RenegotiationResult { return p.Renegotiation },
		func(r *obs.RenegotiationResult) obs.Attempt { return r.Attempt }, judgeClientRenegotiation)).When(checks.ScanCompleted))
}

func judgeClientRenegotiation(_ *obs.Observation, r *obs.RenegotiationResult) checks.Finding {
	subject := r.Protocol + " " + r.Suite
	if r.Completed > 0 {
		return checks.Fail(subject, fmt.Sprintf("the server completed %d of %d client-initiated renegotiations", r.Completed, r.Attempted))
	}
	if r.Attempted == 0 {
		return checks.Inconclusive("no renegotiation was attempted")
	}
	return checks.Pass("the server refused client-initiated renegotiation (" + r.Refusal + ")")
}
