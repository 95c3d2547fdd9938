package cert

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
)

func init() {
	register(checks.Meta{
		ID:          "cert.zlint",
		Title:       "Certificate lint problems",
		Description: "zlint found errors or warnings (RFC 5280, CA/B Forum Baseline Requirements, ...) in a served certificate.",
		Severity:    checks.SeverityLow,
		Refs:        []checks.Ref{ref("url", "https://github.com/zmap/zlint")},
	}, func(a *Analysis, env checks.Env) []checks.Finding {
		var out []checks.Finding
		seen := map[string]bool{}
		for i := range a.Chains {
			for _, c := range a.Chains[i].Certificates {
				if len(c.Lints) == 0 || seen[c.SHA256] {
					continue
				}
				seen[c.SHA256] = true
				sev := checks.SeverityLow
				if c.LintErrors > 0 {
					sev = checks.SeverityMedium
				}
				out = append(out, checks.Finding{Status: checks.StatusFail, Severity: sev, Subject: certName(&c),
					Detail: fmt.Sprintf("%d error(s), %d warning(s): %s", c.LintErrors, c.LintWarnings, lintList(c.Lints))})
			}
		}
		return out
	})
}

// lintList names every lint, errors first, with its citation: the whole
// list is the finding's evidence (the text report shortens long details).
func lintList(ls []LintResult) string {
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
