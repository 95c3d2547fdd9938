package obs

// SessionProbes are probes that need a full handshake and record-layer
// protection (ROBOT, POODLE over TLS, renegotiation, resumption, 0-RTT, ...).
type SessionProbes struct {
	ROBOT         *ROBOTResult         `json:"robot,omitempty"`
	PoodleTLS     *CBCRecordResult     `json:"poodle_tls,omitempty"`
	LuckyMinus20  *CBCRecordResult     `json:"lucky_minus20,omitempty"`
	Renegotiation *RenegotiationResult `json:"renegotiation,omitempty"`
	Resumption    *ResumptionResult    `json:"resumption,omitempty"`
	EarlyData     *EarlyDataResult     `json:"early_data,omitempty"`
}

// ROBOT ClientKeyExchange variants, in the order of ROBOTRound.Responses
// (the five PKCS#1 v1.5 plaintexts of the ROBOT paper / robot-detect).
var ROBOTVariants = []string{
	"valid",               // 00 02 <nonzero> 00 <version> <46 random>
	"wrong_first_bytes",   // 41 17 <nonzero> 00 <version> <46 random>
	"zero_wrong_position", // 00 02 <nonzero> 11 <random> 00 11
	"no_zero_separator",   // 00 02 <nonzero, no 00 at all>
	"wrong_version",       // 00 02 <nonzero> 00 02 02 <46 random>
}

// ROBOTResult holds the server's answer to each ClientKeyExchange variant,
// each followed by ChangeCipherSpec and a Finished the server cannot verify.
// Responses are "alert:<name>", "closed" (FIN), "reset", "timeout", or
// "error:<text>".
type ROBOTResult struct {
	Attempt
	Protocol string       `json:"protocol,omitempty"`
	Suite    string       `json:"suite,omitempty"`
	Rounds   []ROBOTRound `json:"rounds,omitempty"`
}

// ROBOTRound is one pass over the five variants.
type ROBOTRound struct {
	Responses []string `json:"responses"`
}

// CBCRecordResult is the answer to deliberately malformed CBC records sent
// after a completed handshake, one test per protocol version.
type CBCRecordResult struct {
	Attempt
	Tests []CBCRecordTest `json:"tests,omitempty"`
}

// CBCRecordTest compares a well-formed record (Baseline) with the malformed
// one (Malformed) on two fresh connections. Each record is followed by a
// close_notify; responses are "alert:<name>", "data" (application data came
// back), "closed", "reset", "timeout" or "error:<text>".
type CBCRecordTest struct {
	Protocol  string `json:"protocol"`
	Suite     string `json:"suite"`
	Baseline  string `json:"baseline"`
	Malformed string `json:"malformed"`
}

// RenegotiationResult records client-initiated renegotiation attempts on one
// connection.
type RenegotiationResult struct {
	Attempt
	Protocol string `json:"protocol,omitempty"`
	Suite    string `json:"suite,omitempty"`
	// Attempted and Completed count renegotiations after the first handshake.
	Attempted int `json:"attempted"`
	Completed int `json:"completed"`
	// Refusal is how the first refused attempt ended ("alert:no_renegotiation",
	// "closed", ...); empty when every attempt completed.
	Refusal string `json:"refusal,omitempty"`
}

// ResumptionResult records TLS <= 1.2 session resumption by session ID and
// by ticket (RFC 5077).
type ResumptionResult struct {
	Attempt
	Protocol string `json:"protocol,omitempty"`
	Suite    string `json:"suite,omitempty"`
	// SessionIDIssued: the first handshake gave a non-empty session ID.
	SessionIDIssued bool `json:"session_id_issued"`
	// SessionIDResumed: an abbreviated handshake with that ID completed
	// (nil when not tried).
	SessionIDResumed *bool  `json:"session_id_resumed,omitempty"`
	SessionIDError   string `json:"session_id_error,omitempty"`
	TicketIssued     bool   `json:"ticket_issued"`
	TicketLifetime   uint32 `json:"ticket_lifetime,omitempty"`
	TicketResumed    *bool  `json:"ticket_resumed,omitempty"`
	TicketError      string `json:"ticket_error,omitempty"`
}

// EarlyDataResult records TLS 1.3 0-RTT support: whether the server's
// NewSessionTicket messages allow early data.
type EarlyDataResult struct {
	Attempt
	Suite string `json:"suite,omitempty"`
	// Tickets is the number of NewSessionTicket messages received.
	Tickets int `json:"tickets"`
	// MaxEarlyDataSize from the early_data extension of a ticket; 0 when no
	// ticket allows early data.
	MaxEarlyDataSize uint32 `json:"max_early_data_size,omitempty"`
}
