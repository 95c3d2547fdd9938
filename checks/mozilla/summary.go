package mozilla

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Summary is the verdict of several profiles on one observation: the report's
// "mozilla" section.
type Summary struct {
	// Meets is the strictest evaluated profile the endpoint meets, "" when it
	// meets none; MeetsVersion is that profile's guidelines version.
	Meets        string `json:"meets"`
	MeetsVersion string `json:"meets_version,omitempty"`
	// Results has one entry per evaluated profile, strictest first.
	Results []Result `json:"results"`
	// Remediation is the configuration snippet asked for (--remediation).
	Remediation *Remediation `json:"remediation,omitempty"`
}

// DefaultRemediationProfile is what a remediation targets when the server
// meets no profile and the user asked for none.
const DefaultRemediationProfile = "intermediate"

// Remediation is one server's configuration snippet to meet one profile.
type Remediation struct {
	Server  string `json:"server"`  // "nginx", "apache" or "haproxy"
	Profile string `json:"profile"` // the profile the snippet reaches
	// Snippet is empty when the endpoint already meets the profile.
	Snippet string `json:"snippet" termsafe:"lines"` // several lines, built by tlsaudit
}

// Summarize evaluates o against the named profiles (all of Profiles when
// names is empty). It fails like Evaluate: unknown profile, or an
// observation that cannot be judged.
func Summarize(o *obs.Observation, names ...string) (*Summary, error) {
	if len(names) == 0 {
		names = Profiles()
	}
	for _, n := range names {
		if _, ok := Lookup(n); !ok {
			return nil, fmt.Errorf("unknown Mozilla profile %q (known: %s)", n, strings.Join(Profiles(), ", "))
		}
	}
	s := &Summary{}
	for _, want := range Profiles() { // strictest first, whatever the order asked
		if !slices.Contains(names, want) {
			continue
		}
		r, err := Evaluate(o, want)
		if err != nil {
			return nil, err
		}
		s.Results = append(s.Results, r)
		if r.Compliant && s.Meets == "" {
			s.Meets, s.MeetsVersion = r.Profile, r.Version
		}
	}
	return s, nil
}

// Result returns the result of the named profile, when it was evaluated.
func (s *Summary) Result(profile string) (Result, bool) {
	for _, r := range s.Results {
		if r.Profile == profile {
			return r, true
		}
	}
	return Result{}, false
}

// Next is the profile to work towards: the least strict evaluated profile
// that is stricter than Meets and not met; when nothing is met, the one with
// the fewest deviations (the looser one on a tie). ok is false when every
// evaluated profile is met.
func (s *Summary) Next() (r Result, ok bool) {
	for _, x := range s.Results {
		if x.Profile == s.Meets {
			break
		}
		if x.Compliant {
			continue
		}
		if s.Meets != "" || !ok || len(x.Deviations) <= len(r.Deviations) {
			r, ok = x, true
		}
	}
	return r, ok
}

// Line is the one-line verdict, SSL Labs style:
// "intermediate (6.0) — not modern: 4 deviations", "modern (6.0)",
// "none — not old (5.8): 12 deviations".
func (s *Summary) Line() string {
	line := "none"
	if s.Meets != "" {
		line = s.Meets + " (" + s.MeetsVersion + ")"
	}
	next, ok := s.Next()
	if !ok {
		return line
	}
	name := next.Profile
	if next.Version != s.MeetsVersion {
		name += " (" + next.Version + ")"
	}
	return fmt.Sprintf("%s — not %s: %s", line, name, plural(len(next.Deviations), "deviation"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Remediate sets s.Remediation: the snippet for server that reaches profile.
// profile "" (the user asked for none) never makes the server weaker: it is
// the next profile stricter than Meets, or Meets when every evaluated
// profile is met, and when nothing is met it is intermediate, not old, even
// if old is closer: old's suites (3DES, CBC, static RSA) would add what the
// server does not offer today. The profile must have been evaluated.
func (s *Summary) Remediate(server, profile string) error {
	if profile == "" {
		profile = s.Meets
		if next, ok := s.Next(); ok {
			profile = next.Profile
		}
		if _, ok := s.Result(DefaultRemediationProfile); ok && s.Meets == "" {
			profile = DefaultRemediationProfile
		}
	}
	r, ok := s.Result(profile)
	if !ok {
		return fmt.Errorf("the %s profile was not evaluated", profile)
	}
	snippet, err := Snippet(r, server)
	if err != nil {
		return err
	}
	s.Remediation = &Remediation{Server: server, Profile: profile, Snippet: snippet}
	return nil
}
