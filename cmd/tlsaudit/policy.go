package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks/all"
	"github.com/tlsaudit/tlsaudit/checks/mozilla"
	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/scan/truststore"
)

// gradeRank orders letter grades, best highest. T (trust) and M (hostname
// mismatch) rank below F: they fail every --fail-under.
func gradeRank(letter string) (int, bool) { return policyfile.GradeRank(letter) }

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
	data, err := truststore.ReadFileCapped(g.policyFile, policyfile.MaxSize)
	if err != nil {
		return fmt.Errorf("--policy: %v", err)
	}
	p, err := policyfile.Load(data)
	if err == nil {
		err = p.Validate(all.Registry())
	}
	if pe, ok := err.(*policyfile.Error); ok && pe.Line > 0 {
		return fmt.Errorf("%s:%d: %s", g.policyFile, pe.Line, pe.Msg)
	} else if err != nil {
		return fmt.Errorf("%s: %v", g.policyFile, err)
	}
	g.policy = p
	return nil
}
