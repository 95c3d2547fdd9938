package obs

// ClientSimulation is the outcome of replaying one real client's captured
// ClientHello against the server (SSL Labs' "Handshake Simulation"): what
// that client would negotiate, or why it would fail.
type ClientSimulation struct {
	// Client is the display name ("Chromium 140"); ID the profile file name
	// ("chromium-140"); Source "builtin" or the --clients directory.
	Client string `json:"client"`
	ID     string `json:"id"`
	Source string `json:"source,omitempty"`
	// Reference marks the clients grading with "negotiated" semantics judges
	// (current, widely used clients; legacy configurations are not).
	Reference bool `json:"reference,omitempty"`
	// Origin: "captured" (the ClientHello a real client sent) or
	// "synthesised" (built from the client's published capabilities:
	// protocol range, suites in order, groups, signature algorithms).
	Origin string `json:"origin,omitempty"`

	// OK: the server completed its side of the handshake in a way the client
	// accepts (protocol, suite and group it offered).
	OK       bool   `json:"ok"`
	Protocol string `json:"protocol,omitempty"` // "TLSv1.3", "TLSv1.2", ...
	Suite    string `json:"suite,omitempty"`    // IANA name
	SuiteID  uint16 `json:"suite_id,omitempty"`
	// KeyExchange: "ECDHE", "DHE", "RSA", ... (TLS 1.3: the group's kind).
	KeyExchange string `json:"key_exchange,omitempty"`
	// Group is the key_share group (TLS 1.3) or the ServerKeyExchange curve
	// or FFDHE group; Bits the curve or DH prime size.
	Group          string `json:"group,omitempty"`
	Bits           int    `json:"bits,omitempty"`
	ForwardSecrecy bool   `json:"forward_secrecy,omitempty"`
	ALPN           string `json:"alpn,omitempty"`
	// HelloRetry: the server asked for another key share (HelloRetryRequest)
	// and the simulation sent a second ClientHello, as the client would.
	HelloRetry bool `json:"hello_retry,omitempty"`
	// LeafSHA256 is the SHA-256 (hex) of the leaf certificate served, to
	// tell which chain (e.g. RSA or ECDSA) this client gets.
	LeafSHA256 string `json:"leaf_sha256,omitempty"`
	// Derived: the result was not replayed but derived from what the
	// enumeration proved about the server (its protocols, suites and their
	// order, groups and their order, chains, DH parameters and ALPN), which
	// determine it exactly; the fields are those a replay records.
	Derived bool `json:"derived,omitempty"`
	// Error says why the handshake fails: "alert:<name>", "no common
	// protocol", "closed", "timeout", "server chose ... the client did not
	// offer", or a connection error.
	Error string `json:"error,omitempty"`
}

// ClientSimulation.Origin values.
const (
	OriginCaptured    = "captured"
	OriginSynthesised = "synthesised"
)
