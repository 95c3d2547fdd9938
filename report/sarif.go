package report

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/all"
)

// SARIF 2.1.0 (OASIS): one run; the tool's rules are the checks that have
// findings (metadata from the check catalogue when the check is
// registered, else from the finding); one result per finding with kind and
// level from its status and severity, located at the target's tls:// URI.
// Targets that could not be scanned are tool execution notifications.

// SARIFSchema is the schema URI written in "$schema".
const SARIFSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// docsURI is where a rule without a reference of its own points.
const docsURI = "https://github.com/tlsaudit/tlsaudit/blob/main/checks/README.md"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name,omitempty"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      *sarifText        `json:"fullDescription,omitempty"`
	HelpURI              string            `json:"helpUri"`
	Help                 *sarifText        `json:"help,omitempty"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           sarifRuleProperty `json:"properties"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	Tags             []string `json:"tags"`
	SecuritySeverity string   `json:"security-severity"`
	Severity         string   `json:"severity"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Kind      string          `json:"kind"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
	// PartialFingerprints identify the result across runs (see
	// sarifFingerprint) so that dashboards track it instead of opening a
	// new alert on every scan.
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          sarifResultProp   `json:"properties"`
}

// sarifFingerprintKey names tlsaudit's fingerprint scheme; a new scheme
// gets a new version.
const sarifFingerprintKey = "tlsauditFinding/v1"

// sarifFingerprint is stable across runs for the same problem: the check,
// the endpoint (its URI) and the finding's subject (the certificate,
// suite or header it is about), never the detail text (which carries
// counts and days left).
func sarifFingerprint(ruleID, uri, subject string) map[string]string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + uri + "\x00" + subject))
	return map[string]string{sarifFingerprintKey: hex.EncodeToString(sum[:16])}
}

