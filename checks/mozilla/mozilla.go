// Package mozilla checks an observation against the Mozilla Server Side TLS
// profiles (modern and intermediate from guidelines 6.0; old from 5.8, the
// last version that defined it) and derives configuration snippets for
// nginx, Apache and HAProxy from the deviations.
//
// The profiles are data (profiles.json, in the schema of
// mozilla/ssl-config-generator src/static/guidelines/<version>.json),
// embedded at build time. The method follows sslyze's
// mozilla_tls_profile checker: what the server accepts beyond the profile
// is a deviation; HSTS and OCSP stapling are not judged here (no data in the
// observation, and sslyze does not judge them either).
package mozilla

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

//go:embed profiles.json
var profilesJSON []byte

// Profile is one Mozilla configuration (field names as in the guidelines JSON).
type Profile struct {
	Name                  string   `json:"-"`
	Version               string   `json:"version"`
	Href                  string   `json:"href"`
	CertificateCurves     []string `json:"certificate_curves"`
	CertificateSignatures []string `json:"certificate_signatures"`
	CertificateTypes      []string `json:"certificate_types"`
	Ciphers               struct {
		IANA []string `json:"iana"`
	} `json:"ciphers"`
	Ciphersuites         []string `json:"ciphersuites"`
	DHParamSize          int      `json:"dh_param_size"` // 0: DHE not allowed
	ECDHParamSize        int      `json:"ecdh_param_size"`
	HSTSMinAge           int      `json:"hsts_min_age"`
	MaxCertLifespanDays  int      `json:"maximum_certificate_lifespan"`
	OCSPStaple           bool     `json:"ocsp_staple"`
	OldestClients        []string `json:"oldest_clients"`
	RecommendedLifespan  int      `json:"recommended_certificate_lifespan"`
	RSAKeySize           int      `json:"rsa_key_size"`
	ServerPreferredOrder bool     `json:"server_preferred_order"`
	TLSCurves            []string `json:"tls_curves"`
	TLSVersions          []string `json:"tls_versions"`
}

// profiles are parsed on first use rather than at start-up (a quarter of
// a millisecond of every run, before anything else could happen).
var profiles = sync.OnceValue(func() map[string]Profile {
	var doc struct {
		Profiles map[string]Profile `json:"profiles"`
	}
	if err := json.Unmarshal(profilesJSON, &doc); err != nil {
		panic("mozilla: embedded profiles.json: " + err.Error())
	}
	for name, p := range doc.Profiles {
		p.Name = name
		doc.Profiles[name] = p
	}
	return doc.Profiles
})

// Profiles lists the profile names, strictest first.
func Profiles() []string { return []string{"modern", "intermediate", "old"} }

// Lookup returns the named profile.
func Lookup(name string) (Profile, bool) {
	p, ok := profiles()[name]
	return p, ok
}

// Result is the verdict of one profile on one observation.
type Result struct {
	Profile   string `json:"profile"`
	Version   string `json:"version"` // guidelines version, e.g. "6.0"
	Compliant bool   `json:"compliant"`
	// Deviations are readable sentences, one per problem.
	Deviations []string `json:"deviations,omitempty"`
	// DeviationItems are the same problems as typed items, in the same order.
	DeviationItems []Deviation `json:"deviation_items,omitempty"`
	// Fields are the profile fields that deviate ("tls_versions",
	// "ciphers", "ciphersuites", "tls_curves", "dh_param_size",
	// "server_preferred_order", "certificate_types", ...), sorted; the
	// remediation snippets are derived from them.
	Fields []string `json:"fields,omitempty"`
}

// Deviation is one way an endpoint departs from a profile.
type Deviation struct {
	// Field is the profile field ("tls_versions", "ciphers", ...).
	Field   string `json:"field"`
	Message string `json:"message"`
	// Values are what must go (protocols, suites, groups, a DH group) or
	// what is wrong (a key type, curve, signature, lifespan); Allowed what
	// the profile allows instead; Subject the certificate concerned.
	Values  []string `json:"values,omitempty"`
	Allowed []string `json:"allowed,omitempty"`
	Subject string   `json:"subject,omitempty"`
}

func (r *Result) add(field, format string, args ...any) {
	r.addItem(Deviation{Field: field}, format, args...)
}

// addItem records d with its message.
func (r *Result) addItem(d Deviation, format string, args ...any) {
	d.Message = fmt.Sprintf(format, args...)
	r.Deviations = append(r.Deviations, d.Message)
	r.DeviationItems = append(r.DeviationItems, d)
	if !slices.Contains(r.Fields, d.Field) {
		r.Fields = append(r.Fields, d.Field)
	}
}

// protoNames maps observation protocol names to the guidelines' names.
var protoNames = map[string]string{
	view.SSLv2: "SSLv2", view.SSLv3: "SSLv3", view.TLS10: "TLSv1", view.TLS11: "TLSv1.1", view.TLS12: "TLSv1.2", view.TLS13: "TLSv1.3",
}

