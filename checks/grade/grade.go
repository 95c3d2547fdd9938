// Package grade computes an SSL Labs-compatible rating from an observation
// and its findings. Pure: no I/O.
//
// The method follows the SSL Labs SSL Server Rating Guide (ssllabs/research,
// "SSL_Server_Rating_Guide", versions 2009 to 2009r; docs/rating.md gives
// the source of every rule):
//
//  1. Three sub-scores, 0-100: protocol support ((best + worst) / 2),
//     key exchange (the weakest of the server key and the ephemeral DH/ECDH
//     parameters, in RSA-equivalent bits) and cipher strength
//     ((strongest + weakest) / 2).
//  2. Total = 0.3·P + 0.3·K + 0.4·C, zero if any sub-score is zero, mapped to
//     a letter: ≥80 A, ≥65 B, ≥50 C, ≥35 D, ≥20 E, else F.
//  3. The rules of a rule set cap the letter (each cap names its rule, the
//     check behind it and what to fix) or add warnings (A becomes A-).
//  4. A+ needs an A with no warning and HSTS with max-age ≥ 180 days.
//     T (trust) and M (name mismatch) replace the letter; TrustIgnored keeps
//     the letter as if the certificate were trusted, except that a SHA-1
//     certificate never allows A+.
//
// Rules about protocols, suites and DH come from the observation; rules about
// certificates, vulnerabilities and HTTP come from findings by check ID
// (constants in package checks). A finding that is absent, not_applicable or
// inconclusive never creates a cap: the grade lists it under NotAssessed.
package grade

import (
	"fmt"
	"sort"

	"github.com/tlsaudit/tlsaudit/checks"
	"github.com/tlsaudit/tlsaudit/checks/internal/view"
	"github.com/tlsaudit/tlsaudit/scan/obs"
)

// Cap is one rule that limited (or lifted) the grade, with its reason.
type Cap struct {
	Grade   Letter `json:"grade"`              // the maximum grade this rule allows: "A-", "B", "C", "F", "T", "M", ...
	Reason  string `json:"reason"`             // what to fix
	CheckID string `json:"check_id,omitempty"` // the check behind it
	Rule    string `json:"rule"`               // rule identifier within the rule set
}

// Grade is the rating of one endpoint.
type Grade struct {
	Letter       Letter `json:"letter"`        // "A+", "A", "A-", "B", ..., "F", "T", "M"; "" when not graded (see Error)
	RuleSet      string `json:"rule_set"`      // e.g. "ssllabs-2009r"
	Score        int    `json:"score"`         // 0-100 weighted total
	Protocol     int    `json:"protocol"`      // 0-100
	KeyExchange  int    `json:"key_exchange"`  // 0-100
	Cipher       int    `json:"cipher"`        // 0-100
	TrustIgnored Letter `json:"trust_ignored"` // the letter if trust problems were ignored
	Caps         []Cap  `json:"caps,omitempty"`
	Warnings     []Cap  `json:"warnings,omitempty"`
	// Semantics says how suites were judged for FS/AEAD/RC4/3DES: "offered"
	// or "negotiated" (see negotiated.go).
	Semantics Semantics `json:"semantics,omitempty"`
	// NotAssessed lists what the grade could not take into account, and
	// what that means for it (e.g. no HTTP data: no A+, no HSTS warning).
	NotAssessed []string `json:"not_assessed,omitempty"`
	// NotAssessedItems are the same entries typed, one per check concerned
	// (an entry without a check, e.g. a sub-score without data, has none).
	NotAssessedItems []NotAssessed `json:"not_assessed_items,omitempty"`
	// Error says why no letter was given (the scan did not complete).
	Error string `json:"error,omitempty"`
}

// NotAssessed is one thing the grade could not take into account.
type NotAssessed struct {
	// CheckID is the check whose verdict was missing ("" when none).
	CheckID string `json:"check_id,omitempty"`
	// Reason says what is missing and what that means for the grade.
	Reason string `json:"reason"`
}

// Semantics chooses how suite-based rules (forward secrecy, AEAD, RC4, 3DES)
// judge a server.
type Semantics string

