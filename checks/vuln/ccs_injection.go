package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnCCSInjection,
		Title: "OpenSSL CCS injection",
		Description: "OpenSSL before 0.9.8za, 1.0.0m and 1.0.1h accepts a ChangeCipherSpec before the key " +
			"exchange and switches to keys derived from an empty master secret, letting a man in the middle " +
			"decrypt and modify traffic. The probe sends an early ChangeCipherSpec and a record: a patched server " +
			"answers unexpected_message, a vulnerable one tries to decrypt and answers bad_record_mac.",
		Severity: checks.SeverityCritical,
		Refs: []checks.Ref{{Kind: "cve", ID: "CVE-2014-0224"},
			{Kind: "url", ID: "https://www.openssl.org/news/secadv/20140605.txt"}},
	}, probeCheck("CCS injection", func(p *obs.HandshakeProbes) *obs.CCSInjectionResult { return p.CCSInjection },
		func(r *obs.CCSInjectionResult) obs.Attempt { return r.Attempt }, judgeCCS)).When(checks.ScanCompleted))
}

// Alerts that show the server decrypted with the injected keys.
const (
	alertBadRecordMAC     = 20
	alertDecryptionFailed = 21
)

func judgeCCS(_ *obs.Observation, r *obs.CCSInjectionResult) checks.Finding {
	if r.Alert != nil && (*r.Alert == alertBadRecordMAC || *r.Alert == alertDecryptionFailed) {
		return checks.Fail(r.Version, "after an early ChangeCipherSpec ("+r.Version+", "+r.Suite+") the server tried to "+
			"decrypt the next record and answered "+r.Answer)
	}
	if r.Alert == nil && r.Answer != "closed" {
		return checks.Inconclusive("after an early ChangeCipherSpec the server answered: " + r.Answer)
	}
	return checks.Pass("the server refused an early ChangeCipherSpec (" + r.Answer + ")")
}
