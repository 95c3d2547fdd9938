// Package cert holds the certificate checks (IDs "cert.*"). They judge the
// certificate analysis of package checks/certanalysis, computed once per
// evaluation (see analysisFor). Each check lives in its own file and adds
// itself to the package's list in init(); Checks returns them.
package cert

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// analysisCheck is the body of a certificate check: judge reads the
// certificate analysis of the observation (computed once per evaluation,
// see analysisFor) and returns the failures, or nothing for one pass.
func analysisCheck(judge func(a *certanalysis.Analysis, env checks.Env) []checks.Finding) checks.EvalFunc {
	return func(o *obs.Observation, env checks.Env) []checks.Finding {
		if fs := judge(analysisFor(o, env), env); len(fs) > 0 {
			return fs
		}
		return []checks.Finding{{Status: checks.StatusPass}}
	}
}

// servedChain is the applicability of the certificate checks: the scan
// observed a certificate chain.
func servedChain(o *obs.Observation) (bool, string) {
	if len(o.Chains) == 0 {
		return false, "no certificate chain was observed"
	}
	return true, ""
}

// perChain runs f on each chain; the findings name the chain when several
// were served.
func perChain(a *certanalysis.Analysis, f func(ch *certanalysis.ChainAnalysis) checks.Finding) []checks.Finding {
	var out []checks.Finding
	for i := range a.Chains {
		fd := f(&a.Chains[i])
		if len(a.Chains) > 1 && fd.Subject == "" {
			fd.Subject = chainName(&a.Chains[i])
		}
		out = append(out, fd)
	}
	return out
}

// perCert runs f on each parsed served certificate of each chain; f returns
// the detail of a failure, or "" when the certificate is fine. A certificate
// appearing in several chains is reported once. One pass finding is
// returned when nothing failed.
func perCert(a *certanalysis.Analysis, f func(ch *certanalysis.ChainAnalysis, c *certanalysis.CertSummary) string) []checks.Finding {
	var out []checks.Finding
	seen := map[string]bool{}
	for i := range a.Chains {
		ch := &a.Chains[i]
		for j := range ch.Certificates {
			c := &ch.Certificates[j]
			if c.ParseError != "" || seen[c.SHA256] {
				continue
			}
			if d := f(ch, c); d != "" {
				seen[c.SHA256] = true
				out = append(out, checks.Finding{Status: checks.StatusFail, Subject: certName(c), Detail: d})
			}
		}
	}
	return out
}

func chainName(ch *certanalysis.ChainAnalysis) string {
	if ch.KeyType != "" {
		return ch.KeyType + " chain"
	}
	if len(ch.Certificates) > 0 {
		return "chain of " + ch.Certificates[0].Subject
	}
	return "chain"
}

func certName(c *certanalysis.CertSummary) string {
	role := "leaf"
	if c.Index > 0 {
		role = fmt.Sprintf("#%d", c.Index)
	}
	return fmt.Sprintf("%s %s", role, c.Subject)
}

func pass(detail string, a ...any) checks.Finding {
	return checks.Finding{Status: checks.StatusPass, Detail: fmt.Sprintf(detail, a...)}
}

func fail(detail string, a ...any) checks.Finding {
	return checks.Finding{Status: checks.StatusFail, Detail: fmt.Sprintf(detail, a...)}
}

func na(detail string, a ...any) checks.Finding {
	return checks.Finding{Status: checks.StatusNotApplicable, Detail: fmt.Sprintf(detail, a...)}
}

// publiclyTrusted: the chain is trusted by a public store (mozilla, system).
func publiclyTrusted(ch *certanalysis.ChainAnalysis) bool {
	for _, t := range ch.Trust {
		if t.Trusted && (t.Store == "mozilla" || t.Store == certanalysis.SystemStoreName) {
			return true
		}
	}
	return false
}

func indexList(ch *certanalysis.ChainAnalysis, idx []int) string {
	var parts []string
	for _, i := range idx {
		if i < len(ch.Certificates) {
			parts = append(parts, fmt.Sprintf("#%d %s", i, ch.Certificates[i].Subject))
		}
	}
	return strings.Join(parts, "; ")
}

func ref(kind, id string) checks.Ref { return checks.Ref{Kind: kind, ID: id} }

// registered holds the checks of this package; each check's file adds its
// own in init.
var registered checks.List

func register(c checks.Check) { registered.Add(c) }

// Checks returns the checks of this package.
func Checks() []checks.Check { return registered.Checks() }