const (
	// Offered judges every suite the server accepts (testssl.sh semantics).
	Offered Semantics = "offered"
	// Negotiated judges only suites that simulated reference clients would
	// negotiate (SSL Labs semantics), from the client_simulation probe;
	// without a successful reference simulation Compute falls back to
	// Offered and says so.
	Negotiated Semantics = "negotiated"
)

// Options tune Compute.
type Options struct {
	// RuleSet names the rule set (see RuleSets); "" selects DefaultRuleSet.
	RuleSet string
	// Semantics for suite-based rules; "" selects Negotiated when the
	// observation has client simulations, Offered otherwise.
	Semantics Semantics
}

// Compute grades o given its findings. It never returns nil. An unknown
// rule set or a scan that did not complete gives a Grade with Error set and
// no letter.
func Compute(o *obs.Observation, findings []checks.Finding, opts Options) *Grade {
	if opts.RuleSet == "" {
		opts.RuleSet = DefaultRuleSet
	}
	g := &Grade{RuleSet: opts.RuleSet, Semantics: Offered}
	rs, ok := ruleSets[opts.RuleSet]
	if !ok {
		g.Error = fmt.Sprintf("unknown rule set %q (known: %v)", opts.RuleSet, RuleSets())
		return g
	}
	switch {
	case o == nil:
		g.Error = "not graded: no observation"
		return g
	case o.Status != obs.StatusOK:
		g.Error = fmt.Sprintf("not graded: the scan did not complete (status %s)", o.Status)
		return g
	case o.Mode == obs.ModeQuick:
		g.Error = "not graded: a quick scan sees one handshake only (run a full scan for a grade)"
		return g
	case len(view.SupportedProtocols(o)) == 0:
		g.Error = "not graded: no protocol version was accepted"
		return g
	}
	in := newInput(o, findings, opts)
	in.semantics = in.resolveSemantics()
	g.Semantics = in.semantics
	s := computeScores(in)
	g.Protocol, g.KeyExchange, g.Cipher, g.Score = s.protocol, s.keyExchange, s.cipher, s.total

	for _, r := range rs.Rules {
		c := r.Eval(in)
		if c == nil {
			continue
		}
		if c.Rule == "" {
			c.Rule = r.ID
		}
		if c.CheckID == "" {
			c.CheckID = r.CheckID
		}
		if r.Warning {
			g.Warnings = append(g.Warnings, *c)
		} else {
			g.Caps = append(g.Caps, *c)
		}
	}
	g.Letter, g.TrustIgnored = letters(in, rs, scoreLetter(g.Score), g.Caps, g.Warnings)
	in.flushUnassessed()
	g.NotAssessed = in.missing
	g.NotAssessedItems = in.missingItems
	return g
}

// rank is the position of an in-scale letter from the best (see Rank), -1
// for any other.
func rank(letter Letter) int {
	if !InScale(letter) {
		return -1
	}
	r, _ := Rank(letter)
	return r
}

// scoreLetter maps a total score to a letter.
func scoreLetter(score int) Letter {
	switch {
	case score >= 80:
		return A
	case score >= 65:
		return B
	case score >= 50:
		return C
	case score >= 35:
		return D
	case score >= 20:
		return E
	}
	return F
}

// letters applies caps and warnings to the score letter. trustIgnored is the
// result with the T and M caps left out; letter replaces it with T (any
// trust cap) or else M (name mismatch), T winning when both apply.
func letters(in *Input, rs RuleSet, base Letter, caps, warnings []Cap) (letter, trustIgnored Letter) {
	l := base
	var trust Letter
	noPlus := false
	for _, c := range caps {
		// SSL Labs gives no A+ with a SHA-1 certificate, trusted or not.
		if c.CheckID == checks.IDCertSHA1Signature {
			noPlus = true
		}
		switch {
		case c.Grade == T:
			trust = T
		case c.Grade == M && trust == "":
			trust = M
		case rank(c.Grade) > rank(l):
			l = c.Grade
		}
	}
	if l == A && len(warnings) > 0 {
		l = AMinus
	}
	if l == A && !noPlus && rs.Exceptional != nil && rs.Exceptional(in) {
		l = APlus
	}
	if trust != "" {
		return trust, l
	}
	return l, l
}

// RuleSets lists the names of the known rule sets.
func RuleSets() []string {
	out := make([]string, 0, len(ruleSets))
	for name := range ruleSets {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
