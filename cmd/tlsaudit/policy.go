package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/mozilla"
	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/certfetch"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// gradeRank orders letter grades, best highest. T (trust) and M (hostname
// mismatch) rank below F: they fail every --fail-under.
func gradeRank(letter string) (int, bool) { return policyfile.GradeRank(letter) }

// idCertExpiresSoon is the check behind the expiry window (checks/cert).
const idCertExpiresSoon = "cert.expires_soon"

// gateConfig holds the Mozilla and policy-file flags.
type gateConfig struct {
	mozillaProfile string // --mozilla-profile: evaluate only this profile
	remediation    string // --remediation SERVER: snippet in the report
	requireMozilla string // --require-mozilla PROFILE gate
	policyFile     string // --policy FILE
	policy         *policyfile.Policy
}

func gateFlags(fs *flag.FlagSet, g *gateConfig) {
	fs.StringVar(&g.mozillaProfile, "mozilla-profile", "", "")
	fs.StringVar(&g.remediation, "remediation", "", "")
	fs.StringVar(&g.requireMozilla, "require-mozilla", "", "")
	fs.StringVar(&g.policyFile, "policy", "", "")
}

// load validates the flags and reads the policy file. Its error is one line;
// a policy error names the file and line ("ci.yaml:3: ...").
func (g *gateConfig) load() error {
	for _, f := range []struct{ flag, value string }{{"--mozilla-profile", g.mozillaProfile}, {"--require-mozilla", g.requireMozilla}} {
		if _, ok := mozilla.Lookup(f.value); f.value != "" && !ok {
			return fmt.Errorf("invalid %s %q (want %s)", f.flag, f.value, strings.Join(mozilla.Profiles(), ", "))
		}
	}
	if g.remediation != "" && !slices.Contains(mozilla.Servers(), g.remediation) {
		return fmt.Errorf("invalid --remediation %q (want %s)", g.remediation, strings.Join(mozilla.Servers(), ", "))
	}
	if g.policyFile == "" {
		return nil
	}
	data, err := certfetch.ReadFileCapped(g.policyFile, policyfile.MaxSize)
	if err != nil {
		return fmt.Errorf("--policy: %v", err)
	}
	p, err := policyfile.Load(data)
	if err == nil {
		err = p.Validate(checks.Default)
	}
	if pe, ok := err.(*policyfile.Error); ok && pe.Line > 0 {
		return fmt.Errorf("%s:%d: %s", g.policyFile, pe.Line, pe.Msg)
	} else if err != nil {
		return fmt.Errorf("%s: %v", g.policyFile, err)
	}
	g.policy = p
	return nil
}

// mozillaSection attaches the Mozilla verdict to r (every profile, or the
// one --mozilla-profile names) with the --remediation snippet for
// --mozilla-profile, else --require-mozilla, else the next profile to reach.
// An observation the profiles cannot judge (failed or quick scan) gets none.
func mozillaSection(g gateConfig, r *report.Report) {
	if r.Status != obs.StatusOK || r.Mozilla != nil {
		return
	}
	var names []string
	if g.mozillaProfile != "" {
		names = []string{g.mozillaProfile}
	}
	s, err := mozilla.Summarize(r.Observation, names...)
	if err != nil {
		return
	}
	if g.remediation != "" {
		target := g.mozillaProfile
		if _, ok := s.Result(g.requireMozilla); target == "" && ok {
			target = g.requireMozilla
		}
		if err := s.Remediate(g.remediation, target); err != nil {
			return // cannot happen: flags validated, profile evaluated
		}
	}
	r.Mozilla = s
}

// policy returns one "rule: evidence" line per policy rule r breaks. It also
// attaches the Mozilla section to r (mozillaSection): the gates and the
// section share that verdict. Targets that could not be audited break no
// rule here: they exit 3, which takes precedence.
func policy(cfg config, r *report.Report) []string {
	mozillaSection(cfg.gates, r)
	if r.Status != obs.StatusOK {
		return nil
	}
	var broken []string
	if cfg.failUnder != "" {
		want, _ := gradeRank(cfg.failUnder)
		switch {
		case r.Grade == nil || r.Grade.Letter == "":
			why := ""
			if r.Grade != nil && r.Grade.Error != "" {
				why = ": " + r.Grade.Error
			}
			broken = append(broken, fmt.Sprintf("no grade available%s (--fail-under %s)", why, cfg.failUnder))
		default:
			if got, ok := gradeRank(r.Grade.Letter); !ok || got < want {
				line := fmt.Sprintf("grade %s is below %s (--fail-under)", r.Grade.Letter, cfg.failUnder)
				for _, c := range r.Grade.Caps {
					line += fmt.Sprintf("; capped at %s: %s", c.Grade, c.Reason)
				}
				broken = append(broken, line)
			}
		}
	}
	for _, f := range r.Failed() {
		if cfg.failOn != "" && f.Severity.Rank() >= cfg.failOn.Rank() {
			broken = append(broken, fmt.Sprintf("%s check %s failed: %s (--fail-on %s)", f.Severity, f.CheckID, findingText(f), cfg.failOn))
		}
		if cfg.expiryGate && (f.CheckID == idCertExpiresSoon || f.CheckID == checks.IDCertExpired) {
			broken = append(broken, fmt.Sprintf("certificate expiry: %s (--expiry-warn)", findingText(f)))
		}
	}
	if req := cfg.gates.requireMozilla; req != "" {
		rule := "--require-mozilla " + req
		res, err := mozilla.Evaluate(r.Observation, req)
		switch {
		case err != nil:
			broken = append(broken, rule+": not assessed: "+err.Error())
		case !res.Compliant:
			for _, d := range res.Deviations {
				broken = append(broken, fmt.Sprintf("%s (%s): %s", rule, res.Version, d))
			}
		}
	}
	for _, v := range policyfile.StoreViolations(r.Findings, cfg.certs.named.require) {
		broken = append(broken, "--require-store "+v)
	}
	if p := cfg.gates.policy; p != nil {
		for _, v := range p.Evaluate(policyfile.Input{Obs: r.Observation, Findings: r.Findings, Grade: r.Grade, Now: time.Now()}) {
			broken = append(broken, v.String())
		}
	}
	return broken
}

func findingText(f checks.Finding) string {
	s := f.Title
	if f.Subject != "" {
		s += " [" + f.Subject + "]"
	}
	if f.Detail != "" {
		s += ": " + f.Detail
	}
	return s
}
