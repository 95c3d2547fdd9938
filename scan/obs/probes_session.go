package obs

// SessionProbes are probes that need a full handshake and record-layer
// protection (ROBOT, POODLE over TLS, renegotiation, resumption, 0-RTT, ...).
type SessionProbes struct {
}
