package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// protoNames are the protocols compared, oldest first.
var protoNames = []string{"SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

// verdict names compared across tools (true: vulnerable / the weakness is
// present). Each tool fills what it reports.
var verdictNames = []string{
	"heartbleed", "ccs_injection", "ticketbleed", "robot", "insecure_renegotiation",
	"client_renegotiation", "compression", "no_fallback_scsv", "poodle_sslv3", "sweet32",
	"freak", "drown", "logjam", "rc4", "chain_incomplete",
}

// facts is what one tool said about one target, normalised: suite code
// points, group code points, protocol names as in protoNames.
type facts struct {
	tool string
	err  string // the tool failed; nothing else is meaningful
	// protocols: tested protocols → supported. A missing key: not reported.
	protocols map[string]bool
	// suites per protocol (TLS code points; SSLv2 kinds are counted only).
	suites map[string][]uint16
	// noSuites: the tool ran without listing suites (testssl.sh without -E).
	noSuites bool
	// serverOrder per protocol, when the tool tells it.
	serverOrder map[string]bool
	// preference: the suites in the server's preference order, per protocol,
	// when the server enforces one and the tool lists it (sslscan: only the
	// suite it labels preferred).
	preference map[string][]uint16
	// groups accepted for TLS ≤1.2 ECDHE and for TLS 1.3 (nil: not reported).
	groups12, groups13 []uint16
	// ecCurves: elliptic curves accepted by any protocol (nil: not reported);
	// filled from groups12 and groups13 unless the tool reports only this.
	ecCurves []uint16
	// dhBits: the DH prime sizes seen (nil: not reported).
	dhBits []int
	// verdicts: name → vulnerable (missing: not reported).
	verdicts map[string]bool
	// leaf: "CN expiry-date" of the (first) leaf certificate served.
	leaf string
}

func newFacts(tool string) *facts {
	return &facts{tool: tool, protocols: map[string]bool{}, suites: map[string][]uint16{},
		serverOrder: map[string]bool{}, preference: map[string][]uint16{}, verdicts: map[string]bool{}}
}

func (f *facts) addSuite(proto string, id uint16) {
	if !slices.Contains(f.suites[proto], id) {
		f.suites[proto] = append(f.suites[proto], id)
	}
}

func addUnique[T comparable](s *[]T, v T) {
	if !slices.Contains(*s, v) {
		*s = append(*s, v)
	}
}

// suiteIDByName maps an IANA or OpenSSL-style suite name to its code point.
func suiteIDByName(name string) (uint16, bool) {
	name = strings.TrimSpace(name)
	// nmap names TLS 1.3 suites TLS_AKE_WITH_...
	name = strings.Replace(name, "TLS_AKE_WITH_", "TLS_", 1)
	if s, ok := registry.SuiteByName(name); ok {
		return s.ID, true
	}
	for _, s := range registry.Suites() {
		if s.Name == name || strings.EqualFold(s.Name, name) {
			return s.ID, true
		}
	}
	return 0, false
}

// groupIDByName maps a group name as the peers print it.
func groupIDByName(name string) (uint16, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	if i := strings.IndexByte(n, ' '); i > 0 {
		n = n[:i] // "secp384r1 (NIST P-384)"
	}
	alias := map[string]string{"prime256v1": "secp256r1", "p-256": "secp256r1", "p-384": "secp384r1", "p-521": "secp521r1",
		"25519": "x25519", "448": "x448", "x25519": "x25519", "x448": "x448"}
	if a, ok := alias[n]; ok {
		n = a
	}
	for _, g := range registry.Groups() {
		if strings.ToLower(g.Name) == n {
			return g.ID, true
		}
	}
	return 0, false
}

func suiteList(ids []uint16) string {
	var names []string
	for _, id := range ids {
		names = append(names, registry.SuiteName(id))
	}
	return strings.Join(names, " ")
}

func groupList(ids []uint16) string {
	var names []string
	for _, id := range ids {
		names = append(names, registry.GroupName(id))
	}
	return strings.Join(names, " ")
}

// setDiff returns the items of a not in b and of b not in a.
func setDiff[T comparable](a, b []T) (onlyA, onlyB []T) {
	for _, x := range a {
		if !slices.Contains(b, x) {
			onlyA = append(onlyA, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			onlyB = append(onlyB, x)
		}
	}
	return onlyA, onlyB
}

func sortedInts(xs []int) []int {
	out := slices.Clone(xs)
	sort.Ints(out)
	return out
}

func boolStr(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func intsStr(xs []int) string {
	var s []string
	for _, x := range sortedInts(xs) {
		s = append(s, fmt.Sprint(x))
	}
	return strings.Join(s, ",")
}
