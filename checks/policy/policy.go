// Package policy is the CI policy file of tlsaudit: custom rules a target
// must meet beyond the grade (minimum protocol, forbidden suites, HSTS, key
// sizes, expiry, Mozilla profile, minimum grade, failed checks).
//
// Load parses a policy from YAML or JSON (JSON is read as YAML 1.2); Evaluate
// judges one audited target and returns one Violation per rule broken. Pure:
// the caller reads the file, no I/O here. The file format is documented in
// docs/policy.md.
package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/grade"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/checks/mozilla"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// MaxSize is the largest policy Load accepts.
const MaxSize = 1 << 20

// Policy is a parsed policy file. Zero fields set no rule.
type Policy struct {
	// Version of the policy format: 1 (or absent).
	Version int `yaml:"version" json:"version,omitempty"`
	// MinProtocol: no protocol older than this may be accepted
	// ("TLSv1.2"; "TLS1.2", "tls12" and "1.2" are read the same).
	MinProtocol string `yaml:"min_protocol" json:"min_protocol,omitempty"`
	// ForbiddenProtocols may not be accepted.
	ForbiddenProtocols []string `yaml:"forbidden_protocols" json:"forbidden_protocols,omitempty"`
	// ForbiddenSuites are IANA or OpenSSL suite names, with shell wildcards
	// ("*_CBC_*", "DES-CBC3-SHA", "TLS_RSA_WITH_*"), case-insensitive.
	ForbiddenSuites []string `yaml:"forbidden_suites" json:"forbidden_suites,omitempty"`
	// RequireForwardSecrecy: every accepted suite has an ephemeral key exchange.
	RequireForwardSecrecy bool `yaml:"require_forward_secrecy" json:"require_forward_secrecy,omitempty"`
	// RequireAEAD: every accepted suite is an AEAD (GCM, CCM, ChaCha20-Poly1305).
	RequireAEAD bool `yaml:"require_aead" json:"require_aead,omitempty"`
	// HSTS, when present, requires a valid Strict-Transport-Security header.
	HSTS *HSTSRule `yaml:"hsts" json:"hsts,omitempty"`
	// MinKeySize sets minimum key sizes in bits.
	MinKeySize KeySizes `yaml:"min_key_size" json:"min_key_size,omitzero"`
	// MinDaysToExpiry: every served leaf must stay valid this many days.
	MinDaysToExpiry int `yaml:"min_days_to_expiry" json:"min_days_to_expiry,omitempty"`
	// RequireMozilla names a Mozilla profile to meet: modern, intermediate, old.
	RequireMozilla string `yaml:"require_mozilla" json:"require_mozilla,omitempty"`
	// MinGrade is the lowest acceptable grade (A+ A A- B C D E F); T, M
	// and no grade are below every grade.
	MinGrade string `yaml:"min_grade" json:"min_grade,omitempty"`
	// FailOn: a failed check of this severity or worse is a violation
	// (info, low, medium, high, critical), unless AllowChecks matches it.
	FailOn string `yaml:"fail_on" json:"fail_on,omitempty"`
	// AllowChecks are check IDs (path.Match patterns, "cert.zlint",
	// "http.*") whose failures FailOn ignores.
	AllowChecks []string `yaml:"allow_checks" json:"allow_checks,omitempty"`
	// DenyChecks are check IDs (patterns) whose failure is a violation
	// whatever its severity.
	DenyChecks []string `yaml:"deny_checks" json:"deny_checks,omitempty"`
	// RequireStores name trust stores ("apple", "java", a --trust-store
	// NAME) that must each trust every served chain. The caller checks that
	// the stores are configured (see StoreNames).
	RequireStores []string `yaml:"require_stores" json:"require_stores,omitempty"`

	minProto  int
	forbidden map[string]bool // obs protocol names
	failOn    checks.Severity
	lines     map[string]int // top-level key → line, for Validate's errors
}

// RuleNames lists the rules the policy sets, by their violation rule names,
// in file-key order.
func (p *Policy) RuleNames() []string {
	var out []string
	for _, r := range []struct {
		name string
		set  bool
	}{
		{"min_protocol", p.MinProtocol != ""}, {"forbidden_protocols", len(p.ForbiddenProtocols) > 0},
		{"forbidden_suites", len(p.ForbiddenSuites) > 0}, {"require_forward_secrecy", p.RequireForwardSecrecy},
		{"require_aead", p.RequireAEAD}, {"hsts", p.HSTS != nil}, {"min_key_size", p.MinKeySize != (KeySizes{})},
		{"min_days_to_expiry", p.MinDaysToExpiry != 0}, {"require_mozilla", p.RequireMozilla != ""},
		{"min_grade", p.MinGrade != ""}, {"deny_checks", len(p.DenyChecks) > 0}, {"fail_on", p.FailOn != ""},
	} {
		if r.set {
			out = append(out, r.name)
		}
	}
	return out
}

