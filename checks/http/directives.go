// Package http holds the checks of the HTTP response served over the audited
// TLS connection (IDs "http.*"): HSTS (RFC 6797) and HPKP (RFC 7469) parsed
// strictly, the hstspreload.org eligibility rules, BREACH (response
// compression), redirects, the Server banner and other security headers.
//
// The parsers (ParseHSTS, ParseHPKP) are pure and exported for the report
// and for tests; each check lives in its own file and registers itself in
// init().
package http

import (
	"fmt"
	"strings"
)

// directive is one "name[=value]" element of a ";"-separated header value.
type directive struct {
	Name     string // as written
	Value    string // unquoted (quoted-pairs resolved)
	HasValue bool
	Quoted   bool
}

// lower is the directive name folded for case-insensitive comparison.
func (d directive) lower() string { return strings.ToLower(d.Name) }

// isTchar reports whether c is a token character (RFC 7230 section 3.2.6).
func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isQdtext reports whether c may appear unescaped in a quoted-string.
func isQdtext(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80
}

// isQuotedPairChar reports whether c may follow a backslash in a quoted-string.
func isQuotedPairChar(c byte) bool {
	return c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7e) || c >= 0x80
}

// directiveParser walks a header value of the shape
//
//	[ directive ] *( OWS ";" OWS [ directive ] )
//	directive = token [ "=" ( token / quoted-string ) ]
//
// shared by Strict-Transport-Security (RFC 6797 section 6.1) and
// Public-Key-Pins (RFC 7469 section 2.1).
type directiveParser struct {
	s string
	i int
	// spaceAroundEq allows OWS around "=" (RFC 6797 uses RFC 2616 implied
	// linear white space; RFC 7469 uses RFC 7230 ABNF, which has none there).
	spaceAroundEq bool
}

func (p *directiveParser) skipOWS() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *directiveParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: "+format, append([]any{p.i}, args...)...)
}

func (p *directiveParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *directiveParser) quoted() (string, error) {
	p.i++ // opening DQUOTE
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) || !isQuotedPairChar(p.s[p.i+1]) {
				return "", p.errorf("bad quoted-pair in quoted-string")
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case isQdtext(c):
			b.WriteByte(c)
			p.i++
		default:
			return "", p.errorf("character %q not allowed in a quoted-string", c)
		}
	}
	return "", fmt.Errorf("unterminated quoted-string")
}

// parseDirectives splits s into directives, or says where its syntax breaks.
func parseDirectives(s string, spaceAroundEq bool) ([]directive, error) {
	p := &directiveParser{s: s, spaceAroundEq: spaceAroundEq}
	var out []directive
	for {
		p.skipOWS()
		if p.i < len(p.s) && p.s[p.i] != ';' {
			d, err := p.directive()
			if err != nil {
				return out, err
			}
			out = append(out, d)
			p.skipOWS()
		}
		if p.i >= len(p.s) {
			return out, nil
		}
		if p.s[p.i] != ';' {
			return out, p.errorf("unexpected character %q (directives are separated by ';')", p.s[p.i])
		}
		p.i++
	}
}

func (p *directiveParser) directive() (directive, error) {
	var d directive
	d.Name = p.token()
	if d.Name == "" {
		return d, p.errorf("unexpected character %q where a directive name was expected", p.s[p.i])
	}
	save := p.i
	if p.spaceAroundEq {
		p.skipOWS()
	}
	if p.i >= len(p.s) || p.s[p.i] != '=' {
		p.i = save
		return d, nil
	}
	p.i++
	if p.spaceAroundEq {
		p.skipOWS()
	}
	d.HasValue = true
	if p.i < len(p.s) && p.s[p.i] == '"' {
		v, err := p.quoted()
		if err != nil {
			return d, fmt.Errorf("directive %s: %w", d.Name, err)
		}
		d.Value, d.Quoted = v, true
		return d, nil
	}
	d.Value = p.token()
	if d.Value == "" {
		return d, p.errorf("directive %s has '=' but no value", d.Name)
	}
	return d, nil
}

// deltaSeconds parses delta-seconds (1*DIGIT). A value too large for int64
// is clamped (RFC 7234 section 1.2.1 lets a recipient use the greatest
// integer it can represent) and reported by clamped.
func deltaSeconds(v string) (secs int64, clamped bool, ok bool) {
	if v == "" {
		return 0, false, false
	}
	const max = int64(^uint64(0) >> 1)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false, false
		}
		d := int64(c - '0')
		if secs > (max-d)/10 {
			secs, clamped = max, true
			continue
		}
		if !clamped {
			secs = secs*10 + d
		}
	}
	return secs, clamped, true
}