// groupAliases maps IANA/observation group names to the guidelines' names.
var groupAliases = map[string]string{
	"x25519": "X25519", "secp256r1": "prime256v1", "p-256": "prime256v1", "p256": "prime256v1",
	"p-384": "secp384r1", "x25519mlkem768": "X25519MLKEM768", "x448": "X448", "p-521": "secp521r1",
}

func mozGroup(name string) string {
	if a, ok := groupAliases[strings.ToLower(name)]; ok {
		return a
	}
	return name
}

// sigAliases maps Go x509 signature algorithm names to the guidelines' names.
var sigAliases = map[string]string{
	"SHA256-RSA": "sha256WithRSAEncryption", "SHA384-RSA": "sha384WithRSAEncryption", "SHA512-RSA": "sha512WithRSAEncryption",
	"SHA1-RSA": "sha1WithRSAEncryption", "MD5-RSA": "md5WithRSAEncryption",
	"ECDSA-SHA256": "ecdsa-with-SHA256", "ECDSA-SHA384": "ecdsa-with-SHA384", "ECDSA-SHA512": "ecdsa-with-SHA512",
	"ECDSA-SHA1": "ecdsa-with-SHA1",
}

// Evaluate checks o against the named profile. It fails for an unknown
// profile or an observation without a completed scan.
func Evaluate(o *obs.Observation, profileName string) (Result, error) {
	p, ok := Lookup(profileName)
	if !ok {
		return Result{}, fmt.Errorf("unknown Mozilla profile %q (known: %s)", profileName, strings.Join(Profiles(), ", "))
	}
	if o == nil || o.Status != obs.StatusOK || len(view.SupportedProtocols(o)) == 0 {
		return Result{}, fmt.Errorf("cannot evaluate the %s profile: the scan did not complete", profileName)
	}
	if o.Mode == obs.ModeQuick {
		return Result{}, fmt.Errorf("cannot evaluate the %s profile: a quick scan enumerates no protocols or suites (run a full scan)", profileName)
	}
	r := Result{Profile: p.Name, Version: p.Version}
	checkProtocols(o, p, &r)
	checkSuites(o, p, &r)
	checkKeyExchange(o, p, &r)
	checkCertificates(o, p, &r)
	sort.Strings(r.Fields)
	r.Compliant = len(r.Deviations) == 0
	return r, nil
}

func checkProtocols(o *obs.Observation, p Profile, r *Result) {
	var extra []string
	for _, sp := range view.SupportedProtocols(o) {
		if !slices.Contains(p.TLSVersions, protoNames[sp.Name]) {
			extra = append(extra, sp.Name)
		}
	}
	if len(extra) > 0 {
		r.addItem(Deviation{Field: "tls_versions", Values: extra, Allowed: p.TLSVersions},
			"protocols %s must be disabled (allowed: %s)", strings.Join(extra, ", "), strings.Join(p.TLSVersions, ", "))
	}
	if slices.Contains(p.TLSVersions, "TLSv1.3") && !view.Supported(o, view.TLS13) {
		r.addItem(Deviation{Field: "tls_versions", Values: []string{"TLSv1.3"}}, "TLSv1.3 must be enabled")
	}
	if p.ServerPreferredOrder {
		for _, sp := range view.SupportedProtocols(o) {
			if sp.ServerOrder != nil && !*sp.ServerOrder && sp.Name != view.TLS13 {
				r.addItem(Deviation{Field: "server_preferred_order", Values: []string{sp.Name}}, "%s: the server must enforce its cipher order", sp.Name)
			}
		}
	}
}

func checkSuites(o *obs.Observation, p Profile, r *Result) {
	var tls12, tls13 []view.Suite
	for _, s := range view.Accepted(o) {
		name := view.Name(s)
		if s.Known {
			name = s.Info.Name
		}
		switch {
		case s.Protocol == view.TLS13 && !slices.Contains(p.Ciphersuites, name):
			tls13 = append(tls13, s)
		case s.Protocol != view.TLS13 && !slices.Contains(p.Ciphers.IANA, name):
			if slices.ContainsFunc(tls12, func(x view.Suite) bool { return view.Name(x) == view.Name(s) }) {
				continue // listed once, under its first protocol
			}
			tls12 = append(tls12, s)
		}
	}
	if len(tls12) > 0 {
		r.addItem(Deviation{Field: "ciphers", Values: suiteList(tls12)}, "cipher suites not in the profile must be disabled: %s", suiteNames(tls12))
	}
	if len(tls13) > 0 {
		r.addItem(Deviation{Field: "ciphersuites", Values: suiteList(tls13), Allowed: p.Ciphersuites}, "TLS 1.3 suites not in the profile must be disabled: %s", suiteNames(tls13))
	}
}

func suiteNames(ss []view.Suite) string { return strings.Join(suiteList(ss), ", ") }