type sarifResultProp struct {
	Target  string `json:"target"`
	Status  string `json:"status"`
	Subject string `json:"subject,omitempty"`
	Grade   string `json:"grade,omitempty"`
	// Mozilla is the strictest Mozilla profile the target meets ("none").
	Mozilla string `json:"mozilla,omitempty"`
	// Policy is the gates' verdict on the target: "passed" or "failed".
	Policy string `json:"policy,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

// renderSARIF is the sarif format, its rules described from catalogue.
func renderSARIF(catalogue func(string) (checks.Meta, bool)) func([]*Report) ([]byte, error) {
	return func(reports []*Report) ([]byte, error) { return marshal(SARIF(reports, catalogue), "  ") }
}

// sarifVersion writes a tool version as SARIF consumers compare them,
// starting with a number: "v1.2.3" → "1.2.3", a build from a checkout
// "(devel) 0123456789ab" → "0.0.0-devel+0123456789ab".
func sarifVersion(v string) string {
	if rest, ok := strings.CutPrefix(v, "(devel)"); ok {
		out := "0.0.0-devel"
		if rev := strings.TrimSpace(rest); rev != "" {
			out += "+" + strings.ReplaceAll(rev, "+", ".")
		}
		return out
	}
	return strings.TrimPrefix(v, "v")
}

// SARIFLevel maps a failed finding's severity to a SARIF level.
func SARIFLevel(sev checks.Severity) string {
	switch sev {
	case checks.SeverityCritical, checks.SeverityHigh:
		return "error"
	case checks.SeverityMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity is the CVSS-like score GitHub code scanning reads.
var securitySeverity = map[checks.Severity]string{
	checks.SeverityCritical: "9.5", checks.SeverityHigh: "8.0", checks.SeverityMedium: "5.5",
	checks.SeverityLow: "3.0", checks.SeverityInfo: "0.0",
}

// sarifKind maps a finding status to a SARIF result kind.
var sarifKind = map[checks.Status]string{
	checks.StatusFail: "fail", checks.StatusPass: "pass", checks.StatusNotApplicable: "notApplicable",
	checks.StatusInconclusive: "review", checks.StatusError: "review",
}

// SARIF builds the SARIF log of reports, its rules described from
// catalogue (nil: all registered checks).
func SARIF(reports []*Report, catalogue func(checkID string) (checks.Meta, bool)) any {
	if catalogue == nil {
		catalogue = registeredMeta
	}
	driver := sarifDriver{Name: "tlsaudit", InformationURI: "https://github.com/tlsaudit/tlsaudit", Rules: []sarifRule{}}
	if len(reports) > 0 {
		driver.Name = firstNonEmpty(reports[0].Tool.Name, driver.Name)
		driver.Version = sarifVersion(reports[0].Tool.Version)
	}
	// Rules: one per check ID with findings, sorted by ID.
	firstSeen := map[string]checks.Finding{}
	for _, r := range reports {
		for _, f := range r.Findings {
			if _, ok := firstSeen[f.CheckID]; !ok {
				firstSeen[f.CheckID] = f
			}
		}
	}
	index := map[string]int{}
	for i, id := range sortedKeys(firstSeen) {
		index[id] = i
		driver.Rules = append(driver.Rules, sarifRuleOf(firstSeen[id], catalogue))
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, r := range reports {
		loc := []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: TargetURI(r.Target)}}}}
		if len(r.Findings) == 0 && r.Status != "ok" {
			inv.ExecutionSuccessful = false
			inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error", Locations: loc,
				Message: sarifText{Text: ciEntries(r)[0].Detail}})
			continue
		}
		letter, moz, pol := "", "", ""
		if r.Grade != nil {
			letter = string(r.Grade.Letter)
		}
		if r.Mozilla != nil {
			moz = firstNonEmpty(r.Mozilla.Meets, "none")
		}
		if r.Policy != nil {
			pol = "failed"
			if r.Policy.Passed {
				pol = "passed"
			}
			for _, v := range r.Policy.Violations {
				inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error", Locations: loc,
					Message: sarifText{Text: "policy: " + oneLine(v.String())}})
			}
		}
		for _, f := range r.Findings {
			level := "none"
			if f.Status == checks.StatusFail {
				level = SARIFLevel(f.Severity)
			}
			if f.Status == checks.StatusError {
				inv.ExecutionSuccessful = false
				inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error", Locations: loc,
					Message: sarifText{Text: f.CheckID + ": " + oneLine(f.Detail)}})
			}
			msg := oneLine(f.Title)
			if f.Subject != "" {
				msg += " (" + oneLine(f.Subject) + ")"
			}
			if f.Detail != "" {
				msg += ": " + oneLine(f.Detail)
			}
			run.Results = append(run.Results, sarifResult{
				RuleID: f.CheckID, RuleIndex: index[f.CheckID], Kind: sarifKind[f.Status], Level: level,
				Message: sarifText{Text: msg}, Locations: loc,
				PartialFingerprints: sarifFingerprint(f.CheckID, loc[0].PhysicalLocation.ArtifactLocation.URI, f.Subject),
				Properties: sarifResultProp{Target: r.TargetName(), Status: string(f.Status), Subject: oneLine(f.Subject), Grade: letter,
					Mozilla: moz, Policy: pol},
			})
		}
	}
	run.Invocations = []sarifInvocation{inv}
	return sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}}
}

// registeredMeta finds a registered check's catalogue entry.
func registeredMeta(id string) (checks.Meta, bool) {
	c, ok := all.Registry().Lookup(id)
	if !ok {
		return checks.Meta{}, false
	}
	return c.Meta(), true
}

// sarifRuleOf describes a check: from the catalogue when registered, else
// from one of its findings.
func sarifRuleOf(f checks.Finding, catalogue func(string) (checks.Meta, bool)) sarifRule {
	m := checks.Meta{ID: f.CheckID, Title: f.Title, Category: f.Category, Severity: f.Severity, Refs: f.Refs}
	if cm, ok := catalogue(f.CheckID); ok {
		m = cm
	}
	rule := sarifRule{
		ID: m.ID, ShortDescription: sarifText{Text: firstNonEmpty(m.Title, m.ID)}, HelpURI: docsURI,
		DefaultConfiguration: sarifRuleConfig{Level: SARIFLevel(m.Severity)},
		Properties:           sarifRuleProperty{Tags: []string{"security", "tls", m.Category}, SecuritySeverity: securitySeverity[m.Severity], Severity: string(m.Severity)},
	}
	if m.Description != "" {
		rule.FullDescription = &sarifText{Text: m.Description}
	}
	var refs []string
	for _, r := range m.Refs {
		if u := RefURL(r); u != "" && rule.HelpURI == docsURI {
			rule.HelpURI = u
		}
		refs = append(refs, r.ID)
	}
	if len(refs) > 0 {
		rule.Help = &sarifText{Text: "References: " + strings.Join(refs, ", ")}
	}
	return rule
}
