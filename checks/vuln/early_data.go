package vuln

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnEarlyData,
		Title: "TLS 1.3 0-RTT early data enabled",
		Description: "Early data sent with a resumed TLS 1.3 session is not protected against replay (RFC 8446 8): " +
			"the application must only accept idempotent requests in it, or the server should not allow it. The " +
			"probe reads the session tickets the server issues and looks for the early_data extension; when a ticket " +
			"allows it, it resumes with the ticket and sends an HTTP request as early data.",
		Severity: checks.SeverityLow,
		Refs:     []checks.Ref{{Kind: "cwe", ID: "CWE-294"}, {Kind: "rfc", ID: "RFC 8446 8"}, {Kind: "rfc", ID: "RFC 8470"}},
	}, sessionCheck("0-RTT", func(p *obs.SessionProbes) *obs.EarlyDataResult { return p.EarlyData },
		func(r *obs.EarlyDataResult) obs.Attempt { return r.Attempt }, judgeEarlyData)).When(checks.ScanCompleted))
}

func judgeEarlyData(_ *obs.Observation, r *obs.EarlyDataResult) checks.Finding {
	switch {
	case r.MaxEarlyDataSize > 0:
		return checks.Fail(r.Suite, fmt.Sprintf("session tickets allow %d bytes of 0-RTT early data; %s", r.MaxEarlyDataSize, earlyDataAttempt(r)))
	case r.Tickets == 0:
		return checks.Pass("the server issued no TLS 1.3 session ticket, so no 0-RTT")
	}
	return checks.Pass(fmt.Sprintf("none of the %d TLS 1.3 session tickets allows early data", r.Tickets))
}

// earlyDataAttempt describes the 0-RTT resumption attempt.
func earlyDataAttempt(r *obs.EarlyDataResult) string {
	switch {
	case !r.Sent && r.ResumeError != "":
		return "no early data could be sent: " + r.ResumeError
	case !r.Sent:
		return "early data was not sent"
	case r.Accepted && r.Answered:
		return "an HTTP request sent as early data was accepted and answered"
	case r.Accepted && r.ResumeError != "":
		return "an HTTP request sent as early data was accepted, no answer was read: " + r.ResumeError
	case r.Accepted:
		return "an HTTP request sent as early data was accepted but not answered"
	case r.ResumeError != "":
		return "resuming with early data failed: " + r.ResumeError
	}
	return "but the server declined the early data sent on resumption"
}
