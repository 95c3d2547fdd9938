package starttls

import (
	"strconv"
	"strings"
)

// upgradePOP3: RFC 2595. Greeting +OK, STLS answered by +OK.
func upgradePOP3(s *session) error {
	g, err := s.readLine("greeting")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(g, "+OK") {
		return s.refused("greeting", g)
	}
	if err := s.send("STLS", "STLS\r\n"); err != nil {
		return err
	}
	r, err := s.readLine("reply to STLS")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(r, "+OK") {
		return s.errorf("%w: STLS answered %s", ErrNotOffered, quote(r))
	}
	return nil
}

// IMAPResponse is the end of one IMAP command: the untagged lines that came
// before the tagged status line, and that line's status and text.
type IMAPResponse struct {
	Untagged []string // without the leading "* "
	Status   string   // "OK", "NO" or "BAD" (upper case)
	Text     string
}

// upgradeIMAP: RFC 3501 / RFC 9051. Greeting "* OK" (capabilities may come
// with it), CAPABILITY when they did not, STARTTLS must be listed, then
// "a002 STARTTLS" answered by "a002 OK".
func upgradeIMAP(s *session) error {
	g, err := s.readIMAPLine("greeting")
	if err != nil {
		return err
	}
	status, text, _ := strings.Cut(strings.TrimPrefix(g, "* "), " ")
	status = strings.ToUpper(status)
	if !strings.HasPrefix(g, "* ") || status != "OK" {
		if status == "PREAUTH" {
			return s.errorf("%w: the greeting is PREAUTH, in which STARTTLS is not allowed: %s", ErrNotOffered, quote(g))
		}
		return s.refused("greeting", g)
	}
	caps, ok := imapGreetingCaps(text)
	if !ok {
		if err := s.send("CAPABILITY", "a001 CAPABILITY\r\n"); err != nil {
			return err
		}
		r, err := s.readIMAPTagged("a001", "reply to CAPABILITY")
		if err != nil {
			return err
		}
		if r.Status != "OK" {
			return s.refused("reply to CAPABILITY", r.Status+" "+r.Text)
		}
		caps = nil
		for _, u := range r.Untagged {
			if f := strings.Fields(u); len(f) > 0 && strings.EqualFold(f[0], "CAPABILITY") {
				caps = append(caps, f[1:]...)
			}
		}
	}
	if !hasFold(caps, "STARTTLS") {
		return s.errorf("%w (capabilities: %s)", ErrNotOffered, quote(strings.Join(caps, " ")))
	}
	if err := s.send("STARTTLS", "a002 STARTTLS\r\n"); err != nil {
		return err
	}
	r, err := s.readIMAPTagged("a002", "reply to STARTTLS")
	if err != nil {
		return err
	}
	if r.Status != "OK" {
		return s.errorf("%w: STARTTLS answered %s", ErrRefused, quote(r.Status+" "+r.Text))
	}
	return nil
}

// imapGreetingCaps reads "[CAPABILITY ...]" at the start of a greeting text.
func imapGreetingCaps(text string) ([]string, bool) {
	rest, ok := strings.CutPrefix(text, "[")
	if !ok {
		return nil, false
	}
	code, _, ok := strings.Cut(rest, "]")
	if !ok {
		return nil, false
	}
	f := strings.Fields(code)
	if len(f) == 0 || !strings.EqualFold(f[0], "CAPABILITY") {
		return nil, false
	}
	return f[1:], true
}

func hasFold(list []string, want string) bool {
	for _, s := range list {
		if strings.EqualFold(s, want) {
			return true
		}
	}
	return false
}

// readIMAPTagged reads lines until the one tagged tag. Untagged lines
// ("* ...") are collected; continuation requests ("+ ...") are an error.
func (s *session) readIMAPTagged(tag, what string) (IMAPResponse, error) {
	var r IMAPResponse
	for {
		line, err := s.readIMAPLine(what)
		if err != nil {
			return r, err
		}
		if u, ok := strings.CutPrefix(line, "* "); ok {
			if len(r.Untagged) >= maxLines {
				return r, s.errorf("%s: more than %d untagged lines", what, maxLines)
			}
			r.Untagged = append(r.Untagged, u)
			continue
		}
		if rest, ok := strings.CutPrefix(line, tag+" "); ok {
			st, text, _ := strings.Cut(rest, " ")
			r.Status, r.Text = strings.ToUpper(st), text
			return r, nil
		}
		return r, s.errorf("%s: unexpected line %s", what, quote(line))
	}
}

// readIMAPLine reads one logical IMAP line: a line ending in a literal
// announcement "{n}" (or "{n+}") continues after n bytes of literal data,
// which are kept in the line.
func (s *session) readIMAPLine(what string) (string, error) {
	var b strings.Builder
	for {
		line, err := s.readLine(what)
		if err != nil {
			return "", err
		}
		b.WriteString(line)
		n, ok := literalLength(line)
		if !ok {
			return b.String(), nil
		}
		if n > maxLine || b.Len()+n > maxTotal {
			return "", s.errorf("%s: literal of %d bytes is too long", what, n)
		}
		lit := make([]byte, n)
		if err := s.readFull(what, lit); err != nil {
			return "", err
		}
		b.WriteString("\r\n")
		b.Write(lit)
	}
}

// literalLength parses a trailing "{n}" or "{n+}".
func literalLength(line string) (int, bool) {
	if !strings.HasSuffix(line, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	num := strings.TrimSuffix(line[i+1:len(line)-1], "+")
	if num == "" || len(num) > 9 || strings.Trim(num, "0123456789") != "" {
		return 0, false
	}
	n, _ := strconv.Atoi(num)
	return n, true
}

// upgradeSieve: RFC 5804. The server sends its capabilities on connect,
// ending with OK; "STARTTLS" must be listed; STARTTLS answered by OK.
func upgradeSieve(s *session) error {
	caps, st, line, err := s.readSieveResponse("capabilities")
	if err != nil {
		return err
	}
	if st != "OK" {
		return s.refused("greeting", line)
	}
	offered := false
	var names []string
	for _, c := range caps {
		name, _, _ := strings.Cut(c, " ")
		name = strings.Trim(name, `"`)
		names = append(names, name)
		if strings.EqualFold(name, "STARTTLS") {
			offered = true
		}
	}
	if !offered {
		return s.errorf("%w (capabilities: %s)", ErrNotOffered, quote(strings.Join(names, " ")))
	}
	if err := s.send("STARTTLS", "STARTTLS\r\n"); err != nil {
		return err
	}
	_, st, line, err = s.readSieveResponse("reply to STARTTLS")
	if err != nil {
		return err
	}
	if st != "OK" {
		return s.errorf("%w: STARTTLS answered %s", ErrRefused, quote(line))
	}
	return nil
}

// readSieveResponse reads data lines up to the status line (OK, NO or BYE,
// possibly followed by a response code and text); st is its first word,
// upper-cased, and last the whole line.
func (s *session) readSieveResponse(what string) (lines []string, st, last string, err error) {
	for {
		line, err := s.readIMAPLine(what)
		if err != nil {
			return nil, "", "", err
		}
		word, _, _ := strings.Cut(line, " ")
		switch w := strings.ToUpper(word); w {
		case "OK", "NO", "BYE":
			return lines, w, line, nil
		}
		if len(lines) >= maxLines {
			return nil, "", "", s.errorf("%s: more than %d lines", what, maxLines)
		}
		lines = append(lines, line)
	}
}
