package obs

// HandshakeProbes are probes that need at most a partial handshake
// (Heartbleed, CCS injection, fallback SCSV, compression, intolerance, ...).
type HandshakeProbes struct {
}
