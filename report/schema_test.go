package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A validator for the subset of JSON Schema (2020-12) that schema/v1.json
// uses: type (one or a list), properties, required, additionalProperties
// (boolean), items, enum, minimum, maximum and local $ref ("#/$defs/x").

type schemaNode struct {
	Ref                  string                 `json:"$ref"`
	Type                 json.RawMessage        `json:"type"`
	Properties           map[string]*schemaNode `json:"properties"`
	Required             []string               `json:"required"`
	AdditionalProperties *bool                  `json:"additionalProperties"`
	Items                *schemaNode            `json:"items"`
	Enum                 []any                  `json:"enum"`
	Minimum              *float64               `json:"minimum"`
	Maximum              *float64               `json:"maximum"`
	Defs                 map[string]*schemaNode `json:"$defs"`
}

// supportedKeywords are the keywords validate understands; loadSchema rejects
// a schema using any other, so the schema cannot silently outgrow the test.
var supportedKeywords = map[string]bool{
	"$schema": true, "$id": true, "title": true, "description": true, "$ref": true, "type": true,
	"properties": true, "required": true, "additionalProperties": true, "items": true,
	"enum": true, "minimum": true, "maximum": true, "$defs": true,
}

func loadSchema(t *testing.T) *schemaNode {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("schema", "v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("schema/v1.json: %v", err)
	}
	checkKeywords(t, raw, "#")
	var s schemaNode
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// checkKeywords walks the schema's subschemas and fails on an unknown keyword.
func checkKeywords(t *testing.T, v any, path string) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, sub := range m {
		if !supportedKeywords[k] {
			t.Fatalf("schema %s uses keyword %q, which the test validator does not implement", path, k)
		}
		switch k {
		case "properties", "$defs":
			for name, s := range sub.(map[string]any) {
				checkKeywords(t, s, path+"/"+k+"/"+name)
			}
		case "items":
			checkKeywords(t, sub, path+"/items")
		}
	}
}

func (root *schemaNode) validate(s *schemaNode, v any, path string) []string {
	if s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, "#/$defs/")
		def := root.Defs[name]
		if !ok || def == nil {
			return []string{fmt.Sprintf("%s: unresolvable $ref %q", path, s.Ref)}
		}
		return root.validate(def, v, path)
	}
	var errs []string
	if len(s.Type) > 0 {
		var types []string
		if err := json.Unmarshal(s.Type, &types); err != nil {
			var one string
			_ = json.Unmarshal(s.Type, &one)
			types = []string{one}
		}
		if !hasType(v, types) {
			return []string{fmt.Sprintf("%s: %s is not of type %v", path, jsonKind(v), types)}
		}
	}
	if s.Enum != nil {
		found := false
		for _, e := range s.Enum {
			if e == v {
				found = true
			}
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", path, v, s.Enum))
		}
	}
	if n, ok := v.(float64); ok {
		if s.Minimum != nil && n < *s.Minimum {
			errs = append(errs, fmt.Sprintf("%s: %v < minimum %v", path, n, *s.Minimum))
		}
		if s.Maximum != nil && n > *s.Maximum {
			errs = append(errs, fmt.Sprintf("%s: %v > maximum %v", path, n, *s.Maximum))
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for _, r := range s.Required {
			if _, ok := x[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s: missing required %q", path, r))
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := s.Properties[k]; ok {
				errs = append(errs, root.validate(p, x[k], path+"."+k)...)
			} else if s.AdditionalProperties != nil && !*s.AdditionalProperties {
				errs = append(errs, fmt.Sprintf("%s: unexpected property %q", path, k))
			}
		}
	case []any:
		if s.Items != nil {
			for i, e := range x {
				errs = append(errs, root.validate(s.Items, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func hasType(v any, types []string) bool {
	k := jsonKind(v)
	for _, t := range types {
		if t == k || (t == "number" && k == "integer") {
			return true
		}
	}
	return false
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestGoldenJSONMatchesSchema validates every golden json and jsonl output
// against schema/v1.json.
func TestGoldenJSONMatchesSchema(t *testing.T) {
	root := loadSchema(t)
	var docs []any
	for _, name := range cases {
		b, err := os.ReadFile(filepath.Join(goldenDir, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		arr, ok := decodeAny(t, b).([]any)
		if !ok {
			t.Fatalf("%s.json is not an array", name)
		}
		docs = append(docs, arr...)
	}
	// The diff fixtures are json outputs too.
	for _, name := range []string{"diff.old.json", "diff.new.json"} {
		b, err := os.ReadFile(filepath.Join(goldenDir, name))
		if err != nil {
			t.Fatal(err)
		}
		arr, ok := decodeAny(t, b).([]any)
		if !ok {
			t.Fatalf("%s is not an array", name)
		}
		docs = append(docs, arr...)
	}
	b, err := os.ReadFile(filepath.Join(goldenDir, "all.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		docs = append(docs, decodeAny(t, line))
	}
	if len(docs) != 2*len(cases)+6 {
		t.Fatalf("validated %d documents, want %d", len(docs), 2*len(cases)+6)
	}
	for i, d := range docs {
		for _, e := range root.validate(root, d, fmt.Sprintf("doc%d", i)) {
			t.Error(e)
		}
	}
}

// TestSchemaRejects proves the validator and schema catch broken reports.
func TestSchemaRejects(t *testing.T) {
	root := loadSchema(t)
	good := decodeAny(t, render(t, "jsonl", Style{}, loadReport(t, "legacy")))
	if errs := root.validate(root, good, "r"); len(errs) > 0 {
		t.Fatalf("legacy report invalid: %v", errs)
	}
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"unknown status", func(m map[string]any) { m["status"] = "fine" }, `r.status: fine is not one of`},
		{"missing tool", func(m map[string]any) { delete(m, "tool") }, `r: missing required "tool"`},
		{"renamed field", func(m map[string]any) { m["findings_list"] = m["findings"]; delete(m, "findings") }, `unexpected property "findings_list"`},
		{"port out of range", func(m map[string]any) { m["target"].(map[string]any)["port"] = 70000.0 }, `r.target.port: 70000 > maximum 65535`},
		{"bad severity", func(m map[string]any) {
			m["findings"].([]any)[0].(map[string]any)["severity"] = "dire"
		}, `r.findings[0].severity: dire is not one of`},
		{"suite id type", func(m map[string]any) {
			p := m["observation"].(map[string]any)["protocols"].([]any)[2].(map[string]any)
			p["suites"].([]any)[0].(map[string]any)["id"] = "0x0039"
		}, `r.observation.protocols[2].suites[0].id: string is not of type [integer]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := decodeAny(t, render(t, "jsonl", Style{}, loadReport(t, "legacy"))).(map[string]any)
			tc.mutate(m)
			errs := strings.Join(root.validate(root, m, "r"), "\n")
			if !strings.Contains(errs, tc.want) {
				t.Errorf("errors %q, want one containing %q", errs, tc.want)
			}
		})
	}
}

// ValidateJSON validates one report's JSON against schema/v1.json; the
// external test package uses it on reports from real scans.
func ValidateJSON(t *testing.T, b []byte) []string {
	t.Helper()
	root := loadSchema(t)
	return root.validate(root, decodeAny(t, b), "report")
}
