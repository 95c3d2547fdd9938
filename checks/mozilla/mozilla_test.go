package mozilla

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsaudit/tlsaudit/checks/checktest"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

func TestEmbeddedProfiles(t *testing.T) {
	for _, name := range Profiles() {
		p, ok := Lookup(name)
		if !ok {
			t.Fatalf("profile %s missing", name)
		}
		if p.TLSCurves[0] != "X25519MLKEM768" || len(p.Ciphersuites) != 3 || p.HSTSMinAge != 63072000 {
			t.Errorf("%s: unexpected groups/suites/HSTS: %+v", name, p)
		}
		for _, n := range append(slices.Clone(p.Ciphers.IANA), p.Ciphersuites...) {
			if s, ok := registry.SuiteByName(n); !ok || s.OpenSSLName == "" {
				t.Errorf("%s: suite %s unknown to the registry or without an OpenSSL name", name, n)
			}
		}
	}
	want := map[string]struct {
		version string
		suites  int
		dh      int
		order   bool
	}{"modern": {"6.0", 0, 0, false}, "intermediate": {"6.0", 6, 2048, false}, "old": {"5.8", 21, 2048, true}}
	for name, w := range want {
		p, _ := Lookup(name)
		if p.Version != w.version || len(p.Ciphers.IANA) != w.suites || p.DHParamSize != w.dh || p.ServerPreferredOrder != w.order {
			t.Errorf("%s: version %s, %d suites, DH %d, server order %v; want %+v", name, p.Version, len(p.Ciphers.IANA), p.DHParamSize, p.ServerPreferredOrder, w)
		}
	}
}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name, fixture, profile string
		edit                   func(o *obs.Observation)
		compliant              bool
		fields                 []string
		deviation              string // substring of some deviation
		err                    string
	}{
		{name: "modern server, intermediate profile", fixture: "modern", profile: "intermediate", compliant: true},
		{name: "modern server, modern profile", fixture: "modern", profile: "modern",
			fields:    []string{"certificate_signatures", "certificate_types", "ciphers", "tls_versions"},
			deviation: "protocols TLSv1.2 must be disabled (allowed: TLSv1.3)"},
		{name: "TLS 1.3-only ECDSA server, modern profile", fixture: "modern", profile: "modern", compliant: true,
			edit: func(o *obs.Observation) {
				o.Protocols[4].Supported, o.Protocols[4].Suites = false, nil
				c := &o.Chains[0].Certificates[0]
				c.KeyType, c.KeyBits, c.Curve, c.SigAlg = "ECDSA", 256, "P-256", "ECDSA-SHA256"
			}},
		{name: "FFDHE 2048 in TLS 1.3 is DHE within the intermediate DH size", fixture: "modern", profile: "intermediate", compliant: true,
			edit: func(o *obs.Observation) {
				o.Groups.TLS13 = append(o.Groups.TLS13, obs.Group{ID: 0x0100, Name: "ffdhe2048", Bits: 2048})
			}},
		{name: "FFDHE in TLS 1.3 under modern, which allows no DHE", fixture: "modern", profile: "modern",
			edit: func(o *obs.Observation) {
				o.Protocols[4].Supported, o.Protocols[4].Suites = false, nil
				c := &o.Chains[0].Certificates[0]
				c.KeyType, c.KeyBits, c.Curve, c.SigAlg = "ECDSA", 256, "P-256", "ECDSA-SHA256"
				o.Groups.TLS13 = append(o.Groups.TLS13, obs.Group{ID: 0x0100, Name: "ffdhe2048", Bits: 2048})
			},
			fields: []string{"tls_curves"}, deviation: "ffdhe2048"},
		{name: "legacy server, intermediate profile", fixture: "legacy", profile: "intermediate",
			fields:    []string{"ciphers", "dh_param_size", "tls_curves", "tls_versions"},
			deviation: "cipher suites not in the profile must be disabled: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
		{name: "legacy server, old profile", fixture: "legacy", profile: "old",
			fields:    []string{"ciphers", "dh_param_size", "tls_curves", "tls_versions"},
			deviation: "cipher suites not in the profile must be disabled: TLS_DHE_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA"},
		{name: "old profile wants server order", fixture: "legacy", profile: "old",
			edit:      func(o *obs.Observation) { o.Protocols[2].ServerOrder = new(bool) },
			fields:    []string{"ciphers", "dh_param_size", "server_preferred_order", "tls_curves", "tls_versions"},
			deviation: "TLSv1.0: the server must enforce its cipher order"},
		{name: "DH 1024 deviation", fixture: "legacy", profile: "intermediate",
			deviation: "DH parameters must be at least 2048 bits (ffdhe2048): 1024-bit prime (modp1024)"},
		{name: "weak curve deviation", fixture: "legacy", profile: "intermediate", deviation: "groups not in the profile must be disabled: secp192r1"},
		{name: "TLS 1.3 missing", fixture: "legacy", profile: "intermediate", deviation: "TLSv1.3 must be enabled"},
		{name: "certificate lifespan", fixture: "modern", profile: "intermediate",
			edit: func(o *obs.Observation) {
				c := &o.Chains[0].Certificates[0]
				c.NotBefore = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				c.NotAfter = c.NotBefore.AddDate(0, 0, 400)
			},
			fields: []string{"maximum_certificate_lifespan"}, deviation: "valid for 400 days; at most 366 allowed (90 recommended)"},
		{name: "small RSA key", fixture: "modern", profile: "intermediate", edit: func(o *obs.Observation) { o.Chains[0].Certificates[0].KeyBits = 1024 },
			fields: []string{"rsa_key_size"}, deviation: "RSA key of 1024 bits; at least 2048 required"},
		{name: "SHA-1 signature", fixture: "modern", profile: "intermediate", edit: func(o *obs.Observation) { o.Chains[0].Certificates[0].SigAlg = "SHA1-RSA" },
			fields: []string{"certificate_signatures"}, deviation: "signature SHA1-RSA"},
		{name: "ancient server", fixture: "sslv2_sslv3", profile: "old", deviation: "protocols SSLv2, SSLv3 must be disabled"},
		{name: "failed scan", fixture: "failed", profile: "intermediate", err: "scan did not complete"},
		{name: "unknown profile", fixture: "modern", profile: "paranoid", err: "unknown Mozilla profile"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := checktest.Observation(t, tc.fixture)
			if tc.edit != nil {
				tc.edit(o)
			}
			r, err := Evaluate(o, tc.profile)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Compliant != tc.compliant || r.Compliant != (len(r.Deviations) == 0) {
				t.Errorf("compliant %v, want %v: %q", r.Compliant, tc.compliant, r.Deviations)
			}
			if tc.fields != nil && !slices.Equal(r.Fields, tc.fields) {
				t.Errorf("fields %q, want %q (%q)", r.Fields, tc.fields, r.Deviations)
			}
			if tc.deviation != "" && !slices.ContainsFunc(r.Deviations, func(d string) bool { return strings.Contains(d, tc.deviation) }) {
				t.Errorf("no deviation contains %q: %q", tc.deviation, r.Deviations)
			}
			if r.Profile != tc.profile || r.Version == "" {
				t.Errorf("profile %q version %q", r.Profile, r.Version)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	legacy, err := Evaluate(checktest.Observation(t, "legacy"), "intermediate")
	if err != nil {
		t.Fatal(err)
	}
	modernOnIntermediate, _ := Evaluate(checktest.Observation(t, "modern"), "intermediate")
	modernOnModern, _ := Evaluate(checktest.Observation(t, "modern"), "modern")
	const interCiphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" +
		"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
	cases := []struct {
		name   string
		r      Result
		server string
		want   []string
		not    []string
	}{
		{"nginx legacy", legacy, "nginx", []string{
			"# Mozilla intermediate configuration (guidelines 6.0)",
			"ssl_protocols TLSv1.2 TLSv1.3;",
			"ssl_ciphers " + interCiphers + ";",
			"ssl_ecdh_curve X25519MLKEM768:X25519:prime256v1:secp384r1;",
			"ssl_prefer_server_ciphers off;",
			"ssl_dhparam /path/to/dhparam;",
		}, []string{"Ciphersuites", "certificate:"}},
		{"apache legacy", legacy, "apache", []string{
			"SSLProtocol -all +TLSv1.2 +TLSv1.3",
			"SSLCipherSuite " + interCiphers,
			"SSLOpenSSLConfCmd Curves X25519MLKEM768:X25519:prime256v1:secp384r1",
			"SSLHonorCipherOrder off",
			"SSLOpenSSLConfCmd DHParameters",
		}, nil},
		{"haproxy legacy", legacy, "haproxy", []string{
			"global\n",
			"    ssl-default-bind-options prefer-client-ciphers ssl-min-ver TLSv1.2 no-tls-tickets",
			"    ssl-default-bind-ciphers " + interCiphers,
			"    ssl-default-bind-curves X25519MLKEM768:X25519:prime256v1:secp384r1",
			"    ssl-dh-param-file /path/to/dhparam",
		}, nil},
		{"nginx modern profile", modernOnModern, "nginx", []string{
			"ssl_protocols TLSv1.3;",
			"# certificate: reissue with an ECDSA key",
			"# certificate: reissue with a signature in ecdsa-with-SHA256",
		}, []string{"ssl_ciphers", "ssl_dhparam", "ssl_ecdh_curve"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Snippet(tc.r, tc.server)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("snippet lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("snippet has %q:\n%s", n, got)
				}
			}
		})
	}
	if got, err := Snippet(modernOnIntermediate, "nginx"); err != nil || got != "" {
		t.Errorf("compliant result: snippet %q, %v; want empty", got, err)
	}
	if _, err := Snippet(legacy, "lighttpd"); err == nil {
		t.Error("unknown server accepted")
	}
}
