package scan

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/tlstest"
)

// TestProbeEarlyDataSent: with ssl_early_data on, nginx takes an HTTP
// request sent as 0-RTT data on a resumed session and answers it; by
// default its tickets allow no early data, so none is sent.
func TestProbeEarlyDataSent(t *testing.T) {
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1.2 TLSv1.3", Extra: "ssl_early_data on;"})
	f, p := sessionFinding(t, discoveredAudit(t, srv), "early_data", "vuln.early_data")
	wantCheck(t, f, checks.StatusFail, "accepted and answered")
	if r := p.EarlyData; !r.Sent || !r.Accepted || !r.Answered || r.ResumeError != "" || r.Connections != 2 {
		t.Errorf("0-RTT: %+v", r)
	}

	srv = tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1.2 TLSv1.3"})
	f, p = sessionFinding(t, discoveredAudit(t, srv), "early_data", "vuln.early_data")
	if r := p.EarlyData; f.Status != checks.StatusPass || r.Sent || r.Accepted || r.Answered || r.Connections != 1 {
		t.Errorf("default nginx: %s %s %+v", f.Status, f.Detail, r)
	}
}

// TestProbeEarlyDataX448Only: a TLS 1.3 server whose only group is x448 is
// reached through a HelloRetryRequest for x448, and the resumption carries
// an x448 share, so the 0-RTT request is sent, accepted and answered.
func TestProbeEarlyDataX448Only(t *testing.T) {
	srv := tlstest.StartNginxT(t, tlstest.NginxOptions{Protocols: "TLSv1.3", ECDHCurve: "X448", Extra: "ssl_early_data on;"})
	f, p := sessionFinding(t, discoveredAudit(t, srv), "early_data", "vuln.early_data")
	wantCheck(t, f, checks.StatusFail, "accepted and answered")
	if r := p.EarlyData; !r.Sent || !r.Accepted || !r.Answered || r.ResumeError != "" || r.Connections != 2 || r.Tickets == 0 {
		t.Errorf("0-RTT over x448: %+v", r)
	}
}