// HSTSRule is the required Strict-Transport-Security policy.
type HSTSRule struct {
	// MinMaxAge in seconds (default 15552000, 180 days: the SSL Labs A+ bar).
	MinMaxAge int64 `yaml:"min_max_age" json:"min_max_age,omitempty"`
	// IncludeSubDomains must be set in the header.
	IncludeSubDomains bool `yaml:"include_subdomains" json:"include_subdomains,omitempty"`
}

// KeySizes are minimum key sizes in bits; 0 sets no minimum.
type KeySizes struct {
	RSA int `yaml:"rsa" json:"rsa,omitempty"` // RSA leaf keys
	EC  int `yaml:"ec" json:"ec,omitempty"`   // ECDSA leaf keys (curve size: 256 for P-256)
	DH  int `yaml:"dh" json:"dh,omitempty"`   // finite-field DHE parameters
}

// Error is a problem in a policy file, at Line when known (1-based).
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// yamlLine matches the "line N: message" of yaml.v3 errors.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// Load parses a policy (YAML or JSON). Unknown keys, wrong types and
// invalid values are errors; every error is an *Error with the line when it
// can be told.
func Load(data []byte) (*Policy, error) {
	if len(data) > MaxSize {
		return nil, &Error{Msg: fmt.Sprintf("policy larger than %d bytes", MaxSize)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{Msg: "empty policy"}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		line := 0
		if len(root.Content) > 0 {
			line = root.Content[0].Line
		}
		return nil, &Error{Line: line, Msg: "a policy is a mapping of rules (key: value)"}
	}
	p := &Policy{lines: map[string]int{}}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		p.lines[m.Content[i].Value] = m.Content[i].Line
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		return nil, yamlError(err)
	}
	// One document only: a rule in a second document ("---") would be
	// silently ignored, and the gate would pass on half a policy.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{Line: extra.Line, Msg: "more than one YAML document ('---'): a policy is one document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, &Error{Msg: "more than one YAML document ('---'): a policy is one document; the next one is invalid: " + yamlError(err).Error()}
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p, nil
}

// yamlError turns a yaml.v3 error into an *Error, first problem only.
func yamlError(err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Line: line, Msg: friendlier(m[2])}
	}
	return &Error{Msg: friendlier(msg)}
}

var notFound = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

func friendlier(msg string) string {
	if m := notFound.FindStringSubmatch(msg); m != nil {
		return "unknown key " + strconv.Quote(m[1]) + " (see docs/policy.md)"
	}
	msg = strings.ReplaceAll(msg, "policy.", "")
	return msg
}

// errAt is an *Error at the line of the top-level key.
func (p *Policy) errAt(key, format string, args ...any) error {
	return &Error{Line: p.lines[key], Msg: key + ": " + fmt.Sprintf(format, args...)}
}

