package report

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
)

// vulnRow names a row of the Vulnerabilities and HTTP sections by what was tested
// and says its state in words for a pass and a fail (the check titles name
// the problem, so "Secure renegotiation not supported ... ok" read
// backwards). Attacks keep the names testssl.sh and sslscan users know.
type vulnRow struct {
	name       string
	pass, fail string
}

// attack is the row of a named attack: vulnerable or not.
func attack(name string) vulnRow { return vulnRow{name, "not vulnerable", "VULNERABLE"} }

var vulnRows = map[string]vulnRow{
	checks.IDVulnHeartbleed:              attack("Heartbleed (CVE-2014-0160)"),
	checks.IDVulnCCSInjection:            attack("CCS injection (CVE-2014-0224)"),
	checks.IDVulnROBOT:                   attack("ROBOT"),
	checks.IDVulnPoodleSSLv3:             attack("POODLE (SSLv3)"),
	checks.IDVulnPoodleTLS:               attack("POODLE (TLS)"),
	checks.IDVulnTicketbleed:             attack("Ticketbleed (CVE-2016-9244)"),
	checks.IDVulnLuckyMinus20:            attack("Lucky Minus 20 (CVE-2016-2107)"),
	checks.IDVulnZombiePoodle:            attack("Zombie POODLE"),
	checks.IDVulnGoldenDoodle:            attack("GOLDENDOODLE"),
	checks.IDVulnSleepingPoodle:          attack("Sleeping POODLE"),
	checks.IDVulnZeroLengthPaddingOracle: attack("0-length padding oracle (CVE-2019-1559)"),
	checks.IDVulnDROWN:                   attack("DROWN"),
	"vuln.freak":                         attack("FREAK"),
	"vuln.logjam":                        attack("Logjam"),
	checks.IDVulnCRIME:                   {"CRIME (TLS compression)", "not vulnerable", "VULNERABLE (compression on)"},
	"http.breach":                        {"BREACH (HTTP compression)", "not vulnerable", "possible (compressed body)"},
	checks.IDCipherDES64BitBlock:         {"SWEET32 (64-bit block ciphers)", "not vulnerable", "VULNERABLE (3DES/IDEA offered)"},
	checks.IDCipherCBCTLS10:              {"BEAST (CBC in TLS 1.0)", "not vulnerable", "CBC offered with TLS 1.0"},
	checks.IDCipherCBC:                   {"LUCKY13 (CBC suites)", "no CBC suites", "CBC suites offered"},
	checks.IDCipherRC4:                   {"RC4", "not offered", "offered"},
	checks.IDVulnInsecureRenegotiation:   {"Secure renegotiation (RFC 5746)", "supported", "not supported"},
	"vuln.client_renegotiation":          {"Client-initiated renegotiation", "refused", "allowed"},
	checks.IDVulnNoFallbackSCSV:          {"TLS_FALLBACK_SCSV", "supported", "not supported"},
	"vuln.no_downgrade_sentinel":         {"TLS 1.3 downgrade sentinel", "present", "missing"},
	"vuln.no_extended_master_secret":     {"Extended master secret (RFC 7627)", "supported", "not supported"},
	"vuln.no_encrypt_then_mac":           {"Encrypt-then-MAC (RFC 7366)", "used", "not used"},
	"vuln.no_session_resumption":         {"Session resumption (TLS 1.2)", "supported", "not supported"},
	"vuln.early_data":                    {"0-RTT early data (TLS 1.3)", "not accepted", "accepted"},
	"vuln.heartbeat_enabled":             {"Heartbeat extension", "not offered", "offered"},
	"vuln.version_intolerance":           {"Version intolerance", "tolerant", "intolerant"},
	"vuln.extension_intolerance":         {"Extension intolerance", "tolerant", "intolerant"},
	checks.IDHTTPHSTSMissing:             {"HSTS header", "present", "missing"},
	checks.IDHTTPHSTSInvalid:             {"HSTS header syntax", "valid", "invalid"},
	checks.IDHTTPHSTSShort:               {"HSTS max-age >= 180 days", "yes", "no"},
	checks.IDHTTPHSTSPreloadReady:        {"HSTS preload requirements", "met", "not met"},
	checks.IDHTTPHPKPInvalid:             {"HPKP header syntax", "valid", "invalid"},
	checks.IDHTTPNoRedirect80:            {"HTTP redirects to HTTPS", "yes", "no"},
	checks.IDHTTPRedirectToHTTP:          {"HTTPS redirect target", "https", "plain http"},
	checks.IDHTTPSecurityHeaders:         {"Security headers", "all set", "some missing"},
	checks.IDHTTPServerBanner:            {"Server banner versions", "hidden", "shown"},
}

// vulnOrder: the rows from other sections that the Vulnerabilities
// section repeats under their attack names, after the vuln.* checks.
var vulnOrder = []string{checks.IDCipherDES64BitBlock, checks.IDCipherCBCTLS10, checks.IDCipherCBC, checks.IDCipherRC4, "http.breach"}

// vulnState is a row's state in words, coloured by the result: green when
// passed, red when failed at medium severity or worse, yellow when failed
// at low or info severity or inconclusive. failWord names a failure of a
// check the table does not know (VULNERABLE in the Vulnerabilities table,
// problem in the HTTP table, as before rows were named).
func (t *textRenderer) vulnState(f checks.Finding, failWord string) string {
	row, known := vulnRows[f.CheckID]
	switch f.Status {
	case checks.StatusPass:
		if known {
			return t.st.paint(sgrGreen, row.pass)
		}
		return t.st.paint(sgrGreen, "ok")
	case checks.StatusFail:
		word := failWord
		if known {
			word = row.fail
		}
		if f.Severity.Rank() >= checks.SeverityMedium.Rank() {
			return t.st.paint(sgrRed, word)
		}
		return t.st.paint(sgrYellow, word)
	}
	return t.verdict(f, failWord)
}

// vulnName is a row's name: what was tested.
func vulnName(f checks.Finding) string {
	if row, ok := vulnRows[f.CheckID]; ok {
		return row.name
	}
	return oneLine(strings.TrimSpace(f.Title))
}

// vulnFindings are the rows of the Vulnerabilities section: the vuln.*
// findings, then the attack-named findings of other sections.
func vulnFindings(r *Report) []checks.Finding {
	fs := findingsIn(r, "vuln")
	for _, id := range vulnOrder {
		for _, f := range r.Findings {
			if f.CheckID == id {
				fs = append(fs, f)
			}
		}
	}
	return fs
}
