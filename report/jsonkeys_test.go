package report_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tlsaudit/tlsaudit/report"
)

// snakeCase is the form of every JSON member name of a report.
var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// dataKeyed are the objects whose member names are data (a trust store,
// a profile name...), not field names; their values are still walked.
var dataKeyed = map[string]bool{
	"[].observation.connections_by_phase": true, // "probe:heartbleed": 3
	"[].observation.elapsed_ms_by_phase":  true,
}

// TestJSONKeysSnakeCase walks every member name of the JSON of a real
// report (a loopback scan with every check run) and all are snake_case, and no member carries secrets (master secrets, keys).
func TestJSONKeysSnakeCase(t *testing.T) {
	r := scanHostile(t)
	b, err := json.Marshal([]*report.Report{r})
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the JSON report does not parse: %v", err)
	}
	bad := map[string]bool{}
	n := 0
	walkKeys(doc, "", func(path, key string, val any) {
		n++
		if !snakeCase.MatchString(key) {
			bad[path+"."+key] = true
		}
		// A flag such as extended_master_secret: true is no secret; a
		// string or object under such a name would be.
		if _, flag := val.(bool); flag {
			return
		}
		for _, secret := range []string{"master_secret", "private_key", "premaster", "password", "session_key"} {
			if strings.Contains(key, secret) {
				bad[path+"."+key+" (secret)"] = true
			}
		}
	})
	if n < 200 {
		t.Fatalf("walked only %d member names: the report is too small to judge", n)
	}
	var list []string
	for k := range bad {
		list = append(list, k)
	}
	sort.Strings(list)
	for _, k := range list {
		t.Errorf("member name is not snake_case or is secret: %s", k)
	}
}

// walkKeys calls fn for each member name of every object under v; path
// names the object with array indexes left out.
func walkKeys(v any, path string, fn func(path, key string, val any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if dataKeyed[path] {
				walkKeys(e, path+".*", fn)
				continue
			}
			fn(path, k, e)
			walkKeys(e, path+"."+k, fn)
		}
	case []any:
		for _, e := range x {
			walkKeys(e, path+"[]", fn)
		}
	}
}
