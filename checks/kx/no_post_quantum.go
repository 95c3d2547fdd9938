package kx

import (
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	checks.Register(checks.New(checks.Meta{
		ID:    checks.IDKxNoPostQuantum,
		Title: "No post-quantum key exchange in TLS 1.3",
		Description: "Traffic recorded today can be decrypted once a large quantum computer exists (\"harvest now, " +
			"decrypt later\"). Hybrid groups such as X25519MLKEM768 protect against it and are in Mozilla's 5.8/6.0 " +
			"profiles and current browsers.",
		Severity: checks.SeverityInfo,
		Refs:     []checks.Ref{{Kind: "url", ID: "https://datatracker.ietf.org/doc/draft-ietf-tls-ecdhe-mlkem/"}},
	}, noPostQuantum).When(view.HasProtocols))
}

func noPostQuantum(o *obs.Observation, _ checks.Env) []checks.Finding {
	p, probed := view.Protocol(o, view.TLS13)
	switch {
	case probed && !p.Supported && p.Error != "":
		return checks.One(checks.Inconclusive("TLSv1.3 probe failed: " + p.Error))
	case !p.Supported:
		return checks.One(checks.NotApplicable("TLS 1.3 is not accepted (post-quantum groups need it)"))
	case o.Groups == nil || len(o.Groups.TLS13) == 0:
		return checks.One(checks.Inconclusive("TLS 1.3 groups were not enumerated"))
	}
	var pq, other []string
	for _, g := range o.Groups.TLS13 {
		if view.PostQuantum(g) {
			pq = append(pq, view.GroupName(g))
		} else {
			other = append(other, view.GroupName(g))
		}
	}
	if len(pq) > 0 {
		return checks.One(checks.Pass("post-quantum groups accepted: " + strings.Join(pq, ", ")))
	}
	return checks.One(checks.Fail(view.TLS13, "no post-quantum group among the TLS 1.3 groups: "+strings.Join(other, ", ")))
}
