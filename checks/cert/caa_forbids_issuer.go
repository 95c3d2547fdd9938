package cert

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertCAAForbidsIssuer,
		Title:       "CAA does not authorise the certificate's CA",
		Description: "The host's CAA record set (RFC 8659) does not list the CA that issued the served certificate.",
		Severity:    checks.SeverityLow,
		Refs:        []checks.Ref{ref("rfc", "RFC 8659")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		c := a.CAA
		switch {
		case c == nil:
			return []checks.Finding{na("CAA not looked up")}
		case c.Error != "":
			return []checks.Finding{{Status: checks.StatusInconclusive, Detail: "CAA lookup failed: " + c.Error}}
		case !c.Present:
			return []checks.Finding{pass("no CAA records: any CA may issue")}
		case c.Permits == nil:
			return []checks.Finding{{Status: checks.StatusInconclusive, Detail: "CAA at " + c.Name + " allows " + strings.Join(c.Issue, ", ") + "; the issuer's CAA domain is not known"}}
		case !*c.Permits:
			return []checks.Finding{fail("CAA at %s allows %s, not the issuer %s", c.Name, strings.Join(append(c.Issue, c.IssueWild...), ", "), c.Issuer)}
		}
		return []checks.Finding{pass("CAA at %s allows the issuer", c.Name)}
	})).When(servedChain))
}
