package starttls

import "strings"

// upgradeSMTP: RFC 3207. Greeting 220 (possibly multi-line), EHLO, STARTTLS
// must be among the EHLO keywords, STARTTLS answered by 220.
func upgradeSMTP(s *session) error {
	if _, err := s.expect("greeting", 220); err != nil {
		return err
	}
	if err := s.send("EHLO", "EHLO "+clientName+"\r\n"); err != nil {
		return err
	}
	r, err := s.expect("EHLO reply", 250)
	if err != nil {
		return err
	}
	if !smtpOffersSTARTTLS(r) {
		return s.errorf("%w (EHLO reply: %s)", ErrNotOffered, quote(r.Text()))
	}
	if err := s.send("STARTTLS", "STARTTLS\r\n"); err != nil {
		return err
	}
	_, err = s.expect("reply to STARTTLS", 220)
	return err
}

// smtpOffersSTARTTLS looks for the STARTTLS keyword in an EHLO reply (the
// first line is the server's name, the others one extension each).
func smtpOffersSTARTTLS(r Reply) bool {
	for _, l := range r.Lines[1:] {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], "STARTTLS") {
			return true
		}
	}
	return false
}

// upgradeFTP: RFC 4217. Greeting 220 (after an optional 120 "ready in n
// minutes"), AUTH TLS answered by 234.
func upgradeFTP(s *session) error {
	r, err := s.expect("greeting", 120, 220)
	if err != nil {
		return err
	}
	if r.Code == 120 {
		if _, err := s.expect("greeting", 220); err != nil {
			return err
		}
	}
	if err := s.send("AUTH TLS", "AUTH TLS\r\n"); err != nil {
		return err
	}
	r, err = s.readReply("reply to AUTH TLS")
	if err != nil {
		return err
	}
	if r.Code != 234 {
		// 500/502/504: AUTH or TLS unknown; 431/534: unavailable or refused.
		return s.errorf("%w: AUTH TLS answered %s", ErrNotOffered, quote(r.Text()))
	}
	return nil
}

// upgradeNNTP: RFC 4642. Greeting 200 or 201, STARTTLS answered by 382
// (580: TLS not possible; 502: unknown or not allowed).
func upgradeNNTP(s *session) error {
	if _, err := s.expect("greeting", 200, 201); err != nil {
		return err
	}
	if err := s.send("STARTTLS", "STARTTLS\r\n"); err != nil {
		return err
	}
	r, err := s.readReply("reply to STARTTLS")
	if err != nil {
		return err
	}
	if r.Code != 382 {
		return s.errorf("%w: STARTTLS answered %s", ErrNotOffered, quote(r.Text()))
	}
	return nil
}
