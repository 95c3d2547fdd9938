package kx

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDKxDHCommonPrime,
		Title: "Widely shared DH prime under 2048 bits",
		Description: "A prime used by many servers (a default of Apache, nginx, OpenSSL, RFC 2409/5114 groups) is " +
			"worth a one-off precomputation: at 1024 bits a nation-state can then break every exchange with it " +
			"(Logjam paper). Well-known primes of 2048 bits or more, such as RFC 7919 ffdhe2048, are recommended " +
			"and pass.",
		Severity: checks.SeverityHigh,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2015-4000"}, {Kind: "rfc", ID: "RFC 7919"}},
	}, commonPrime).When(view.HasProtocols))
}

func commonPrime(o *obs.Observation, _ checks.Env) []checks.Finding {
	if len(o.DH) == 0 {
		_, why, ok := dhObserved(o)
		if !ok {
			return checks.One(why)
		}
		return checks.One(checks.Inconclusive("DH sizes were recorded but not the primes themselves"))
	}
	var weak, fine []string
	sev := checks.SeverityMedium
	for _, p := range o.DH {
		if p.Known == "" {
			continue
		}
		label := fmt.Sprintf("%s (%d bits", p.Known, p.Bits)
		if p.Source != "" {
			label += ", " + p.Source
		}
		label += ")"
		if p.Bits >= 2048 {
			fine = append(fine, label)
			continue
		}
		weak = append(weak, label)
		if p.Bits <= 1024 {
			sev = checks.SeverityHigh
		}
	}
	if len(weak) > 0 {
		f := checks.Fail("DH parameters", "common DH prime under 2048 bits: "+strings.Join(weak, "; "))
		f.Severity = sev
		return checks.One(f)
	}
	if len(fine) > 0 {
		return checks.One(checks.Pass("only well-known primes of 2048 bits or more: " + strings.Join(fine, "; ")))
	}
	return checks.One(checks.Pass(fmt.Sprintf("none of the %d DH prime(s) is a known common prime", len(o.DH))))
}
