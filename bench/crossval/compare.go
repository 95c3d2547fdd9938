package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// row is one compared item of one target.
type row struct {
	target, item string
	values       []string // per tool in tools order; "" = not reported
	agree        bool
	details      []string // what differs, for disagreements
	why          string   // known cause of a disagreement (explain.go)
}

var toolOrder = []string{"tlsaudit", "sslscan", "nmap", "testssl"}

func compare(targetsFile string, only map[string]bool, bin, testsslDir, outDir string) error {
	b, err := os.ReadFile(targetsFile)
	if err != nil {
		return err
	}
	var targets []target
	if err := json.Unmarshal(b, &targets); err != nil {
		return fmt.Errorf("%s: %w", targetsFile, err)
	}
	if outDir == "" {
		if outDir, err = os.MkdirTemp("", "crossval-"); err != nil {
			return err
		}
	}
	var rows []row
	for _, t := range targets {
		if len(only) > 0 && !only[t.Name] {
			continue
		}
		dir := filepath.Join(outDir, t.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "crossval: %s (%s)\n", t.Name, t.Addr)
		fs := []*facts{runTLSAudit(bin, dir, t), runSSLScan(dir, t), runNmap(dir, t), nil}
		// The first complete testssl.sh result among the directories.
		for _, d := range strings.Split(testsslDir, ",") {
			if d == "" {
				continue
			}
			if f := readTestssl(filepath.Join(d, t.Name+".json")); f != nil && (fs[3] == nil || fs[3].err != "") {
				fs[3] = f
			}
		}
		rows = append(rows, compareTarget(t, fs)...)
	}
	printTable(os.Stdout, rows)
	fmt.Fprintf(os.Stderr, "crossval: raw outputs in %s\n", outDir)
	return nil
}

// compareTarget builds the rows of one target from each tool's facts (nil:
// the tool did not run).
func compareTarget(t target, fs []*facts) []row {
	var rows []row
	add := func(item string, get func(f *facts) (string, bool), detail func(fs []*facts) []string) {
		r := row{target: t.Name, item: item, values: make([]string, len(fs))}
		var seen []string
		for i, f := range fs {
			if f == nil || f.err != "" {
				continue
			}
			if v, ok := get(f); ok && v != "" {
				r.values[i] = v
				if !slices.Contains(seen, v) {
					seen = append(seen, v)
				}
			}
		}
		if r.values[0] == "" && len(seen) == 0 {
			return
		}
		r.agree = len(seen) == 1 && r.values[0] != ""
		if !r.agree && detail != nil {
			r.details = detail(fs)
		}
		if !r.agree {
			r.why = explain(t, r)
		}
		rows = append(rows, r)
	}
	// Errors of tools first.
	for i, f := range fs {
		if f != nil && f.err != "" {
			r := row{target: t.Name, item: "error", values: errValues(len(fs), i, f.err), agree: false,
				details: []string{toolOrder[i] + ": " + f.err}}
			r.why = explain(t, r)
			rows = append(rows, r)
		}
	}
	// One row per protocol: each tool says yes or no for what it tested
	// (nmap's ssl-enum-ciphers does not test SSLv2).
	for _, p := range protoNames {
		add(p, func(f *facts) (string, bool) {
			if f.tool == "nmap" && p == "SSLv2" {
				return "", false
			}
			return lookupBool(f.protocols, p, "yes", "no")
		}, nil)
	}
	for _, p := range protoNames {
		if !anySupports(fs, p) {
			continue
		}
		suitesOf := func(f *facts) ([]uint16, bool) {
			sup, known := f.protocols[p]
			// sslscan (OpenSSL 3) cannot list SSLv2 kinds or SSLv3 suites.
			if !known || f.noSuites || f.tool == "sslscan" && (p == "SSLv2" || p == "SSLv3") {
				return nil, false
			}
			if !sup {
				return []uint16{}, true
			}
			return f.suites[p], true
		}
		add("suites "+p, func(f *facts) (string, bool) {
			s, ok := suitesOf(f)
			if !ok {
				return "", false
			}
			ids := slices.Clone(s)
			slices.Sort(ids)
			return fmt.Sprintf("%d:%x", len(ids), ids), true
		}, func(fs []*facts) []string {
			var out []string
			base, _ := suitesOf(fs[0])
			for i, f := range fs[1:] {
				if f == nil || f.err != "" {
					continue
				}
				s, ok := suitesOf(f)
				if !ok {
					continue
				}
				onlyTA, onlyPeer := setDiff(base, s)
				if len(onlyTA) > 0 {
					out = append(out, fmt.Sprintf("%s %s: only tlsaudit: %s", p, toolOrder[i+1], suiteNames(p, onlyTA)))
				}
				if len(onlyPeer) > 0 {
					out = append(out, fmt.Sprintf("%s %s: only %s: %s", p, toolOrder[i+1], toolOrder[i+1], suiteNames(p, onlyPeer)))
				}
			}
			return out
		})
		add("order "+p, func(f *facts) (string, bool) { return lookupBool(f.serverOrder, p, "server", "client") }, nil)
		// The preferred suite (sslscan labels one) and, where a tool lists
		// them, the whole server preference order.
		add("preferred "+p, func(f *facts) (string, bool) {
			if len(f.preference[p]) == 0 {
				return "", false
			}
			return registry.SuiteName(f.preference[p][0]), true
		}, nil)
		add("preference list "+p, func(f *facts) (string, bool) {
			if len(f.preference[p]) < 2 {
				return "", false
			}
			return fmt.Sprintf("%d:%x", len(f.preference[p]), f.preference[p]), true
		}, func(fs []*facts) []string {
			var out []string
			for i, f := range fs {
				if f != nil && len(f.preference[p]) >= 2 {
					out = append(out, fmt.Sprintf("%s %s: %s", p, toolOrder[i], suiteList(f.preference[p])))
				}
			}
			return out
		})
	}
	groupRow := func(item string, get func(f *facts) []uint16) {
		add(item, func(f *facts) (string, bool) {
			g := get(f)
			if g == nil {
				return "", false
			}
			// The peers cannot test post-quantum groups: leave them out.
			ids := []uint16{}
			for _, id := range g {
				if gr, ok := registry.GroupByID(id); !ok || !gr.PostQuantum {
					ids = append(ids, id)
				}
			}
			slices.Sort(ids)
			return groupList(ids), true
		}, nil)
	}
	// sslscan tests only elliptic curves below TLS 1.3: FFDHE groups
	// (RFC 7919) at TLS 1.2 are compared through the DH sizes instead.
	groupRow("groups TLS<=1.2", func(f *facts) []uint16 { return withoutFFDHE(f.groups12) })
	groupRow("groups TLS1.3", func(f *facts) []uint16 { return f.groups13 })
	groupRow("EC curves (classic)", func(f *facts) []uint16 {
		if f.ecCurves != nil {
			return classicEC(f.ecCurves)
		}
		if f.groups12 == nil && f.groups13 == nil {
			return nil
		}
		return classicEC(append(slices.Clone(f.groups12), f.groups13...))
	})
	add("leaf certificate", func(f *facts) (string, bool) { return f.leaf, f.leaf != "" }, nil)
	add("DH bits", func(f *facts) (string, bool) {
		if f.dhBits == nil {
			return "", false
		}
		return intsStr(f.dhBits), true
	}, nil)
	names := append(slices.Clone(verdictNames), "beast")
	for _, v := range names {
		add(v, func(f *facts) (string, bool) { return lookupBool(f.verdicts, v, "VULN", "ok") }, nil)
	}
	// A verdict only tlsaudit reports is no comparison.
	out := rows[:0]
	for _, r := range rows {
		n := 0
		for _, v := range r.values {
			if v != "" {
				n++
			}
		}
		if n >= 2 || r.item == "error" || (n == 1 && r.values[0] == "") {
			out = append(out, r)
		}
	}
	return out
}

