package obs

// HTTP is the result of an HTTP/1.1 request over the audited TLS connection:
// the status line and the raw values of the security-relevant response
// headers, exactly as received (no parsing, no verdict: checks/http judges).
//
// Every header field is a list with one entry per header line received, in
// order, because several lines of the same field (e.g. two
// Strict-Transport-Security headers) matter to the checks.
type HTTP struct {
	// Attempt says how the request ended. Status "completed" means a
	// response status line and headers were read; "not_applicable" that no
	// request was made (STARTTLS target); "inconclusive" that the server
	// answered something that is not HTTP; "error" that no answer came
	// (handshake failure, timeout, reset).
	Attempt Attempt `json:"attempt"`
	// URL requested, e.g. "https://example.com/" (the path is not followed
	// through redirects).
	URL string `json:"url"`
	// TLSClient is the TLS implementation that carried the request:
	// "crypto/tls", or "zcrypto" when crypto/tls could not handshake.
	TLSClient string `json:"tls_client,omitempty"`
	// TLSVersion and Suite of the connection that carried the request.
	TLSVersion string `json:"tls_version,omitempty"`
	Suite      string `json:"suite,omitempty"`
	// ALPNOffered is what the first handshake offered ("h2", "http/1.1");
	// ALPN is what the server selected from it ("" when it ignored ALPN).
	// When the server selected h2 the request went over a second
	// connection offering only http/1.1.
	ALPNOffered []string `json:"alpn_offered,omitempty"`
	ALPN        string   `json:"alpn,omitempty"`

	// Status line.
	Proto      string `json:"proto,omitempty"` // "HTTP/1.1"
	StatusCode int    `json:"status_code,omitempty"`
	StatusText string `json:"status_text,omitempty"`

	// Security-relevant headers, raw values, one entry per header line.
	StrictTransportSecurity   []string `json:"strict_transport_security,omitempty"`
	PublicKeyPins             []string `json:"public_key_pins,omitempty"`
	PublicKeyPinsReportOnly   []string `json:"public_key_pins_report_only,omitempty"`
	ContentEncoding           []string `json:"content_encoding,omitempty"`
	Location                  []string `json:"location,omitempty"`
	Server                    []string `json:"server,omitempty"`
	XPoweredBy                []string `json:"x_powered_by,omitempty"`
	ContentSecurityPolicy     []string `json:"content_security_policy,omitempty"`
	ContentSecurityPolicyRO   []string `json:"content_security_policy_report_only,omitempty"`
	XFrameOptions             []string `json:"x_frame_options,omitempty"`
	XContentTypeOptions       []string `json:"x_content_type_options,omitempty"`
	ReferrerPolicy            []string `json:"referrer_policy,omitempty"`
	PermissionsPolicy         []string `json:"permissions_policy,omitempty"`
	ExpectCT                  []string `json:"expect_ct,omitempty"`
	CrossOriginOpenerPolicy   []string `json:"cross_origin_opener_policy,omitempty"`
	CrossOriginEmbedderPolicy []string `json:"cross_origin_embedder_policy,omitempty"`

	// Cookies summarises the Set-Cookie headers: names and attributes only,
	// never values.
	Cookies []Cookie `json:"cookies,omitempty"`

	// HeaderBytes is the size of the status line and headers; BodyBytes
	// how much of the body was read, at most the cap; BodyTruncated says
	// the body was longer than the cap (reading stopped there).
	HeaderBytes   int  `json:"header_bytes,omitempty"`
	BodyBytes     int  `json:"body_bytes,omitempty"`
	BodyTruncated bool `json:"body_truncated,omitempty"`

	// PlainHTTP is the opt-in request over plain HTTP (port 80 by
	// default), to see whether it redirects to HTTPS. Nil when not asked.
	PlainHTTP *PlainHTTP `json:"plain_http,omitempty"`
}

// Cookie is the attribute summary of one Set-Cookie header.
type Cookie struct {
	Name     string `json:"name"`
	Secure   bool   `json:"secure"`
	HTTPOnly bool   `json:"http_only"`
	// SameSite as sent ("Strict", "Lax", "None"), "" when absent.
	SameSite string `json:"same_site,omitempty"`
}

// PlainHTTP is the answer to a GET over plain (unencrypted) HTTP.
type PlainHTTP struct {
	// Attempt: "completed" when a status line was read; "error" when the
	// port did not answer (refused, timeout): not listening on plain HTTP is
	// not an error of the audited server, Reason says what happened.
	Attempt    Attempt  `json:"attempt"`
	URL        string   `json:"url"`
	StatusCode int      `json:"status_code,omitempty"`
	Location   []string `json:"location,omitempty"`
	// StrictTransportSecurity headers sent over plain HTTP (which UAs must
	// ignore, RFC 6797 section 8.1).
	StrictTransportSecurity []string `json:"strict_transport_security,omitempty"`
}
