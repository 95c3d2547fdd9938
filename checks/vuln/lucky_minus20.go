package vuln

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnLuckyMinus20,
		Title: "OpenSSL AES-NI CBC padding oracle (Lucky Minus 20)",
		Description: "OpenSSL 1.0.1 before 1.0.1t and 1.0.2 before 1.0.2h mis-check, in their AES-NI CBC code, a " +
			"record made of padding only, and answer it with record_overflow instead of bad_record_mac: a padding " +
			"oracle that lets a man in the middle decrypt traffic. Upgrade OpenSSL.",
		Severity: checks.SeverityHigh,
		Refs: []checks.Ref{{Kind: "cve", ID: "CVE-2016-2107"},
			{Kind: "url", ID: "https://blog.cloudflare.com/yet-another-padding-oracle-in-openssl-cbc-ciphersuites/"}},
	}, sessionCheck("Lucky Minus 20", func(p *obs.SessionProbes) *obs.CBCRecordResult { return p.LuckyMinus20 },
		func(r *obs.CBCRecordResult) obs.Attempt { return r.Attempt }, judgeLuckyMinus20)).When(checks.ScanCompleted))
}

func judgeLuckyMinus20(_ *obs.Observation, r *obs.CBCRecordResult) checks.Finding {
	var bad, good, unclear []string
	for _, t := range r.Tests {
		label := t.Protocol + " " + t.Suite
		switch {
		case t.Malformed == "alert:record_overflow":
			bad = append(bad, label)
		case refusedRecord(t.Malformed):
			good = append(good, label)
		default:
			unclear = append(unclear, fmt.Sprintf("%s (%s)", label, t.Malformed))
		}
	}
	switch {
	case len(bad) > 0:
		return checks.Fail(strings.Join(bad, "; "), "a padding-only CBC record got record_overflow: "+strings.Join(bad, "; "))
	case len(unclear) > 0 || len(good) == 0:
		return checks.Inconclusive("the answer to a padding-only CBC record was neither bad_record_mac nor record_overflow: " + strings.Join(unclear, "; "))
	}
	return checks.Pass("a padding-only CBC record got bad_record_mac: " + strings.Join(good, ", "))
}
