package obs

// Probes groups the results of the probes that run after discovery. Each
// group of probes is declared in its own file; the JSON is flat
// ("probes": {"heartbleed": {...}, "robot": {...}, ...}).
type Probes struct {
	HandshakeProbes
	SessionProbes
}

// Attempt says how one probe ended, separately from what it found.
type Attempt struct {
	// Status: "completed" (the result fields are meaningful), "not_applicable"
	// (e.g. no RSA key exchange for ROBOT), "inconclusive" (the server's answer
	// could not be interpreted; Reason says why) or "error" (the probe could
	// not run: connection failures, timeouts).
	Status      string `json:"status"`
	Reason      string `json:"reason,omitempty"`
	Connections int    `json:"connections,omitempty"`
	// DerivedFrom names what a result was taken from instead of a
	// connection of the probe's own: "discovery" when discovery already
	// sent the same hello (differing only in the suites offered, which the
	// result does not depend on) and kept the answer.
	DerivedFrom string `json:"derived_from,omitempty"`
}

// Attempt statuses.
const (
	AttemptCompleted     = "completed"
	AttemptNotApplicable = "not_applicable"
	AttemptInconclusive  = "inconclusive"
	AttemptError         = "error"
)
