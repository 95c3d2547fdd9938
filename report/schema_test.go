package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaRoot is schema/v1.json compiled by a maintained JSON Schema
// (2020-12) validator, so that every keyword the schema uses is enforced.
type schemaRoot struct{ s *jsonschema.Schema }

func loadSchema(t *testing.T) *schemaRoot {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("schema", "v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("schema/v1.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("v1.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("v1.json")
	if err != nil {
		t.Fatalf("schema/v1.json does not compile: %v", err)
	}
	return &schemaRoot{sch}
}

// validate returns one line per violation, "path.to.field: message", the
// path written from name as Go would index it (name.findings[0].severity).
func (root *schemaRoot) validate(v any, name string) []string {
	err := root.s.Validate(normalise(v))
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []string{err.Error()}
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 { // a leaf: the failed keyword itself
			out = append(out, instancePath(name, e.InstanceLocation)+": "+e.ErrorKind.LocalizedString(englishPrinter))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// normalise re-decodes v with numbers as json.Number, as the validator
// expects of decoded documents.
func normalise(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return v
	}
	return out
}

var englishPrinter = message.NewPrinter(language.English)

// instancePath turns an instance location ([findings 0 severity]) into
// name.findings[0].severity.
func instancePath(name string, loc []string) string {
	p := name
	for _, tok := range loc {
		if tok == "" {
			continue
		}
		if _, err := strconv.Atoi(tok); err == nil {
			p += "[" + tok + "]"
		} else if p == "" {
			p = tok
		} else {
			p += "." + tok
		}
	}
	return p
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
		for _, e := range root.validate(d, fmt.Sprintf("doc%d", i)) {
			t.Error(e)
		}
	}
}

// TestSchemaRejects proves the validator and schema catch broken reports.
func TestSchemaRejects(t *testing.T) {
	root := loadSchema(t)
	good := decodeAny(t, render(t, "jsonl", Style{}, loadReport(t, "legacy")))
	if errs := root.validate(good, "r"); len(errs) > 0 {
		t.Fatalf("legacy report invalid: %v", errs)
	}
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"unknown status", func(m map[string]any) { m["status"] = "fine" }, `r.status: value must be one of`},
		{"missing tool", func(m map[string]any) { delete(m, "tool") }, `r: missing property 'tool'`},
		{"renamed field", func(m map[string]any) { m["findings_list"] = m["findings"]; delete(m, "findings") }, `additional properties 'findings_list' not allowed`},
		{"port out of range", func(m map[string]any) { m["target"].(map[string]any)["port"] = 70000.0 }, `r.target.port: maximum: got 70,000, want 65,535`},
		{"bad severity", func(m map[string]any) {
			m["findings"].([]any)[0].(map[string]any)["severity"] = "dire"
		}, `r.findings[0].severity: value must be one of`},
		{"suite id type", func(m map[string]any) {
			p := m["observation"].(map[string]any)["protocols"].([]any)[2].(map[string]any)
			p["suites"].([]any)[0].(map[string]any)["id"] = "0x0039"
		}, `r.observation.protocols[2].suites[0].id: got string, want integer`},
		{"suite key bits type", func(m map[string]any) {
			p := m["observation"].(map[string]any)["protocols"].([]any)[2].(map[string]any)
			p["suites"].([]any)[0].(map[string]any)["key_bits"] = "112"
		}, `r.observation.protocols[2].suites[0].key_bits: got string, want integer`},
		{"suite openssl name type", func(m map[string]any) {
			p := m["observation"].(map[string]any)["protocols"].([]any)[2].(map[string]any)
			p["suites"].([]any)[0].(map[string]any)["openssl_name"] = 1.0
		}, `r.observation.protocols[2].suites[0].openssl_name: got`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := decodeAny(t, render(t, "jsonl", Style{}, loadReport(t, "legacy"))).(map[string]any)
			tc.mutate(m)
			errs := strings.Join(root.validate(m, "r"), "\n")
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
	return root.validate(decodeAny(t, b), "report")
}
