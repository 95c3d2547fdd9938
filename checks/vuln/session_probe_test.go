package vuln

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// withSession sets full-handshake probe results on a fixture.
func withSession(set func(p *obs.SessionProbes)) func(o *obs.Observation) {
	return func(o *obs.Observation) {
		if o.Probes == nil {
			o.Probes = &obs.Probes{}
		}
		set(&o.Probes.SessionProbes)
	}
}

func robot(rounds ...[]string) func(o *obs.Observation) {
	r := &obs.ROBOTResult{Attempt: done, Protocol: "TLSv1.2", Suite: "TLS_RSA_WITH_AES_128_GCM_SHA256"}
	for _, resp := range rounds {
		r.Rounds = append(r.Rounds, obs.ROBOTRound{Responses: resp})
	}
	return withSession(func(p *obs.SessionProbes) { p.ROBOT = r })
}

func TestROBOT(t *testing.T) {
	same := []string{"alert:bad_record_mac", "alert:bad_record_mac", "alert:bad_record_mac", "alert:bad_record_mac", "alert:bad_record_mac"}
	strong := []string{"alert:bad_record_mac", "alert:decrypt_error", "alert:bad_record_mac", "alert:bad_record_mac", "alert:bad_record_mac"}
	weak := []string{"timeout", "alert:handshake_failure", "alert:handshake_failure", "alert:handshake_failure", "timeout"}
	checktest.RunTable(t, Checks(), checks.IDVulnROBOT, cases{
		"not run": {Fixture: "modern", Want: na, WantDetail: "did not run"},
		"no rsa": {Fixture: "modern", Want: na, WantDetail: "no RSA key-exchange suite accepted",
			Edit: withSession(func(p *obs.SessionProbes) {
				p.ROBOT = &obs.ROBOTResult{Attempt: obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "no RSA key-exchange suite accepted"}}
			})},
		"safe":         {Fixture: "legacy", Want: pass, WantDetail: "same answer (alert:bad_record_mac)", Edit: robot(same, same)},
		"strong":       {Fixture: "legacy", Want: fail, WantSeverity: checks.SeverityCritical, WantDetail: "strong oracle", Edit: robot(strong, strong)},
		"weak":         {Fixture: "legacy", Want: fail, WantSeverity: checks.SeverityHigh, WantDetail: "weak oracle: the answers depend on the RSA padding (valid → timeout", Edit: robot(weak, weak)},
		"inconsistent": {Fixture: "legacy", Want: inc, WantDetail: "inconsistently between rounds", Edit: robot(strong, same)},
		"errors":       {Fixture: "legacy", Want: inc, WantDetail: "could not be interpreted", Edit: robot([]string{"error:x", "ok", "ok", "ok", "ok"})},
		"probe failed": {Fixture: "legacy", Want: inc, WantDetail: "probe failed: connect",
			Edit: withSession(func(p *obs.SessionProbes) { p.ROBOT = &obs.ROBOTResult{Attempt: failed} })},
	})
}

func cbc(field func(p *obs.SessionProbes, r *obs.CBCRecordResult), tests ...obs.CBCRecordTest) func(o *obs.Observation) {
	return withSession(func(p *obs.SessionProbes) { field(p, &obs.CBCRecordResult{Attempt: done, Tests: tests}) })
}

func poodle(p *obs.SessionProbes, r *obs.CBCRecordResult) { p.PoodleTLS = r }
func lm20(p *obs.SessionProbes, r *obs.CBCRecordResult)   { p.LuckyMinus20 = r }

func TestPoodleTLS(t *testing.T) {
	tt := func(base, mal string) obs.CBCRecordTest {
		return obs.CBCRecordTest{Protocol: "TLSv1.2", Suite: "TLS_RSA_WITH_AES_128_CBC_SHA", Baseline: base, Malformed: mal}
	}
	checktest.RunTable(t, Checks(), checks.IDVulnPoodleTLS, cases{
		"refused":  {Fixture: "legacy", Want: pass, WantDetail: "refused with bad_record_mac: TLSv1.2", Edit: cbc(poodle, tt("alert:close_notify", "alert:bad_record_mac"))},
		"accepted": {Fixture: "legacy", Want: fail, WantDetail: "answered alert:close_notify, as to a well-formed record", Edit: cbc(poodle, tt("alert:close_notify", "alert:bad_record_mac"), tt("alert:close_notify", "alert:close_notify"))},
		"closed":   {Fixture: "legacy", Want: fail, Edit: cbc(poodle, tt("closed", "closed"))},
		"broken":   {Fixture: "legacy", Want: inc, WantDetail: "a well-formed record got alert:bad_record_mac", Edit: cbc(poodle, tt("alert:bad_record_mac", "alert:bad_record_mac"))},
		"other":    {Fixture: "legacy", Want: inc, WantDetail: "bad padding got timeout", Edit: cbc(poodle, tt("closed", "timeout"))},
		"no cbc": {Fixture: "modern", Want: na, WantDetail: "no CBC suite",
			Edit: withSession(func(p *obs.SessionProbes) {
				p.PoodleTLS = &obs.CBCRecordResult{Attempt: obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "no CBC suite accepted in TLS 1.0-1.2"}}
			})},
	})
}