// lookupBool names m[key] yes or no; false when key is absent.
func lookupBool(m map[string]bool, key, yes, no string) (string, bool) {
	b, ok := m[key]
	if !ok {
		return "", false
	}
	if b {
		return yes, true
	}
	return no, true
}

func withoutFFDHE(ids []uint16) []uint16 {
	if ids == nil {
		return nil
	}
	out := []uint16{}
	for _, id := range ids {
		if g, ok := registry.GroupByID(id); !ok || g.Kind != "ffdhe" {
			out = append(out, id)
		}
	}
	return out
}

// classicEC keeps the classic elliptic curves (no FFDHE, no post-quantum
// hybrids): the only groups testssl.sh 3.0 can test.
func classicEC(ids []uint16) []uint16 {
	out := []uint16{}
	for _, id := range ids {
		if g, ok := registry.GroupByID(id); ok && (g.Kind == "ec" || g.Kind == "ecx") && !g.PostQuantum {
			addUnique(&out, id)
		}
	}
	return out
}

func anySupports(fs []*facts, p string) bool {
	for _, f := range fs {
		if f != nil && f.err == "" && f.protocols[p] {
			return true
		}
	}
	return false
}

func suiteNames(p string, ids []uint16) string {
	if p != "SSLv2" {
		return suiteList(ids)
	}
	var out []string
	for _, id := range ids {
		out = append(out, fmt.Sprintf("0x%06x", id))
	}
	return strings.Join(out, " ")
}

func errValues(n, i int, msg string) []string {
	v := make([]string, n)
	v[i] = "ERROR"
	return v
}

// printTable writes the rows as a Markdown table, then the details of every
// disagreement.
func printTable(w *os.File, rows []row) {
	fmt.Fprintf(w, "| target | item | %s | agree | known cause |\n|---|---|%s---|---|\n", strings.Join(toolOrder, " | "), strings.Repeat("---|", len(toolOrder)))
	agree, disagree := 0, 0
	for _, r := range rows {
		mark := "yes"
		if !r.agree {
			mark, disagree = "**NO**", disagree+1
		} else {
			agree++
		}
		vals := make([]string, len(r.values))
		for i, v := range r.values {
			vals[i] = short(v)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r.target, r.item, strings.Join(vals, " | "), mark, r.why)
	}
	explained := 0
	for _, r := range rows {
		if !r.agree && r.why != "" {
			explained++
		}
	}
	fmt.Fprintf(w, "\n%d items agree, %d disagree (%d with a known cause)\n\n", agree, disagree, explained)
	for _, r := range rows {
		if r.agree {
			continue
		}
		fmt.Fprintf(w, "- %s / %s:", r.target, r.item)
		for i, v := range r.values {
			if v != "" {
				fmt.Fprintf(w, " %s=%s;", toolOrder[i], v)
			}
		}
		fmt.Fprintln(w)
		for _, d := range r.details {
			fmt.Fprintf(w, "    %s\n", d)
		}
	}
}

// short abbreviates a suite-set value to its count.
func short(v string) string {
	if i := strings.IndexByte(v, ':'); i > 0 && strings.HasPrefix(v[i:], ":[") {
		return v[:i]
	}
	return v
}
