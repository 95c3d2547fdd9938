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
	CBCOracles    *CBCOraclesResult    `json:"cbc_oracles,omitempty"`
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
	// DerivedFrom names the probe whose connection the baseline's answer
	// was taken from (the same well-formed record on the same version and
	// suite), when it was not made again.
	DerivedFrom string `json:"derived_from,omitempty"`
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
	// Sent: a ticket allowed early data and the probe resumed with it,
	// sending an HTTP request as 0-RTT data.
	Sent bool `json:"sent,omitempty"`
	// Accepted: the server's EncryptedExtensions carried early_data.
	Accepted bool `json:"accepted,omitempty"`
	// Answered: the server answered the early request (application data
	// came back before the probe sent anything after its Finished).
	Answered bool `json:"answered,omitempty"`
	// ResumeError says why the 0-RTT attempt did not complete (the result
	// of the ticket inspection above stays valid).
	ResumeError string `json:"resume_error,omitempty"`
}

// CBC padding-oracle record variants of the CBCOracles probe, in the order
// of CBCOracleRound.Responses. "Valid padding" is a whole block of padding;
// "bad padding" keeps the right length byte and corrupts the others.
var CBCOracleVariants = []string{
	"bad_mac",          // HTTP request, MAC corrupted, valid padding
	"bad_pad",          // HTTP request, valid MAC, bad padding
	"bad_mac_bad_pad",  // HTTP request, MAC corrupted, bad padding
	"zero_len_bad_mac", // no content, MAC corrupted, valid padding
	"zero_len_bad_pad", // no content, valid MAC, bad padding
	"pad_overflow",     // HTTP request, no MAC, padding length 255 (past the record start)
}

// CBCOraclesResult holds the server's answer to each malformed CBC record
// variant, each sent alone on a fresh connection after a completed
// handshake (no close_notify after it). Responses are "alert:<name>",
// "data" (application data came back), "closed" (FIN), "reset",
// "timeout" (nothing within WaitMS), or "error:<text>".
type CBCOraclesResult struct {
	Attempt
	Protocol string `json:"protocol,omitempty"`
	Suite    string `json:"suite,omitempty"`
	// WaitMS is how long each connection waited for an answer.
	WaitMS int64            `json:"wait_ms,omitempty"`
	Rounds []CBCOracleRound `json:"rounds,omitempty"`
}

// CBCOracleRound is one pass over the variants.
type CBCOracleRound struct {
	Responses []string `json:"responses"`
	// ElapsedMS is how long each answer took after the record was sent.
	ElapsedMS []int64 `json:"elapsed_ms,omitempty"`
}
