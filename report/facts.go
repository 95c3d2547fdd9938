package report

import (
	"github.com/tlsaudit/tlsaudit/checks/strength"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// SuiteRating is the strength of one accepted suite, as the text and HTML
// tables mark it (the report's "suite_strengths").
type SuiteRating struct {
	Protocol string         `json:"protocol"`
	ID       uint16         `json:"id"`
	Name     string         `json:"name"`
	Strength strength.Level `json:"strength"` // "secure", "weak" or "insecure"
}

// SuiteRatings rates every accepted suite of o, per protocol in the order
// the observation lists them.
func SuiteRatings(o *obs.Observation) []SuiteRating {
	if o == nil {
		return nil
	}
	var out []SuiteRating
	for _, p := range o.Protocols {
		for _, s := range p.Suites {
			id := s.ID
			if p.Name == "SSLv2" {
				id = 0
			}
			out = append(out, SuiteRating{Protocol: p.Name, ID: id, Name: s.Name, Strength: strength.Suite(p.Name, s)})
		}
	}
	return out
}
