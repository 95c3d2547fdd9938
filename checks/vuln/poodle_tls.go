package vuln

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnPoodleTLS,
		Title: "POODLE over TLS (CBC padding not checked)",
		Description: "TLS requires every CBC padding byte to equal the padding length (RFC 5246 6.2.3.2). A server " +
			"that checks only the length byte accepts records with wrong padding, which allows the POODLE attack " +
			"against TLS as against SSLv3. The probe sends a record with a correct MAC and wrong padding bytes and " +
			"compares the answer with a well-formed record's.",
		Severity: checks.SeverityHigh,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2014-8730"}, {Kind: "rfc", ID: "RFC 5246 6.2.3.2"}},
	}, sessionCheck("POODLE over TLS", func(p *obs.SessionProbes) *obs.CBCRecordResult { return p.PoodleTLS },
		func(r *obs.CBCRecordResult) obs.Attempt { return r.Attempt }, judgePoodleTLS)).When(checks.ScanCompleted))
}

func refusedRecord(resp string) bool {
	return resp == "alert:bad_record_mac" || resp == "alert:decryption_failed"
}

func judgePoodleTLS(_ *obs.Observation, r *obs.CBCRecordResult) checks.Finding {
	var bad, good, unclear []string
	for _, t := range r.Tests {
		label := t.Protocol + " " + t.Suite
		switch {
		case refusedRecord(t.Baseline) || strings.HasPrefix(t.Baseline, "error:"):
			unclear = append(unclear, fmt.Sprintf("%s (a well-formed record got %s)", label, t.Baseline))
		case refusedRecord(t.Malformed):
			good = append(good, label)
		case t.Malformed == t.Baseline:
			bad = append(bad, fmt.Sprintf("%s (answered %s, as to a well-formed record)", label, t.Malformed))
		default:
			unclear = append(unclear, fmt.Sprintf("%s (bad padding got %s, a well-formed record %s)", label, t.Malformed, t.Baseline))
		}
	}
	switch {
	case len(bad) > 0:
		return checks.Fail(strings.Join(bad, "; "), "a record with wrong CBC padding bytes was accepted: "+strings.Join(bad, "; "))
	case len(unclear) > 0 || len(good) == 0:
		return checks.Inconclusive("answers could not be interpreted: " + strings.Join(unclear, "; "))
	}
	return checks.Pass("records with wrong CBC padding bytes were refused with bad_record_mac: " + strings.Join(good, ", "))
}
