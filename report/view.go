package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// This file holds the presentation helpers shared by the text and HTML
// reports: score bars, the caps to fix for the next grade, the
// vulnerability and HTTP sections, and a generic, order-preserving view of
// observation sections (obs.Probes, obs.HTTP) so fields added to them later
// show up without a change here.

// scoreBar draws score (0-100) as a bar of width cells: █ filled, ░ empty.
func scoreBar(score, width int) string {
	score = max(0, min(100, score))
	full := (score*width + 50) / 100
	return strings.Repeat("█", full) + strings.Repeat("░", width-full)
}

// SubScore is one of the grade's sub-scores, for bars.
type SubScore struct {
	Name  string
	Score int
}

// SubScores lists the grade's three sub-scores in SSL Labs order.
func SubScores(g *grade.Grade) []SubScore {
	if g == nil || g.Letter == "" {
		return nil
	}
	return []SubScore{{"Protocol support", g.Protocol}, {"Key exchange", g.KeyExchange}, {"Cipher strength", g.Cipher}}
}

// findingsIn returns the findings of r whose category (or ID prefix) is cat,
// in report order (check ID order).
func findingsIn(r *Report, cat string) []checks.Finding {
	var out []checks.Finding
	for _, f := range r.Findings {
		if f.Category == cat || checks.CategoryOf(f.CheckID) == cat {
			out = append(out, f)
		}
	}
	return out
}

// Verdict is the short word a finding's status reads as in a section about
// vulnerabilities ("vulnerable") or features ("problem").
func Verdict(f checks.Finding, failWord string) string {
	switch f.Status {
	case checks.StatusFail:
		return failWord
	case checks.StatusPass:
		return "ok"
	case checks.StatusNotApplicable:
		return "n/a"
	case checks.StatusInconclusive:
		return "inconclusive"
	case checks.StatusError:
		return "error"
	}
	return string(f.Status)
}

// field is one named value of an observation section, flattened: nested
// objects give dotted names, lists of objects an index ("tests[1].name").
type field struct {
	Name  string
	Value string
}

// section is one named entry of an observation section (a probe result).
type section struct {
	Name   string
	Fields []field
}

// jsonFields flattens v (any JSON-serialisable value) into fields, keeping
// the declaration order of struct fields. Values are made one-line safe.
func jsonFields(v any) []field {
	b, err := json.Marshal(v)
	if err != nil {
		return []field{{Name: "error", Value: err.Error()}}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []field
	if err := flatten(dec, "", &out); err != nil {
		return []field{{Name: "error", Value: err.Error()}}
	}
	return out
}

// jsonSections splits a JSON object into its top-level members, each
// flattened (used for obs.Probes: one section per probe).
func jsonSections(v any) []section {
	var secs []section
	var cur *section
	for _, f := range jsonFields(v) {
		name, rest, _ := strings.Cut(f.Name, ".")
		if cur == nil || cur.Name != name {
			secs = append(secs, section{Name: name})
			cur = &secs[len(secs)-1]
		}
		cur.Fields = append(cur.Fields, field{Name: rest, Value: f.Value})
	}
	return secs
}

// flatten reads one JSON value from dec, appending its scalars to out.
func flatten(dec *json.Decoder, prefix string, out *[]field) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch d := tok.(type) {
	case json.Delim:
		if d == '{' {
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				if err := flatten(dec, join(kt.(string)), out); err != nil {
					return err
				}
			}
			_, err = dec.Token() // '}'
			return err
		}
		// A list: scalars are joined with ", "; objects get an index.
		var scalars []string
		for i := 0; dec.More(); i++ {
			var sub []field
			if err := flatten(dec, "", &sub); err != nil {
				return err
			}
			if len(sub) == 1 && sub[0].Name == "" {
				scalars = append(scalars, sub[0].Value)
				continue
			}
			for _, f := range sub {
				name := prefix + "[" + strconv.Itoa(i) + "]"
				if f.Name != "" {
					name += "." + f.Name
				}
				*out = append(*out, field{Name: name, Value: f.Value})
			}
		}
		if len(scalars) > 0 {
			*out = append(*out, field{Name: prefix, Value: strings.Join(scalars, ", ")})
		}
		_, err = dec.Token() // ']'
		return err
	case nil:
		return nil
	case string:
		*out = append(*out, field{Name: prefix, Value: oneLine(d)})
	default:
		*out = append(*out, field{Name: prefix, Value: fmt.Sprint(d)})
	}
	return nil
}

// attemptNames are the members of obs.Attempt, shown apart from the
// results.
var attemptNames = map[string]bool{"status": true, "reason": true, "connections": true}

// probeRow is one probe result for display: the attempt, and the other
// fields as "name=value" evidence.
type probeRow struct {
	Probe    string
	Attempt  string
	Reason   string
	Evidence []string
	// Fields are the evidence as name and value (the text report words them).
	Fields []field
}