func (p *Policy) check() error {
	if p.Version != 0 && p.Version != 1 {
		return p.errAt("version", "unsupported policy version %d (want 1)", p.Version)
	}
	if p.MinProtocol != "" {
		name, ok := ProtocolName(p.MinProtocol)
		if !ok {
			return p.errAt("min_protocol", "unknown protocol %q (want SSLv2, SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3)", p.MinProtocol)
		}
		p.minProto = protoRank(name)
	}
	p.forbidden = map[string]bool{}
	for _, s := range p.ForbiddenProtocols {
		name, ok := ProtocolName(s)
		if !ok {
			return p.errAt("forbidden_protocols", "unknown protocol %q (want SSLv2, SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3)", s)
		}
		p.forbidden[name] = true
	}
	for _, pat := range p.ForbiddenSuites {
		if err := checkSuitePattern(pat); err != nil {
			return p.errAt("forbidden_suites", "%v", err)
		}
	}
	if h := p.HSTS; h != nil {
		if h.MinMaxAge < 0 {
			return p.errAt("hsts", "min_max_age must not be negative")
		}
		if h.MinMaxAge == 0 {
			h.MinMaxAge = 15552000
		}
	}
	if k := p.MinKeySize; k.RSA < 0 || k.EC < 0 || k.DH < 0 {
		return p.errAt("min_key_size", "sizes must not be negative")
	}
	if p.MinDaysToExpiry < 0 {
		return p.errAt("min_days_to_expiry", "must not be negative")
	}
	if p.RequireMozilla != "" {
		if _, ok := mozilla.Lookup(p.RequireMozilla); !ok {
			return p.errAt("require_mozilla", "unknown Mozilla profile %q (want %s)", p.RequireMozilla, strings.Join(mozilla.Profiles(), ", "))
		}
	}
	if p.MinGrade != "" {
		if r, ok := GradeRank(p.MinGrade); !ok || r == 0 {
			return p.errAt("min_grade", "invalid grade %q (want A+, A, A-, B, C, D, E or F)", p.MinGrade)
		}
	}
	if p.FailOn != "" {
		sev, err := checks.ParseSeverity(p.FailOn)
		if err != nil {
			return p.errAt("fail_on", "%v", err)
		}
		p.failOn = sev
	}
	for key, pats := range map[string][]string{"allow_checks": p.AllowChecks, "deny_checks": p.DenyChecks} {
		for _, pat := range pats {
			if _, err := path.Match(pat, ""); err != nil || pat == "" {
				return p.errAt(key, "bad check ID pattern %q", pat)
			}
		}
	}
	return nil
}

// Validate reports allow_checks and deny_checks entries that match no check
// of r (a typo would otherwise silently allow or deny nothing).
func (p *Policy) Validate(r *checks.Registry) error {
	for key, pats := range map[string][]string{"allow_checks": p.AllowChecks, "deny_checks": p.DenyChecks} {
		for _, pat := range pats {
			if err := (checks.Filter{IncludeIDs: []string{pat}}).Validate(r); err != nil {
				return p.errAt(key, "%v", err)
			}
		}
	}
	return nil
}

// checkSuitePattern rejects a malformed pattern and one matching no suite
// of the registry (a typo).
func checkSuitePattern(pat string) error {
	if _, err := path.Match(pat, ""); err != nil || pat == "" {
		return fmt.Errorf("bad suite pattern %q", pat)
	}
	for _, s := range append(registry.Suites(), registry.SSLv2Suites()...) {
		if suiteMatches(pat, s.Name, s.OpenSSLName) {
			return nil
		}
	}
	return fmt.Errorf("%q matches no known IANA or OpenSSL suite name", pat)
}

// suiteMatches matches a pattern against a suite's names, case-insensitively.
func suiteMatches(pat string, names ...string) bool {
	pat = strings.ToUpper(pat)
	for _, n := range names {
		if n == "" {
			continue
		}
		if ok, _ := path.Match(pat, strings.ToUpper(n)); ok {
			return true
		}
	}
	return false
}

// protocols in order, as obs.Protocol.Name spells them.
var protocols = view.ProtocolOrder

func protoRank(name string) int {
	v, ok := registry.ParseVersion(name)
	if !ok {
		return 0
	}
	return slices.Index(registry.Versions(), v) + 1
}

// ProtocolName normalises a protocol name ("TLSv1.2", "TLS1.2", "tls12",
// "1.2", "TLSv1" for 1.0, "SSL3") to the observation's spelling (the
// registry's version name).
func ProtocolName(s string) (string, bool) {
	k := protocolKey(s)
	for _, v := range registry.Versions() {
		name := v.String()
		full := protocolKey(name)
		short := strings.TrimPrefix(full, "tls")
		if k == full || short != full && k == short || protocolAliases[k] == v {
			return name, true
		}
	}
	return "", false
}

// protocolAliases are the spellings ProtocolName reads besides a version's
// name and its number ("12" for TLSv1.2).
var protocolAliases = map[string]registry.Version{"tls1": registry.VersionTLS10, "sl2": registry.VersionSSL2, "sl3": registry.VersionSSL3}

// protocolKey is s lower-cased without "v", spaces, "_", "-" and ".":
// "TLSv1.2" and "tls_12" are both "tls12".
func protocolKey(s string) string {
	k := strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer("v", "", " ", "", "_", "", "-", "", ".", "").Replace(k)
}

// GradeRank orders letter grades best highest, for floors: A+ 8, A 7,
// A- 6, B 5 … F 1; T and M 0 (the order is grade.Rank's).
func GradeRank(letter string) (int, bool) {
	r, ok := grade.Rank(letter)
	switch {
	case !ok:
		return 0, false
	case !grade.InScale(letter):
		return 0, true
	}
	return 8 - r, true
}
