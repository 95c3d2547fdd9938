package vuln

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnNoSessionResumption,
		Title: "No TLS 1.2 session resumption",
		Description: "Without session resumption (by session ID or RFC 5077 ticket) every connection of a client " +
			"costs a full handshake: a performance matter, not a security one.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "cwe", ID: "CWE-400"}, {Kind: "rfc", ID: "RFC 5246 7.3"}, {Kind: "rfc", ID: "RFC 5077"}},
	}, sessionCheck("session resumption", func(p *obs.SessionProbes) *obs.ResumptionResult { return p.Resumption },
		func(r *obs.ResumptionResult) obs.Attempt { return r.Attempt }, judgeResumption)).When(checks.ScanCompleted))
}

func judgeResumption(_ *obs.Observation, r *obs.ResumptionResult) checks.Finding {
	var yes, no, unclear []string
	for _, m := range []struct {
		name    string
		issued  bool
		resumed *bool
		err     string
	}{{"session ID", r.SessionIDIssued, r.SessionIDResumed, r.SessionIDError}, {"ticket", r.TicketIssued, r.TicketResumed, r.TicketError}} {
		switch {
		case m.resumed != nil && *m.resumed:
			yes = append(yes, m.name)
		case m.issued && m.resumed == nil:
			unclear = append(unclear, m.name+" ("+m.err+")")
		case !m.issued:
			no = append(no, m.name+" (none issued)")
		default:
			no = append(no, m.name+" (not resumed)")
		}
	}
	switch {
	case len(yes) > 0:
		return checks.Pass("sessions resume by " + strings.Join(yes, " and "))
	case len(unclear) > 0:
		return checks.Inconclusive("resumption could not be tested: " + strings.Join(unclear, "; "))
	}
	return checks.Fail(r.Protocol, "no resumption: "+strings.Join(no, ", "))
}