// probeRows lists the probes of r's observation, in declaration order.
func probeRows(r *Report) []probeRow {
	if r.Observation == nil || r.Observation.Probes == nil {
		return nil
	}
	var rows []probeRow
	for _, s := range jsonSections(r.Observation.Probes) {
		row := probeRow{Probe: s.Name}
		for _, f := range s.Fields {
			switch {
			case f.Name == "status":
				row.Attempt = f.Value
			case f.Name == "reason":
				row.Reason = f.Value
			case attemptNames[f.Name]:
			default:
				row.Evidence = append(row.Evidence, f.Name+"="+f.Value)
				row.Fields = append(row.Fields, f)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// headerName turns a snake_case JSON name into an HTTP header name
// (strict_transport_security → Strict-Transport-Security).
func headerName(jsonName string) string {
	parts := strings.Split(jsonName, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

// httpView is the HTTP section of a report for display.
type httpView struct {
	// Request: attempt status, URL, status line, TLS, ALPN, sizes (every
	// member that is not a header list, cookie or plain-HTTP result).
	Request []field
	// Headers: security-relevant headers as received, one row per line.
	Headers []field
	Cookies []field
	Plain   []field
}

// httpHeaderFields are the obs.HTTP members that are raw header lists.
var httpHeaderFields = map[string]bool{
	"strict_transport_security": true, "public_key_pins": true, "public_key_pins_report_only": true,
	"content_encoding": true, "location": true, "server": true, "x_powered_by": true,
	"content_security_policy": true, "content_security_policy_report_only": true,
	"x_frame_options": true, "x_content_type_options": true, "referrer_policy": true,
	"permissions_policy": true, "expect_ct": true, "cross_origin_opener_policy": true,
	"cross_origin_embedder_policy": true,
}

// httpOf builds the HTTP view of r, nil when the observation has none.
func httpOf(r *Report) *httpView {
	if r.Observation == nil || r.Observation.HTTP == nil {
		return nil
	}
	v := &httpView{}
	h := r.Observation.HTTP
	// Header lists are read per line (jsonFields would join them).
	b, _ := json.Marshal(h)
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(b, &raw)
	for _, f := range jsonFields(h) {
		top, rest, _ := strings.Cut(f.Name, ".")
		base, _, _ := strings.Cut(top, "[")
		switch {
		case httpHeaderFields[base]:
			if f.Name != base {
				continue
			}
			var lines []string
			_ = json.Unmarshal(raw[base], &lines)
			for _, l := range lines {
				v.Headers = append(v.Headers, field{Name: headerName(base), Value: oneLine(l)})
			}
		case base == "cookies":
		case base == "plain_http":
			v.Plain = append(v.Plain, field{Name: rest, Value: f.Value})
		default:
			v.Request = append(v.Request, f)
		}
	}
	v.Cookies = cookieRows(h.Cookies)
	return v
}

// cookieRows describes each cookie by its attributes (never its value).
func cookieRows(cs []obs.Cookie) []field {
	var out []field
	for _, c := range cs {
		var attrs []string
		attrs = append(attrs, "Secure "+yesNo(c.Secure), "HttpOnly "+yesNo(c.HTTPOnly))
		ss := c.SameSite
		if ss == "" {
			ss = "(absent)"
		}
		attrs = append(attrs, "SameSite "+oneLine(ss))
		out = append(out, field{Name: oneLine(c.Name), Value: strings.Join(attrs, ", ")})
	}
	return out
}

// severityOrder lists severities from most to least severe.
var severityOrder = []checks.Severity{checks.SeverityCritical, checks.SeverityHigh, checks.SeverityMedium, checks.SeverityLow, checks.SeverityInfo}

// severityGroup is the failed findings of one severity.
type severityGroup struct {
	Severity checks.Severity
	Findings []checks.Finding
}

// failedBySeverity groups r's failed findings by severity, most severe first,
// leaving out empty groups.
func failedBySeverity(r *Report) []severityGroup {
	by := map[checks.Severity][]checks.Finding{}
	var other []checks.Finding
	for _, f := range r.Failed() {
		if f.Severity.Rank() < 0 {
			other = append(other, f)
			continue
		}
		by[f.Severity] = append(by[f.Severity], f)
	}
	var out []severityGroup
	for _, s := range severityOrder {
		if len(by[s]) > 0 {
			out = append(out, severityGroup{s, by[s]})
		}
	}
	if len(other) > 0 {
		out = append(out, severityGroup{"unknown", other})
	}
	return out
}

// statusCounts counts findings per status, in a fixed order.
func statusCounts(fs []checks.Finding) []field {
	n := map[checks.Status]int{}
	for _, f := range fs {
		n[f.Status]++
	}
	order := []checks.Status{checks.StatusFail, checks.StatusPass, checks.StatusInconclusive, checks.StatusNotApplicable, checks.StatusError}
	out := make([]field, 0, len(order))
	for _, s := range order {
		out = append(out, field{Name: string(s), Value: strconv.Itoa(n[s])})
	}
	return out
}

// sortedKeys returns the keys of m sorted (map iteration never reaches output).
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// writeAll writes b to w.
func writeAll(w io.Writer, b []byte) error {
	_, err := w.Write(b)
	return err
}
