package monitor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
)

// Event kinds.
const (
	// EventGradeDrop: the endpoint's grade is lower than at the audit before.
	EventGradeDrop = "grade_drop"
	// EventNewFailingRule: the endpoint breaks a policy rule it did not
	// break at the audit before.
	EventNewFailingRule = "new_failing_rule"
	// EventExpiryWarning: a served leaf certificate expires within the
	// warning window (or has expired); sent once per certificate, when it
	// enters the window.
	EventExpiryWarning = "expiry_warning"
)

// EventVersion is the version of the Event JSON body: fields are added,
// never renamed.
const EventVersion = 1

// Event is one notification, the JSON body the webhook receives
// (docs/monitoring.md documents it field by field).
type Event struct {
	Version int       `json:"version"`
	Kind    string    `json:"event"`
	Time    time.Time `json:"time"`
	// Target is the monitored target as written; Host, Address and Port
	// name the endpoint.
	Target  string `json:"target"`
	Host    string `json:"host"`
	Address string `json:"address,omitempty"`
	Port    int    `json:"port"`
	// Grade letters (grade_drop; also set on the other kinds when known).
	OldGrade string `json:"old_grade,omitempty"`
	NewGrade string `json:"new_grade,omitempty"`
	// Rules newly broken (new_failing_rule).
	Rules []policyfile.Violation `json:"rules,omitempty"`
	// The certificate (expiry_warning).
	Subject      string     `json:"subject,omitempty"`
	SHA256       string     `json:"sha256,omitempty"`
	NotAfter     *time.Time `json:"not_after,omitempty"`
	DaysToExpiry *int       `json:"days_to_expiry,omitempty"`
	// Text says it all in one line, so chat webhooks that show a "text"
	// field (Slack, Mattermost) need no adapter.
	Text string `json:"text"`
}

func gradeOf(r *report.Report) string {
	if r == nil || r.Grade == nil {
		return ""
	}
	return string(r.Grade.Letter)
}

// ruleKey identifies a broken rule across audits: the rule, and for the
// per-check rules the check ID (the evidence's first word), so evidence
// that changes by itself (days left, counts) is not a new rule.
func ruleKey(v policyfile.Violation) string {
	if v.Rule == "fail_on" || v.Rule == "deny_checks" {
		id, _, _ := strings.Cut(v.Evidence, " ")
		return v.Rule + " " + id
	}
	return v.Rule
}

// compare returns the events of endpoint report r against the report
// before it (nil: none, the first audit sets the baseline for grades and
// rules).
func compare(target string, prev, r *report.Report, viols, prevViols []policyfile.Violation, warn time.Duration, now time.Time) []Event {
	base := Event{Version: EventVersion, Time: now.UTC(), Target: target, Host: r.Target.Host, Address: r.Target.IP,
		Port: r.Target.Port, OldGrade: gradeOf(prev), NewGrade: gradeOf(r)}
	where := endpointName(r)
	if r.Target.Host != "" && r.Target.Host != r.Target.IP {
		where = r.Target.Host + " (" + where + ")"
	}
	var out []Event
	if prev != nil {
		o, okO := policyfile.GradeRank(base.OldGrade)
		n, okN := policyfile.GradeRank(base.NewGrade)
		if okO && okN && n < o {
			e := base
			e.Kind = EventGradeDrop
			e.Text = fmt.Sprintf("tlsaudit: %s grade dropped from %s to %s", where, base.OldGrade, base.NewGrade)
			out = append(out, e)
		}
		had := map[string]bool{}
		for _, v := range prevViols {
			had[ruleKey(v)] = true
		}
		var added []policyfile.Violation
		for _, v := range viols {
			if !had[ruleKey(v)] {
				added = append(added, v)
				had[ruleKey(v)] = true
			}
		}
		if len(added) > 0 {
			e := base
			e.Kind = EventNewFailingRule
			e.Rules = added
			var names []string
			for _, v := range added {
				names = append(names, v.Rule)
			}
			e.Text = fmt.Sprintf("tlsaudit: %s now breaks %s: %s", where, strings.Join(slices.Compact(names), ", "), added[0].Evidence)
			out = append(out, e)
		}
	}
	if r.Observation == nil {
		return out
	}
	for _, ch := range r.Observation.Chains {
		if len(ch.Certificates) == 0 {
			continue
		}
		leaf := ch.Certificates[0]
		if leaf.NotAfter.IsZero() || leaf.NotAfter.Sub(now) >= warn || warnedBefore(prev, leaf.SHA256, warn) {
			continue
		}
		days := int(leaf.NotAfter.Sub(now).Hours() / 24)
		na := leaf.NotAfter.UTC()
		e := base
		e.Kind = EventExpiryWarning
		e.Subject, e.SHA256, e.NotAfter, e.DaysToExpiry = leaf.Subject, leaf.SHA256, &na, &days
		if days < 0 {
			e.Text = fmt.Sprintf("tlsaudit: %s certificate %s expired on %s", where, leaf.Subject, na.Format(time.DateOnly))
		} else {
			e.Text = fmt.Sprintf("tlsaudit: %s certificate %s expires on %s (in %d days)", where, leaf.Subject, na.Format(time.DateOnly), days)
		}
		out = append(out, e)
	}
	return out
}

// warnedBefore says whether the earlier report served the same leaf when it
// was already inside the window (so its warning went out then).
func warnedBefore(prev *report.Report, sha string, warn time.Duration) bool {
	if prev == nil || prev.Observation == nil || sha == "" {
		return false
	}
	at := prev.Observation.Started
	for _, ch := range prev.Observation.Chains {
		if len(ch.Certificates) > 0 && ch.Certificates[0].SHA256 == sha {
			return !at.IsZero() && ch.Certificates[0].NotAfter.Sub(at) < warn
		}
	}
	return false
}
