package report_test

import (
	"encoding/json"
	"testing"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// TestJSONSuitesCarryOpenSSLNameAndKeyBits: in the JSON of a real scan of
// a loopback Go server, every accepted suite carries the OpenSSL name and
// key bits the registry gives its code point, as typed fields, and the
// report still matches the schema.
func TestJSONSuitesCarryOpenSSLNameAndKeyBits(t *testing.T) {
	js := validJSONL(t, scanHostile(t))
	var doc struct {
		Observation struct {
			Protocols []struct {
				Name   string `json:"name"`
				Suites []struct {
					ID          uint16 `json:"id"`
					Name        string `json:"name"`
					OpenSSLName string `json:"openssl_name"`
					KeyBits     *int   `json:"key_bits"`
				} `json:"suites"`
			} `json:"protocols"`
		} `json:"observation"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range doc.Observation.Protocols {
		for _, s := range p.Suites {
			n++
			info, ok := registry.SuiteByID(s.ID)
			if !ok {
				t.Fatalf("%s: suite 0x%04x not in the registry", p.Name, s.ID)
			}
			if s.OpenSSLName == "" || s.OpenSSLName != info.OpenSSLName {
				t.Errorf("%s %s: openssl_name %q, want %q", p.Name, s.Name, s.OpenSSLName, info.OpenSSLName)
			}
			if s.KeyBits == nil || *s.KeyBits != info.Bits || *s.KeyBits < 128 {
				t.Errorf("%s %s: key_bits %v, want %d", p.Name, s.Name, s.KeyBits, info.Bits)
			}
		}
	}
	if n < 2 {
		t.Fatalf("the scan recorded %d suites: the test would prove nothing", n)
	}
}
