package vuln

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnTicketbleed,
		Title: "Ticketbleed (F5 session ID over-read)",
		Description: "Affected F5 BIG-IP TLS stacks echo a 32-byte session ID when a client resumes a session " +
			"ticket with a shorter ID, filling the rest with up to 31 bytes of uninitialised memory per " +
			"connection. The probe resumes a ticket twice with a 16-byte ID.",
		Severity: checks.SeverityCritical,
		Refs: []checks.Ref{{Kind: "cve", ID: "CVE-2016-9244"}, {Kind: "rfc", ID: "RFC 5077"},
			{Kind: "url", ID: "https://filippo.io/Ticketbleed/"}},
	}, probeCheck("Ticketbleed", func(p *obs.HandshakeProbes) *obs.TicketbleedResult { return p.Ticketbleed },
		func(r *obs.TicketbleedResult) obs.Attempt { return r.Attempt }, judgeTicketbleed)).When(checks.ScanCompleted))
}

func judgeTicketbleed(_ *obs.Observation, r *obs.TicketbleedResult) checks.Finding {
	var leaks, seen []string
	for _, a := range r.Attempts {
		switch {
		case a.Answer != "":
			seen = append(seen, a.Answer)
		case a.PrefixMatches && a.EchoedIDLength > r.SentIDLength:
			leaks = append(leaks, a.Extra)
		case a.PrefixMatches:
			seen = append(seen, fmt.Sprintf("echoed the %d-byte ID", a.EchoedIDLength))
		default:
			seen = append(seen, fmt.Sprintf("new %d-byte ID (full handshake)", a.EchoedIDLength))
		}
	}
	if len(leaks) > 0 {
		d := fmt.Sprintf("resuming a ticket with a %d-byte session ID, the server echoed 32 bytes: extra bytes %s",
			r.SentIDLength, strings.Join(leaks, ", "))
		if len(leaks) == 2 && leaks[0] != leaks[1] {
			d += " (different on each connection: server memory)"
		}
		return checks.Fail("TLSv1.2", d)
	}
	return checks.Pass(fmt.Sprintf("resuming a ticket with a %d-byte session ID: %s", r.SentIDLength, strings.Join(seen, "; ")))
}
