package serve

import (
	"net/url"
	"testing"
)

func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"example.com", "example.com:8443", "[::1]:443", "::1", "192.0.2.1:1", "a..b", "[fe80::1%eth0]:443", "x:0", "-a.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hp, err := ParseHost(s)
		if err != nil {
			return
		}
		if hp.Port < 1 || hp.Port > 65535 || hp.Host == "" {
			t.Fatalf("ParseHost(%q) = %+v", s, hp)
		}
		// The stored key parses back to the same target.
		again, err := ParseHost(hp.Key())
		if err != nil || again != hp {
			t.Fatalf("key %q of %q reparses to %+v, %v", hp.Key(), s, again, err)
		}
	})
}

func FuzzAnalyzeQuery(f *testing.F) {
	for _, s := range []string{"host=a.com&startNew=on&all=done", "host=a.com&fromCache=on&maxAge=5", "host=&all=x", "maxAge=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, errs := parseAnalyze(q)
		if len(errs) == 0 && (p.hp.Host == "" || p.startNew && p.fromCache || p.maxAge < 0) {
			t.Fatalf("accepted %q as %+v", raw, p)
		}
	})
}

func FuzzParseAllow(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8,127.0.0.1", "intranet.example, ::1", "0.0.0.0/0", "a,,b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ParseAllow(s) //nolint:errcheck // must not panic
	})
}
