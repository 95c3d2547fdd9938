package cert

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertHostnameMismatch,
		Title:       "Certificate does not match the host name",
		Description: "No subjectAltName of the leaf matches the host name (RFC 6125: wildcards only as the whole left-most label, IP addresses only against IP SANs, no fallback to the subject CN).",
		Severity:    checks.SeverityCritical,
		Refs:        []checks.Ref{ref("rfc", "RFC 6125 6.4"), ref("cabf", "BR 7.1.4.2.1")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		if a.Hostname == "" {
			return []checks.Finding{na("no host name to match")}
		}
		return perChain(a, func(ch *certanalysis.ChainAnalysis) checks.Finding {
			lf := ch.Leaf
			switch {
			case lf == nil:
				return checks.Finding{Status: checks.StatusInconclusive, Detail: "leaf certificate does not parse"}
			case lf.HostnameMatch:
				return pass("%s matches %q", a.Hostname, lf.MatchedName)
			}
			names := append(append([]string(nil), lf.DNSNames...), lf.IPs...)
			if len(names) == 0 {
				return fail("%s: the certificate has no subjectAltName (CN %q is not used for matching)", a.Hostname, lf.CN)
			}
			return fail("%s is not among the certificate names: %s", a.Hostname, strings.Join(names, ", "))
		})
	})).When(servedChain))
}
