package obs

// HandshakeProbes are probes that need at most a partial handshake
// (Heartbleed, CCS injection, fallback SCSV, compression, intolerance, ...).
// Each result records what the server did, never a verdict: checks/vuln
// judges them. Evidence bytes are hex and capped at 64 bytes.
type HandshakeProbes struct {
	// Heartbleed: an over-long heartbeat request sent right after the
	// server's first flight (CVE-2014-0160).
	Heartbleed *HeartbleedResult `json:"heartbleed,omitempty"`
	// CCSInjection: a ChangeCipherSpec sent before the key exchange
	// (CVE-2014-0224).
	CCSInjection *CCSInjectionResult `json:"ccs_injection,omitempty"`
	// FallbackSCSV: a hello below the highest version carrying
	// TLS_FALLBACK_SCSV (RFC 7507).
	FallbackSCSV *FallbackSCSVResult `json:"fallback_scsv,omitempty"`
	// DowngradeSentinel: a TLS 1.2 hello to a TLS 1.3 server (RFC 8446 4.1.3).
	DowngradeSentinel *DowngradeSentinelResult `json:"downgrade_sentinel,omitempty"`
	// ServerHelloExtensions: renegotiation_info (RFC 5746), extended master
	// secret (RFC 7627), encrypt-then-MAC (RFC 7366) in a TLS <= 1.2 hello.
	ServerHelloExtensions *ServerHelloExtensionsResult `json:"server_hello_extensions,omitempty"`
	// Compression: a hello offering DEFLATE (CRIME).
	Compression *CompressionResult `json:"compression,omitempty"`
	// Ticketbleed: a session ticket resumed with a short session ID
	// (CVE-2016-9244).
	Ticketbleed *TicketbleedResult `json:"ticketbleed,omitempty"`
	// Intolerance: hellos with a higher version, a long body, an unknown
	// extension or GREASE, compared with a plain baseline hello.
	Intolerance *IntoleranceResult `json:"intolerance,omitempty"`
}

// HeartbleedResult records the answer to a heartbeat request claiming more
// payload than it carries.
type HeartbleedResult struct {
	Attempt
	Version string `json:"version,omitempty"` // protocol of the handshake
	// Extension: the server echoed the heartbeat extension; Mode is its
	// HeartbeatMode (1 peer_allowed_to_send, 2 peer_not_allowed_to_send).
	Extension bool  `json:"extension"`
	Mode      uint8 `json:"mode,omitempty"`
	// Sent says whether the request was sent (not when the server did not
	// negotiate the extension); ClaimedLength is its payload_length and
	// PayloadSent the payload bytes actually sent.
	Sent          bool `json:"sent"`
	ClaimedLength int  `json:"claimed_length,omitempty"`
	PayloadSent   int  `json:"payload_sent,omitempty"`
	// Replied: the server sent heartbeat records back. ReplyLength is the
	// payload_length of the response, ReplyBytes the heartbeat bytes received.
	Replied     bool `json:"replied"`
	ReplyLength int  `json:"reply_length,omitempty"`
	ReplyBytes  int  `json:"reply_bytes,omitempty"`
	// Answer is what else came back: "alert:<name>", "closed", "timeout".
	Answer string `json:"answer,omitempty"`
	// Evidence is the start of the payload returned beyond what was sent (hex).
	Evidence string `json:"evidence,omitempty"`
}

// CCSInjectionResult records the answer to an early ChangeCipherSpec
// followed by an application-data record.
type CCSInjectionResult struct {
	Attempt
	Version string `json:"version,omitempty"`
	Suite   string `json:"suite,omitempty"`
	// Answer: "alert:<name>" (e.g. alert:unexpected_message,
	// alert:bad_record_mac), "closed" (no alert) or "timeout" (silence).
	Answer string `json:"answer"`
	// Alert is the alert description number when Answer is an alert.
	Alert *uint8 `json:"alert,omitempty"`
}

// FallbackSCSVResult records the answer to a fallback hello.
type FallbackSCSVResult struct {
	Attempt
	// Highest is the highest protocol the server accepts, Offered the lower
	// version sent with TLS_FALLBACK_SCSV.
	Highest string `json:"highest,omitempty"`
	Offered string `json:"offered,omitempty"`
	// Answer: "alert:<name>", "server_hello:<version>", "closed", "timeout".
	Answer string `json:"answer,omitempty"`
}

