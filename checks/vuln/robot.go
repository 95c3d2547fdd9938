package vuln

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnROBOT,
		Title: "ROBOT (Bleichenbacher padding oracle in RSA key exchange)",
		Description: "A server whose answers to a ClientKeyExchange depend on whether the RSA plaintext has valid " +
			"PKCS#1 v1.5 padding is a Bleichenbacher oracle: an attacker can decrypt recorded RSA key exchanges and " +
			"sign with the server key. The probe sends five differently malformed key exchanges twice; a safe server " +
			"answers them all alike. Disable RSA key exchange or patch the TLS stack.",
		Severity: checks.SeverityHigh,
		Refs: []checks.Ref{{Kind: "cve", ID: "CVE-2017-13099"}, {Kind: "cve", ID: "CVE-2017-6168"},
			{Kind: "cve", ID: "CVE-2017-17382"}, {Kind: "rfc", ID: "RFC 5246 7.4.7.1"},
			{Kind: "url", ID: "https://robotattack.org/"}},
	}, sessionCheck("ROBOT", func(p *obs.SessionProbes) *obs.ROBOTResult { return p.ROBOT },
		func(r *obs.ROBOTResult) obs.Attempt { return r.Attempt }, judgeROBOT)).When(checks.ScanCompleted))
}

func judgeROBOT(_ *obs.Observation, r *obs.ROBOTResult) checks.Finding {
	if len(r.Rounds) == 0 {
		return checks.Inconclusive("the ROBOT probe recorded no answers")
	}
	first := r.Rounds[0].Responses
	if len(first) != len(obs.ROBOTVariants) {
		return checks.Inconclusive(fmt.Sprintf("the ROBOT probe recorded %d answers, want %d", len(first), len(obs.ROBOTVariants)))
	}
	for _, rd := range r.Rounds[1:] {
		if !slices.Equal(rd.Responses, first) {
			return checks.Inconclusive("the server answered inconsistently between rounds (" + describe(first) + " vs " +
				describe(rd.Responses) + "): a noisy network or server, no verdict")
		}
	}
	for _, resp := range first {
		if strings.HasPrefix(resp, "error:") {
			return checks.Inconclusive("an answer could not be interpreted: " + describe(first))
		}
	}
	subject := r.Protocol + " " + r.Suite
	if allEqual(first) {
		return checks.Pass("all five ClientKeyExchange variants got the same answer (" + first[0] + ") with " + subject)
	}
	strength := "strong"
	if first[1] == first[2] && first[2] == first[3] {
		strength = "weak"
	}
	f := checks.Fail(subject, fmt.Sprintf("%s oracle: the answers depend on the RSA padding (%s)", strength, describe(first)))
	if strength == "strong" {
		f.Severity = checks.SeverityCritical
	}
	return f
}

func allEqual(s []string) bool {
	for _, x := range s[1:] {
		if x != s[0] {
			return false
		}
	}
	return true
}

func describe(resp []string) string {
	parts := make([]string, len(resp))
	for i, r := range resp {
		name := fmt.Sprint(i)
		if i < len(obs.ROBOTVariants) {
			name = obs.ROBOTVariants[i]
		}
		parts[i] = name + " → " + r
	}
	return strings.Join(parts, ", ")
}