func suiteList(ss []view.Suite) []string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = view.Name(s)
	}
	return names
}

func checkKeyExchange(o *obs.Observation, p Profile, r *Result) {
	if g := o.Groups; g != nil {
		var extra []string
		for _, x := range append(append([]obs.Group{}, g.TLS12...), g.TLS13...) {
			name := mozGroup(view.GroupName(x))
			// RFC 7919 groups are finite-field DH: a profile that allows DHE
			// judges them by dh_param_size, not tls_curves (OpenSSL offers
			// them by default in TLS 1.3).
			if strings.HasPrefix(name, "ffdhe") && p.DHParamSize > 0 && x.Bits >= p.DHParamSize {
				continue
			}
			if !slices.Contains(p.TLSCurves, name) && !slices.Contains(extra, name) {
				extra = append(extra, name)
			}
		}
		if len(extra) > 0 {
			r.addItem(Deviation{Field: "tls_curves", Values: extra, Allowed: p.TLSCurves}, "groups not in the profile must be disabled: %s (allowed: %s)",
				strings.Join(extra, ", "), strings.Join(p.TLSCurves, ", "))
		}
	}
	for _, d := range view.DHSizes(o) {
		switch {
		case p.DHParamSize == 0:
			// The DHE suites themselves are reported under "ciphers".
		case d.Bits < p.DHParamSize:
			r.addItem(Deviation{Field: "dh_param_size", Values: []string{d.Label}, Allowed: []string{fmt.Sprintf("ffdhe%d", p.DHParamSize)}},
				"DH parameters must be at least %d bits (ffdhe%d): %s", p.DHParamSize, p.DHParamSize, d.Label)
		}
	}
}

func checkCertificates(o *obs.Observation, p Profile, r *Result) {
	for _, ch := range o.Chains {
		if len(ch.Certificates) == 0 {
			continue
		}
		c := ch.Certificates[0]
		subject := c.Subject
		if subject == "" {
			subject = "leaf " + c.SHA256
		}
		kt := strings.ToLower(c.KeyType)
		if kt != "" && !slices.Contains(p.CertificateTypes, kt) {
			r.addItem(Deviation{Field: "certificate_types", Values: []string{c.KeyType}, Allowed: p.CertificateTypes, Subject: subject},
				"%s: %s key; the profile allows %s", subject, c.KeyType, strings.Join(p.CertificateTypes, ", "))
		}
		if kt == "rsa" && p.RSAKeySize > 0 && c.KeyBits > 0 && c.KeyBits < p.RSAKeySize {
			r.addItem(Deviation{Field: "rsa_key_size", Values: []string{fmt.Sprint(c.KeyBits)}, Allowed: []string{fmt.Sprintf(">=%d", p.RSAKeySize)}, Subject: subject},
				"%s: RSA key of %d bits; at least %d required", subject, c.KeyBits, p.RSAKeySize)
		}
		if kt == "ecdsa" && c.Curve != "" && !slices.Contains(p.CertificateCurves, mozGroup(c.Curve)) {
			r.addItem(Deviation{Field: "certificate_curves", Values: []string{c.Curve}, Allowed: p.CertificateCurves, Subject: subject},
				"%s: curve %s; the profile allows %s", subject, c.Curve, strings.Join(p.CertificateCurves, ", "))
		}
		if c.SigAlg != "" {
			sig := c.SigAlg
			if a, ok := sigAliases[strings.ToUpper(sig)]; ok {
				sig = a
			}
			if !slices.Contains(p.CertificateSignatures, sig) {
				r.addItem(Deviation{Field: "certificate_signatures", Values: []string{c.SigAlg}, Allowed: p.CertificateSignatures, Subject: subject},
					"%s: signature %s; the profile allows %s", subject, c.SigAlg, strings.Join(p.CertificateSignatures, ", "))
			}
		}
		if !c.NotBefore.IsZero() && !c.NotAfter.IsZero() && p.MaxCertLifespanDays > 0 {
			if days := int(c.NotAfter.Sub(c.NotBefore).Hours() / 24); days > p.MaxCertLifespanDays {
				r.addItem(Deviation{Field: "maximum_certificate_lifespan", Values: []string{fmt.Sprintf("%d days", days)},
					Allowed: []string{fmt.Sprintf("<=%d days", p.MaxCertLifespanDays)}, Subject: subject},
					"%s: valid for %d days; at most %d allowed (%d recommended)",
					subject, days, p.MaxCertLifespanDays, p.RecommendedLifespan)
			}
		}
	}
}

// openSSLNames converts IANA suite names to OpenSSL names for cipher strings.
func openSSLNames(iana []string) []string {
	var out []string
	for _, n := range iana {
		if s, ok := registry.SuiteByName(n); ok && s.OpenSSLName != "" {
			out = append(out, s.OpenSSLName)
		}
	}
	return out
}