// DowngradeSentinelResult records the ServerHello.random of a TLS 1.2
// handshake with a server that supports TLS 1.3.
type DowngradeSentinelResult struct {
	Attempt
	Negotiated string `json:"negotiated,omitempty"`
	// RandomTail is the last 8 bytes of ServerHello.random (hex).
	RandomTail string `json:"random_tail,omitempty"`
	// Sentinel: "tls12" (DOWNGRD\x01), "tls11" (DOWNGRD\x00) or "" (none).
	Sentinel string `json:"sentinel,omitempty"`
}

// ServerHelloExtensionsResult records which security extensions a TLS <= 1.2
// server echoes.
type ServerHelloExtensionsResult struct {
	Attempt
	Version string `json:"version,omitempty"`
	Suite   string `json:"suite,omitempty"`
	// SecureRenegotiation: renegotiation_info was echoed (RFC 5746);
	// RenegotiationInfoLength its renegotiated_connection length (must be 0
	// on an initial handshake).
	SecureRenegotiation     bool `json:"secure_renegotiation"`
	RenegotiationInfoLength int  `json:"renegotiation_info_length,omitempty"`
	// ViaSCSV: only the SCSV could be offered (SSLv3).
	ViaSCSV              bool `json:"via_scsv,omitempty"`
	ExtendedMasterSecret bool `json:"extended_master_secret"`
	// EncryptThenMAC is measured in a second hello offering only the CBC
	// suites the server accepts; nil when it accepts none (or that hello failed).
	EncryptThenMAC *bool  `json:"encrypt_then_mac,omitempty"`
	ETMSuite       string `json:"etm_suite,omitempty"`
	ETMError       string `json:"etm_error,omitempty"`
}

// CompressionResult records the compression method chosen when DEFLATE and
// null are offered.
type CompressionResult struct {
	Attempt
	Version string `json:"version,omitempty"`
	// Offered are the methods offered (1 DEFLATE, 64 LZS, 0 null).
	Offered []uint8 `json:"offered,omitempty"`
	// Method chosen by the server.
	Method uint8 `json:"method"`
}

// TicketbleedResult records how a server resuming a session ticket echoes a
// short session ID, over two attempts.
type TicketbleedResult struct {
	Attempt
	// TicketObtained: a full TLS 1.2 handshake gave a session ticket.
	TicketObtained bool   `json:"ticket_obtained"`
	Suite          string `json:"suite,omitempty"`
	// SentIDLength is the length of the session ID sent with the ticket.
	SentIDLength int                 `json:"sent_id_length,omitempty"`
	Attempts     []TicketbleedAnswer `json:"attempts,omitempty"`
}

// TicketbleedAnswer is one resumption attempt.
type TicketbleedAnswer struct {
	// EchoedIDLength is the length of the ServerHello session ID.
	EchoedIDLength int `json:"echoed_id_length"`
	// PrefixMatches: the echoed ID starts with the ID sent.
	PrefixMatches bool `json:"prefix_matches"`
	// Resumed: the server went on with ChangeCipherSpec (abbreviated handshake).
	Resumed bool `json:"resumed"`
	// Extra holds the echoed bytes beyond the ID sent (hex).
	Extra string `json:"extra,omitempty"`
	// Answer when no ServerHello came: "alert:<name>", "closed", "timeout".
	Answer string `json:"answer,omitempty"`
}

// IntoleranceResult compares variant hellos with a baseline hello.
type IntoleranceResult struct {
	Attempt
	// Baseline is the protocol of the plain hello every variant is built on.
	Baseline string         `json:"baseline,omitempty"`
	Tests    []HelloVariant `json:"tests,omitempty"`
}

// Hello variant names.
const (
	VariantBaseline   = "baseline"
	VariantTLS13NoSV  = "version_0x0304_without_supported_versions"
	VariantTLS14      = "version_0x0305"
	VariantLong300    = "long_hello_300"
	VariantLong1800   = "long_hello_1800"
	VariantUnknownExt = "unknown_extension"
	VariantGREASE     = "grease"
)

// HelloVariant is the answer to one hello variant.
type HelloVariant struct {
	Name string `json:"name"`
	// Accepted: the server answered with a ServerHello (or HelloRetryRequest).
	Accepted bool `json:"accepted"`
	// Negotiated is the version of that answer.
	Negotiated string `json:"negotiated,omitempty"`
	// Answer otherwise: "alert:<name>", "closed", "timeout", "error:<...>".
	Answer string `json:"answer,omitempty"`
	// Length is the ClientHello message length sent.
	Length int `json:"length,omitempty"`
	// DerivedFrom: see Attempt.DerivedFrom (the baseline hello's answer
	// may come from discovery).
	DerivedFrom string `json:"derived_from,omitempty"`
}
