package vuln

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// TestEarlyDataSent covers the 0-RTT resumption attempt in the detail.
func TestEarlyDataSent(t *testing.T) {
	sent := func(sent, accepted, answered bool, resumeErr string) func(o *obs.Observation) {
		return withSession(func(p *obs.SessionProbes) {
			p.EarlyData = &obs.EarlyDataResult{Attempt: done, Suite: "TLS_AES_128_GCM_SHA256", Tickets: 2, MaxEarlyDataSize: 16384,
				Sent: sent, Accepted: accepted, Answered: answered, ResumeError: resumeErr}
		})
	}
	checktest.RunTable(t, Checks(), checks.IDVulnEarlyData, cases{
		"answered":  {Fixture: "modern", Want: fail, WantDetail: "allow 16384 bytes of 0-RTT early data; an HTTP request sent as early data was accepted and answered", Edit: sent(true, true, true, "")},
		"declined":  {Fixture: "modern", Want: fail, WantDetail: "declined the early data", Edit: sent(true, false, false, "")},
		"no answer": {Fixture: "modern", Want: fail, WantDetail: "accepted, no answer was read: timeout", Edit: sent(true, true, false, "timeout")},
		"unsent":    {Fixture: "modern", Want: fail, WantDetail: "no early data could be sent: reset", Edit: sent(false, false, false, "reset")},
		"failed":    {Fixture: "modern", Want: fail, WantDetail: "resuming with early data failed: alert:illegal_parameter", Edit: sent(true, false, false, "alert:illegal_parameter")},
	})
}
