package starttls

import (
	"strconv"
	"strings"
)

// Reply is a numbered reply of SMTP (RFC 5321 4.2), FTP (RFC 959 4.2) or
// NNTP: a three-digit code and the text of each line.
type Reply struct {
	Code  int
	Lines []string // text after "ddd " or "ddd-", one entry per line
}

// Text joins the reply's lines for messages.
func (r Reply) Text() string { return strconv.Itoa(r.Code) + " " + strings.Join(r.Lines, "\n") }

// readReply reads one reply. A multi-line reply has "ddd-text" lines and
// ends with "ddd text" (same code). FTP allows free text in between (RFC
// 959), so lines that do not start with the code are kept as they are.
func (s *session) readReply(what string) (Reply, error) {
	line, err := s.readLine(what)
	if err != nil {
		return Reply{}, err
	}
	code, sep, text, ok := splitReplyLine(line)
	if !ok {
		return Reply{}, s.errorf("%s is not a numbered reply: %s", what, quote(line))
	}
	r := Reply{Code: code, Lines: []string{text}}
	for sep == '-' {
		if len(r.Lines) >= maxLines {
			return Reply{}, s.errorf("%s has more than %d lines", what, maxLines)
		}
		line, err = s.readLine(what)
		if err != nil {
			return Reply{}, err
		}
		c, sp, t, ok := splitReplyLine(line)
		if !ok || c != code {
			r.Lines = append(r.Lines, line)
			continue
		}
		sep = sp
		r.Lines = append(r.Lines, t)
	}
	return r, nil
}

// splitReplyLine splits "ddd-text", "ddd text" or "ddd".
func splitReplyLine(line string) (code int, sep byte, text string, ok bool) {
	if len(line) < 3 {
		return 0, 0, "", false
	}
	for i := range 3 {
		if line[i] < '0' || line[i] > '9' {
			return 0, 0, "", false
		}
	}
	code, _ = strconv.Atoi(line[:3])
	if code < 100 {
		return 0, 0, "", false
	}
	switch {
	case len(line) == 3:
		return code, ' ', "", true
	case line[3] == ' ' || line[3] == '-':
		return code, line[3], line[4:], true
	}
	return 0, 0, "", false
}

// expect reads a reply and checks its code; refusal wraps ErrRefused.
func (s *session) expect(what string, codes ...int) (Reply, error) {
	r, err := s.readReply(what)
	if err != nil {
		return r, err
	}
	for _, c := range codes {
		if r.Code == c {
			return r, nil
		}
	}
	return r, s.refused(what, r.Text())
}

// refused builds the error of an unexpected answer.
func (s *session) refused(what, answer string) error {
	return s.errorf("%w: unexpected %s: %s", ErrRefused, what, quote(answer))
}
