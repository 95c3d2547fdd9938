package vuln

import (
	"testing"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

const bad = "alert:bad_record_mac"

// oracleRounds sets a CBCOracles result whose rounds all answer resp (one
// per obs.CBCOracleVariants entry) within ms milliseconds.
func oracleRounds(ms int64, rounds ...[]string) func(o *obs.Observation) {
	r := &obs.CBCOraclesResult{Attempt: done, Protocol: "TLSv1.2", Suite: "TLS_RSA_WITH_AES_128_CBC_SHA", WaitMS: 1000}
	for _, resp := range rounds {
		el := make([]int64, len(resp))
		for i, x := range resp {
			el[i] = ms
			if x == "timeout" {
				el[i] = 1000
			}
		}
		r.Rounds = append(r.Rounds, obs.CBCOracleRound{Responses: resp, ElapsedMS: el})
	}
	return withSession(func(p *obs.SessionProbes) { p.CBCOracles = r })
}

// answers: bad_mac, bad_pad, bad_mac_bad_pad, zero_len_bad_mac, zero_len_bad_pad, pad_overflow.
func answers(badMAC, badPad, both, zMAC, zPad, overflow string) []string {
	return []string{badMAC, badPad, both, zMAC, zPad, overflow}
}

func twice(resp []string) func(o *obs.Observation) { return oracleRounds(3, resp, resp) }

func TestCBCOracles(t *testing.T) {
	uniform := answers(bad, bad, bad, bad, bad, bad)
	zombie := answers(bad, "closed", bad, bad, bad, bad)
	golden := answers(bad, "closed", "closed", bad, bad, bad)
	sleeping := answers(bad, "timeout", bad, bad, bad, bad)
	zero := answers(bad, bad, bad, "closed", bad, bad)
	alerts := answers(bad, "alert:decryption_failed", bad, bad, bad, bad)
	poodle := answers(bad, "data", bad, bad, bad, bad)
	allSilent := answers("timeout", "timeout", "timeout", "timeout", "timeout", "timeout")
	type want struct {
		status checks.Status
		detail string
	}
	table := map[string]struct {
		edit func(o *obs.Observation)
		ids  map[string]want
	}{
		"uniform": {twice(uniform), map[string]want{
			checks.IDVulnZombiePoodle: {pass, "same answer (alert:bad_record_mac)"}, checks.IDVulnGoldenDoodle: {pass, "same answer"},
			checks.IDVulnSleepingPoodle: {pass, "every malformed CBC record was answered"}, checks.IDVulnZeroLengthPaddingOracle: {pass, "same answer"}}},
		"zombie": {twice(zombie), map[string]want{
			checks.IDVulnZombiePoodle: {fail, "bad_pad record got closed but the bad_mac_bad_pad record alert:bad_record_mac"},
			checks.IDVulnGoldenDoodle: {pass, ""}, checks.IDVulnSleepingPoodle: {pass, ""}, checks.IDVulnZeroLengthPaddingOracle: {pass, ""}}},
		"goldendoodle": {twice(golden), map[string]want{
			checks.IDVulnZombiePoodle: {pass, ""}, checks.IDVulnGoldenDoodle: {fail, "visible on the wire (exploitable)"},
			checks.IDVulnSleepingPoodle: {pass, ""}, checks.IDVulnZeroLengthPaddingOracle: {pass, ""}}},
		"sleeping": {twice(sleeping), map[string]want{
			checks.IDVulnZombiePoodle: {pass, "judged as Sleeping POODLE"}, checks.IDVulnGoldenDoodle: {pass, ""},
			checks.IDVulnSleepingPoodle: {fail, "did not answer the bad_pad record(s) within 1000 ms"}, checks.IDVulnZeroLengthPaddingOracle: {pass, ""}}},
		"sleeping but slow": {oracleRounds(900, sleeping, sleeping), map[string]want{
			checks.IDVulnSleepingPoodle: {inc, "cannot be told from a slow server"}}},
		"all silent": {twice(allSilent), map[string]want{
			checks.IDVulnSleepingPoodle: {pass, "waits on all alike"}, checks.IDVulnZombiePoodle: {pass, ""}}},
		"zero length": {twice(zero), map[string]want{
			checks.IDVulnZombiePoodle: {pass, ""}, checks.IDVulnGoldenDoodle: {pass, ""}, checks.IDVulnSleepingPoodle: {pass, ""},
			checks.IDVulnZeroLengthPaddingOracle: {fail, "zero_len_bad_mac record got closed"}}},
		"alert names only": {twice(alerts), map[string]want{
			checks.IDVulnZombiePoodle: {fail, "encrypted alert description only"}}},
		"poodle over tls": {twice(poodle), map[string]want{
			checks.IDVulnZombiePoodle: {inc, "POODLE over TLS"}}},
		"inconsistent": {oracleRounds(3, zombie, uniform), map[string]want{
			checks.IDVulnZombiePoodle:   {inc, "inconsistently between rounds (closed, then alert:bad_record_mac)"},
			checks.IDVulnSleepingPoodle: {inc, "inconsistently"}}},
		"one round": {oracleRounds(3, zombie), map[string]want{
			checks.IDVulnZombiePoodle: {inc, "needs two rounds"}}},
		"error answer": {twice(answers(bad, "error:boom", bad, bad, bad, bad)), map[string]want{
			checks.IDVulnGoldenDoodle: {inc, "could not be interpreted: error:boom"}}},
		"no cbc": {withSession(func(p *obs.SessionProbes) {
			p.CBCOracles = &obs.CBCOraclesResult{Attempt: obs.Attempt{Status: obs.AttemptNotApplicable, Reason: "no CBC suite accepted in TLS 1.0-1.2"}}
		}), map[string]want{checks.IDVulnGoldenDoodle: {na, "no CBC suite"}, checks.IDVulnZeroLengthPaddingOracle: {na, "no CBC suite"}}},
		"not run": {func(*obs.Observation) {}, map[string]want{checks.IDVulnSleepingPoodle: {na, "did not run"}}},
	}
	byID := map[string]cases{}
	for name, c := range table {
		for id, w := range c.ids {
			if byID[id] == nil {
				byID[id] = cases{}
			}
			byID[id][name] = checktest.Case{Fixture: "legacy", Want: w.status, WantDetail: w.detail, Edit: c.edit}
		}
	}
	for id, cs := range byID {
		t.Run(id, func(t *testing.T) { checktest.RunTable(t, Checks(), id, cs) })
	}
}

func TestCBCOracleMetadata(t *testing.T) {
	for id, cve := range map[string]string{checks.IDVulnZeroLengthPaddingOracle: "CVE-2019-1559", checks.IDVulnGoldenDoodle: "CVE-2019-6593",
		checks.IDVulnZombiePoodle: "CVE-2019-6485", checks.IDVulnSleepingPoodle: ""} {
		c, ok := lookup(id)
		if !ok {
			t.Fatalf("%s is not registered", id)
		}
		var found, padcheck bool
		for _, r := range c.Meta().Refs {
			found = found || r.ID == cve
			padcheck = padcheck || r.ID == "https://github.com/Tripwire/padcheck"
		}
		if (cve != "" && !found) || !padcheck {
			t.Errorf("%s refs %+v", id, c.Meta().Refs)
		}
	}
}
