// Package view gives the protocol, cipher and key-exchange checks (and the
// grade) one reading of an observation: accepted suites joined with their
// registry properties, per protocol, plus evidence formatting.
package view

import (
	"fmt"
	"strings"

	"github.com/tlsaudit/tlsaudit/scan/obs"
	"github.com/tlsaudit/tlsaudit/scan/registry"
)

// Protocol names as they appear in obs.Protocol.Name: the names of the
// registry's versions (registry.Version.String).
var (
	SSLv2 = registry.Version(registry.VersionSSL2).String()
	SSLv3 = registry.Version(registry.VersionSSL3).String()
	TLS10 = registry.Version(registry.VersionTLS10).String()
	TLS11 = registry.Version(registry.VersionTLS11).String()
	TLS12 = registry.Version(registry.VersionTLS12).String()
	TLS13 = registry.Version(registry.VersionTLS13).String()
)

// ProtocolOrder lists the protocol names oldest first.
var ProtocolOrder = func() []string {
	var out []string
	for _, v := range registry.Versions() {
		out = append(out, v.String())
	}
	return out
}()

// Suite is one accepted suite seen under one protocol.
type Suite struct {
	Protocol string
	obs.Suite
	// Info holds the registry properties; Known is false when the code point
	// is not in the registry (Info is then zero).
	Info  registry.Suite
	Known bool
	// Pos is the suite's index in the protocol's list.
	Pos int
}

// Protocol returns the entry for the named protocol.
func Protocol(o *obs.Observation, name string) (obs.Protocol, bool) {
	for _, p := range o.Protocols {
		if p.Name == name {
			return p, true
		}
	}
	return obs.Protocol{}, false
}

// Supported reports whether the named protocol was accepted.
func Supported(o *obs.Observation, name string) bool {
	p, ok := Protocol(o, name)
	return ok && p.Supported
}

// SupportedProtocols returns the accepted protocols, oldest first.
func SupportedProtocols(o *obs.Observation) []obs.Protocol {
	var out []obs.Protocol
	for _, name := range ProtocolOrder {
		if p, ok := Protocol(o, name); ok && p.Supported {
			out = append(out, p)
		}
	}
	return out
}

// Errored returns "name: error" for each protocol whose probe errored.
func Errored(o *obs.Observation) []string {
	var out []string
	for _, p := range o.Protocols {
		if p.Error != "" {
			out = append(out, p.Name+": "+p.Error)
		}
	}
	return out
}

// Lookup joins an observed suite with its registry entry.
func Lookup(proto string, s obs.Suite) (registry.Suite, bool) {
	if proto == SSLv2 {
		return registry.SSLv2SuiteByID(s.ID24)
	}
	return registry.SuiteByID(s.ID)
}

// Accepted returns every suite accepted under every supported protocol,
// protocols oldest first, suites in the observed order.
func Accepted(o *obs.Observation) []Suite {
	var out []Suite
	for _, p := range SupportedProtocols(o) {
		for i, s := range p.Suites {
			info, ok := Lookup(p.Name, s)
			out = append(out, Suite{Protocol: p.Name, Suite: s, Info: info, Known: ok, Pos: i})
		}
	}
	return out
}

// Select returns the suites for which keep is true.
func Select(ss []Suite, keep func(Suite) bool) []Suite {
	var out []Suite
	for _, s := range ss {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// Evidence formats suites grouped by protocol:
// "TLSv1.0: TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA; TLSv1.2: ...".
func Evidence(ss []Suite) string {
	var b strings.Builder
	last := ""
	for _, s := range ss {
		switch {
		case s.Protocol != last && last == "":
			fmt.Fprintf(&b, "%s: ", s.Protocol)
		case s.Protocol != last:
			fmt.Fprintf(&b, "; %s: ", s.Protocol)
		default:
			b.WriteString(", ")
		}
		last = s.Protocol
		b.WriteString(Name(s))
	}
	return b.String()
}

// Name is the suite's display name: the observed name, else the registry's,
// else the hex code point.
func Name(s Suite) string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Info.Name != "":
		return s.Info.Name
	case s.Protocol == SSLv2:
		return fmt.Sprintf("0x%06X", s.ID24)
	}
	return fmt.Sprintf("0x%04X", s.ID)
}

// EffectiveBits is the cipher strength used for judging: the registry's key
// bits, except 3DES counts as 112 (its effective security, as SSL Labs shows
// it) and NULL as 0.
func EffectiveBits(s registry.Suite) int {
	switch {
	case s.Cipher == "NULL" || strings.HasPrefix(s.Cipher, "NULL"):
		return 0
	case strings.Contains(s.Cipher, "3DES") && s.Bits > 112:
		return 112
	}
	return s.Bits
}

// IsCBC reports whether the suite uses a block cipher in CBC mode.
func IsCBC(s registry.Suite) bool {
	return !s.AEAD && strings.Contains(s.Cipher, "CBC")
}

// IsRC4 reports whether the suite uses RC4.
func IsRC4(s registry.Suite) bool { return strings.HasPrefix(s.Cipher, "RC4") }

// IsNull reports whether the suite encrypts nothing.
func IsNull(s registry.Suite) bool { return EffectiveBits(s) == 0 && !s.Signalling }

// IsAnonymous reports whether the suite authenticates no one.
func IsAnonymous(s registry.Suite) bool { return s.Anonymous || s.Auth == "anon" }

// IsStaticRSA reports whether the suite uses RSA key transport (no FS).
func IsStaticRSA(s registry.Suite) bool {
	return s.Kx == "RSA" || s.Kx == "RSA_EXPORT"
}

// IsDHE reports whether the suite uses ephemeral finite-field DH.
func IsDHE(s registry.Suite) bool { return strings.HasPrefix(s.Kx, "DHE") }

// Unknown formats the count of suites the registry does not know, for
// appending to a pass detail ("" when none).
func Unknown(ss []Suite) string {
	n := 0
	for _, s := range ss {
		if !s.Known {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d suite(s) unknown to the registry not judged)", n)
}
