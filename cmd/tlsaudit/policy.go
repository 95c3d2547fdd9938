package main

import (
	"fmt"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/report"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// gradeRanks orders letter grades, best highest. T (trust) and M (hostname
// mismatch) rank below F: they fail every --fail-under.
var gradeRanks = map[string]int{
	"A+": 8, "A": 7, "A-": 6, "B": 5, "C": 4, "D": 3, "E": 2, "F": 1, "T": 0, "M": 0,
}

func gradeRank(letter string) (int, bool) {
	r, ok := gradeRanks[letter]
	return r, ok
}

// idCertExpiresSoon is the check behind the expiry window (checks/cert).
const idCertExpiresSoon = "cert.expires_soon"

// policy returns one line per policy rule r breaks. Targets that could not be
// audited break no rule here: they exit 3, which takes precedence.
func policy(cfg config, r *report.Report) []string {
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
