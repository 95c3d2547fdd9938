package vuln

import (
	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnZeroLengthPaddingOracle,
		Title: "0-length record padding oracle (OpenSSL CVE-2019-1559)",
		Description: "The server answers a CBC record with no content differently when its MAC is bad than when its " +
			"padding is bad (OpenSSL 1.0.2 before 1.0.2r with applications that call SSL_shutdown twice after a " +
			"fatal error): a padding oracle. Update OpenSSL or disable CBC suites.",
		Severity: checks.SeverityHigh,
		Refs: append([]checks.Ref{{Kind: "cve", ID: "CVE-2019-1559"},
			{Kind: "url", ID: "https://www.openssl.org/news/secadv/20190226.txt"}}, cbcOracleRefs...),
	}, cbcOracleCheck(judgeZeroLength)).When(checks.ScanCompleted))
}

func judgeZeroLength(_ *obs.Observation, r *obs.CBCOraclesResult) checks.Finding {
	return comparePair(r, "0-length padding oracle", "zero_len_bad_mac", "zero_len_bad_pad", "a 0-length record's padding validity", true)
}
