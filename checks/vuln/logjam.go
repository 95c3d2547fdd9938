package vuln

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

func init() {
	register(checks.New(checks.Meta{
		ID:    checks.IDVulnLogjam,
		Title: "Logjam (export or weak Diffie-Hellman)",
		Description: "DHE_EXPORT suites and DH primes under 1024 bits let a man in the middle downgrade and break " +
			"the key exchange (Logjam). 1024-bit primes shared by many servers are within reach of a " +
			"nation-state precomputation; they fail with medium severity. (kx.dh_under_1024 and " +
			"kx.dh_common_prime judge the parameters for the grade.)",
		Severity: checks.SeverityCritical,
		Refs:     []checks.Ref{{Kind: "cve", ID: "CVE-2015-4000"}, {Kind: "url", ID: "https://weakdh.org/"}},
	}, logjam).When(checks.ScanCompleted))
}

func logjam(o *obs.Observation, _ checks.Env) []checks.Finding {
	all := view.Accepted(o)
	if len(all) == 0 {
		return checks.One(checks.NotApplicable("no protocol version was accepted"))
	}
	export := view.Select(all, func(s view.Suite) bool {
		return s.Known && s.Info.Export && (s.Info.Kx == "DHE" || s.Info.Kx == "DH" && view.IsAnonymous(s.Info))
	})
	var weak []string
	for _, d := range view.DHSizes(o) {
		if d.Bits < 1024 {
			weak = append(weak, d.Label)
		}
	}
	var why []string
	if len(export) > 0 {
		why = append(why, fmt.Sprintf("%d DH export suite(s) accepted: %s", len(export), view.Evidence(export)))
	}
	if len(weak) > 0 {
		why = append(why, "DH prime under 1024 bits: "+strings.Join(weak, "; "))
	}
	if len(why) > 0 {
		return checks.One(checks.Fail("DH key exchange", strings.Join(why, "; ")))
	}
	var common []string
	for _, p := range o.DH {
		if p.Known != "" && p.Bits <= 1024 {
			common = append(common, fmt.Sprintf("%s (%d bits)", p.Known, p.Bits))
		}
	}
	if len(common) > 0 {
		f := checks.Fail("DH key exchange", "common 1024-bit DH prime: "+strings.Join(common, "; ")+
			" (open to a one-off nation-state precomputation)")
		f.Severity = checks.SeverityMedium
		return checks.One(f)
	}
	return checks.One(view.PassUnlessErrored(o, fmt.Sprintf("no DH export suite and no DH prime under 1024 bits (%d DH prime(s) seen)", len(view.DHSizes(o)))))
}