func TestLuckyMinus20(t *testing.T) {
	tt := func(mal string) obs.CBCRecordTest {
		return obs.CBCRecordTest{Protocol: "TLSv1.2", Suite: "TLS_RSA_WITH_AES_128_CBC_SHA", Baseline: "alert:close_notify", Malformed: mal}
	}
	checktest.RunTable(t, Checks(), checks.IDVulnLuckyMinus20, cases{
		"patched":    {Fixture: "legacy", Want: pass, WantDetail: "got bad_record_mac", Edit: cbc(lm20, tt("alert:bad_record_mac"))},
		"vulnerable": {Fixture: "legacy", Want: fail, WantDetail: "record_overflow", Edit: cbc(lm20, tt("alert:record_overflow"))},
		"unclear":    {Fixture: "legacy", Want: inc, WantDetail: "(closed)", Edit: cbc(lm20, tt("closed"))},
		"not run":    {Fixture: "legacy", Want: na},
	})
}

func TestClientRenegotiation(t *testing.T) {
	ren := func(attempted, completed int, refusal string) func(o *obs.Observation) {
		return withSession(func(p *obs.SessionProbes) {
			p.Renegotiation = &obs.RenegotiationResult{Attempt: done, Protocol: "TLSv1.2", Suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
				Attempted: attempted, Completed: completed, Refusal: refusal}
		})
	}
	checktest.RunTable(t, Checks(), checks.IDVulnClientRenegotiation, cases{
		"allowed": {Fixture: "modern", Want: fail, WantDetail: "completed 3 of 3", Edit: ren(3, 3, "")},
		"limited": {Fixture: "modern", Want: fail, WantDetail: "completed 1 of 2", Edit: ren(2, 1, "closed")},
		"refused": {Fixture: "modern", Want: pass, WantDetail: "refused client-initiated renegotiation (alert:no_renegotiation)", Edit: ren(1, 0, "alert:no_renegotiation")},
		"tls13":   {Fixture: "modern", Want: na},
	})
}

func TestNoSessionResumption(t *testing.T) {
	res := func(r obs.ResumptionResult) func(o *obs.Observation) {
		r.Attempt = done
		r.Protocol = "TLSv1.2"
		return withSession(func(p *obs.SessionProbes) { p.Resumption = &r })
	}
	checktest.RunTable(t, Checks(), checks.IDVulnNoSessionResumption, cases{
		"both":    {Fixture: "modern", Want: pass, WantDetail: "session ID and ticket", Edit: res(obs.ResumptionResult{SessionIDIssued: true, SessionIDResumed: flag(true), TicketIssued: true, TicketResumed: flag(true)})},
		"ticket":  {Fixture: "modern", Want: pass, WantDetail: "resume by ticket", Edit: res(obs.ResumptionResult{SessionIDIssued: true, SessionIDResumed: flag(false), TicketIssued: true, TicketResumed: flag(true)})},
		"none":    {Fixture: "modern", Want: fail, WantDetail: "session ID (not resumed), ticket (none issued)", Edit: res(obs.ResumptionResult{SessionIDIssued: true, SessionIDResumed: flag(false)})},
		"unclear": {Fixture: "modern", Want: inc, WantDetail: "ticket (closed)", Edit: res(obs.ResumptionResult{TicketIssued: true, TicketError: "closed"})},
	})
}

func TestEarlyData(t *testing.T) {
	ed := func(tickets int, max uint32) func(o *obs.Observation) {
		return withSession(func(p *obs.SessionProbes) {
			p.EarlyData = &obs.EarlyDataResult{Attempt: done, Suite: "TLS_AES_128_GCM_SHA256", Tickets: tickets, MaxEarlyDataSize: max}
		})
	}
	checktest.RunTable(t, Checks(), checks.IDVulnEarlyData, cases{
		"enabled":    {Fixture: "modern", Want: fail, WantDetail: "allow 16384 bytes", Edit: ed(2, 16384)},
		"disabled":   {Fixture: "modern", Want: pass, WantDetail: "none of the 2", Edit: ed(2, 0)},
		"no tickets": {Fixture: "modern", Want: pass, WantDetail: "no TLS 1.3 session ticket", Edit: ed(0, 0)},
		"no tls13": {Fixture: "legacy", Want: na, WantDetail: "TLS 1.3 not supported",
			Edit: withSession(func(p *obs.SessionProbes) {
				p.EarlyData = &obs.EarlyDataResult{Attempt: obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "TLS 1.3 not supported"}}
			})},
	})
}
