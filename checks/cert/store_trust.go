package cert

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/certanalysis"
)

func init() {
	checks.Register(checks.New(checks.Meta{
		ID:    checks.IDCertStoreTrust,
		Title: "Chain trusted by store",
		Description: "One finding per trust store (and per chain when several are served): whether the store builds a valid path from the served leaf to one of its anchors, which path, and how old the store is. " +
			"Like the platform lines of SSL Labs (Mozilla, Apple, Android, Java, Windows), these are informational: only mozilla and custom decide cert.untrusted and the grade; " +
			"--require-store NAME and the policy rule require_stores turn a store's verdict into a CI gate.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{ref("rfc", "RFC 5280 6.1"), ref("rfc", "RFC 4158")},
	}, analysisCheck(func(a *certanalysis.Analysis, env checks.Env) []checks.Finding {
		if len(env.Stores) == 0 {
			return []checks.Finding{{Status: checks.StatusInconclusive, Detail: "no trust store configured"}}
		}
		var out []checks.Finding
		for i := range a.Chains {
			ch := &a.Chains[i]
			for _, t := range ch.Trust {
				f := checks.Finding{Status: checks.StatusPass, Subject: StoreSubject(t.Store)}
				if len(a.Chains) > 1 {
					f.Subject += ", " + chainName(ch)
				}
				f.Detail = t.Verdict()
				if !t.Trusted {
					f.Status = checks.StatusFail
					if ch.PrivatePKI {
						f.Detail += "; expected: private PKI trusted via --ca-file"
						// The custom store trusts the chain and no public
						// store does: a public or platform store (mozilla
						// included) cannot be expected to trust a private
						// PKI, so its verdict is shown, not failed. A store
						// the user named keeps its failure: whether it
						// trusts the chain is the question they asked.
						// --require-store fails on either
						// (policy.StoreViolations).
						if !t.NamedByUser() {
							f.Status = checks.StatusNotApplicable
						}
					}
				}
				out = append(out, f)
			}
		}
		return out
	})).When(servedChain))
}

// StoreSubject is the Subject of a store's cert.store_trust finding (the
// chain is appended when several are served).
func StoreSubject(store string) string { return "store " + store }

// StoreOfSubject returns the store a cert.store_trust finding's Subject names.
func StoreOfSubject(subject string) (string, bool) {
	s, ok := strings.CutPrefix(subject, "store ")
	if !ok {
		return "", false
	}
	s, _, _ = strings.Cut(s, ", ")
	return s, true
}
