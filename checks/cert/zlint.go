package cert

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	register(checks.New(checks.Meta{
		ID:          checks.IDCertZlint,
		Title:       "Certificate lint problems",
		Description: "zlint found errors or warnings (RFC 5280, CA/B Forum Baseline Requirements, ...) in a served certificate. On a chain trusted only through --ca-file (a private PKI), the CA/B Forum and root-program requirements, which bind publicly trusted certificates only, are informational.",
		Severity:    checks.SeverityLow,
		Refs:        []checks.Ref{ref("url", "https://github.com/zmap/zlint"), ref("url", "https://cabforum.org/working-groups/server/baseline-requirements/documents/")},
		// Linting is not part of a quick scan's chain/expiry/trust job.
		FullScanOnly: true,
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		var out []checks.Finding
		seen := map[string]bool{}
		for i := range a.Chains {
			ch := &a.Chains[i]
			for _, c := range ch.Certificates {
				if len(c.Lints) == 0 || seen[c.SHA256] {
					continue
				}
				seen[c.SHA256] = true
				general, public := c.Lints, []certanalysis.LintResult(nil)
				if ch.PrivatePKI {
					general, public = splitPublicTrustLints(c.Lints)
				}
				if len(general) == 0 {
					// Only requirements for publicly trusted certificates,
					// on a chain trusted only through --ca-file.
					out = append(out, checks.Finding{Status: checks.StatusFail, Severity: checks.SeverityInfo, Subject: certName(&c),
						Detail: "informational, private PKI trusted only via --ca-file (public-trust requirements): " + lintList(public)})
					continue
				}
				errs, warns := countLints(general)
				sev := checks.SeverityLow
				if errs > 0 {
					sev = checks.SeverityMedium
				}
				detail := fmt.Sprintf("%d error(s), %d warning(s): %s", errs, warns, lintList(general))
				if len(public) > 0 {
					detail += "; informational, private PKI (public-trust requirements): " + lintList(public)
				}
				out = append(out, checks.Finding{Status: checks.StatusFail, Severity: sev, Subject: certName(&c), Detail: detail})
			}
		}
		return out
	})).When(servedChain))
}

// publicTrustSources are the zlint sources that state requirements for
// publicly trusted certificates only: the CA/Browser Forum documents and
// the root programs' policies.
var publicTrustSources = map[string]bool{
	"CABF_BR": true, "CABF_EV": true, "CABF_CS_BR": true, "CABF_SMIME_BR": true,
	"Mozilla": true, "Apple": true, "Chrome": true, "Microsoft": true,
}

// splitPublicTrustLints separates the lints of public-trust requirements
// from the others (RFCs, community).
func splitPublicTrustLints(ls []certanalysis.LintResult) (general, public []certanalysis.LintResult) {
	for _, l := range ls {
		if publicTrustSources[l.Source] {
			public = append(public, l)
		} else {
			general = append(general, l)
		}
	}
	return general, public
}

func countLints(ls []certanalysis.LintResult) (errs, warns int) {
	for _, l := range ls {
		if l.Status == "warn" {
			warns++
		} else {
			errs++
		}
	}
	return errs, warns
}

// lintList names every lint, errors first, with its citation: the whole
// list is the finding's evidence (the text report shortens long details).
func lintList(ls []certanalysis.LintResult) string {
	var errs, warns []string
	for _, l := range ls {
		s := l.Lint
		if l.Citation != "" {
			s += " (" + l.Citation + ")"
		}
		if l.Status == "warn" {
			warns = append(warns, s)
		} else {
			errs = append(errs, s)
		}
	}
	return strings.Join(append(errs, warns...), "; ")
}
